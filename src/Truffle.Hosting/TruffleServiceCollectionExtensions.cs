using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Truffle;
using Truffle.Hosting;
using Truffle.Hosting.Handlers;
using Truffle.Sync;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// <c>services.AddTruffle(...)</c>: runs one Truffle node inside the Generic Host. See docs/hosting.md.
/// </summary>
public static class TruffleServiceCollectionExtensions
{
    /// <summary>Runs a node with these options; see <see cref="AddTruffle(IServiceCollection, Func{IServiceProvider, TruffleOptions})"/>.</summary>
    public static TruffleBuilder AddTruffle(this IServiceCollection services, TruffleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return services.AddTruffle(_ => options);
    }

    /// <summary>
    /// Runs a node with the options read from <paramref name="section"/> (usually
    /// <c>builder.Configuration.GetSection("Truffle")</c>) when the host starts; see <see cref="TruffleConfiguration.Read"/>
    /// for the keys. A bad setting fails the host's start with an
    /// <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> that names it.
    /// </summary>
    public static TruffleBuilder AddTruffle(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return services.AddTruffle(_ => TruffleConfiguration.Read(section));
    }

    /// <summary>
    /// Runs a node with options set in code when the host starts, the usual .NET options pattern:
    /// <c>services.AddTruffle(options =&gt; { options.AppId = "notes"; options.Network = TruffleNetwork.Loopback; })</c>.
    /// <paramref name="configure"/> gets a <see cref="TruffleOptions"/> with every default and no app id.
    /// </summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">
    /// Thrown by the host's start, not here: <paramref name="configure"/> left <see cref="TruffleOptions.AppId"/> empty.
    /// </exception>
    /// <inheritdoc cref="AddTruffle(IServiceCollection, Func{IServiceProvider, TruffleOptions})" path="/returns"/>
    public static TruffleBuilder AddTruffle(this IServiceCollection services, Action<TruffleOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddTruffle(_ =>
        {
            var options = new TruffleOptions { AppId = string.Empty };
            configure(options);
            return CodeOptions.RequireAppId(options);
        });
    }

    /// <summary>
    /// Runs a node with the options read from <paramref name="section"/>, then changed by <paramref name="configure"/>,
    /// when the host starts: the place for what configuration cannot hold, such as a callback
    /// (<c>options.OnAuthRequired = url =&gt; ...</c>), or for settings computed at run time.
    /// </summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">
    /// Thrown by the host's start, not here: the section has a bad setting (it is read and checked before
    /// <paramref name="configure"/> runs, so it must name the app id itself), or <paramref name="configure"/>
    /// emptied the app id.
    /// </exception>
    /// <inheritdoc cref="AddTruffle(IServiceCollection, Func{IServiceProvider, TruffleOptions})" path="/returns"/>
    public static TruffleBuilder AddTruffle(this IServiceCollection services, IConfiguration section, Action<TruffleOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddTruffle(_ =>
        {
            TruffleOptions options = TruffleConfiguration.Read(section);
            configure(options);
            return CodeOptions.RequireAppId(options);
        });
    }

    /// <summary>
    /// Runs a node inside the host. <paramref name="optionsFactory"/> runs when the host starts; the node then logs
    /// through the container's <see cref="ILoggerFactory"/> and runs on its <see cref="TimeProvider"/>, when the options
    /// name none. The factory may use other services (<c>sp =&gt; new TruffleOptions { AppId = sp.GetRequiredService&lt;...&gt;().AppId }</c>).
    /// </summary>
    /// <remarks>
    /// Registers <see cref="HostedTruffleNode"/>, and <see cref="TruffleNode"/>, <see cref="IMessageBus"/> and
    /// <see cref="SyncEngine"/> as singletons that resolve once the node runs: resolving them before the host has
    /// started it throws an <see cref="InvalidOperationException"/> that says so. Services built before the host
    /// starts (hosted services, for instance) take <see cref="HostedTruffleNode"/> and await
    /// <see cref="HostedTruffleNode.WaitForStartAsync"/>.
    /// </remarks>
    /// <returns>A builder to register handler classes with.</returns>
    /// <exception cref="InvalidOperationException">AddTruffle was called already: a host runs one node.</exception>
    public static TruffleBuilder AddTruffle(this IServiceCollection services, Func<IServiceProvider, TruffleOptions> optionsFactory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(optionsFactory);
        if (services.Any(d => d.ServiceType == typeof(HostedTruffleNode)))
        {
            throw new InvalidOperationException("AddTruffle was called already: a host runs one Truffle node. Chain handler registrations on the builder the first call returned.");
        }

        services.AddSingleton(_ => new HostedTruffleNode());
        services.AddSingleton(sp => sp.GetRequiredService<HostedTruffleNode>().Node);
        services.AddSingleton(sp => sp.GetRequiredService<HostedTruffleNode>().Node.Bus);
        services.AddSingleton(sp => sp.GetRequiredService<HostedTruffleNode>().Node.Sync);
        services.TryAddSingleton(sp => new HostingMetrics(sp.GetService<IMeterFactory>(), sp.GetRequiredService<HostedTruffleNode>()));
        services.AddHostedService(sp => new TruffleHostedService(
            sp,
            optionsFactory,
            sp.GetRequiredService<HostedTruffleNode>(),
            sp.GetServices<HandlerBinding>(),
            sp.GetRequiredService<HostingMetrics>(),
            sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance));
        return new TruffleBuilder(services);
    }
}
