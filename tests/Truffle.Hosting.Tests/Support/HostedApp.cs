using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Truffle.Hosting.Tests.Support;

/// <summary>
/// Builds a real Generic Host the way an app does (<c>Host.CreateApplicationBuilder</c>), with an appsettings.json
/// read from memory, every log entry recorded, and the container validating scopes and registrations as it does in
/// Development.
/// </summary>
internal static class HostedApp
{
    public static IHost Build(JsonObject truffleSection, LogRecorder logs, Action<HostApplicationBuilder> configure)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        string json = new JsonObject { ["Truffle"] = truffleSection.DeepClone() }.ToJsonString();
        builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        builder.Logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs);
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true }));
        configure(builder);
        return builder.Build();
    }
}
