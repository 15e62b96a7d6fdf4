using System.Reflection;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Xunit;

namespace Truffle.Hosting.Tests;

public sealed class TruffleConfigurationTests
{
    private static readonly string[] ExpectedProblems =
    [
        "Truffle:AppId is missing: set it to the app's id, the same on every device of the app (lowercase letters, digits and '-').",
        "Truffle:Network is 'Lopback', not one of Tailscale, Loopback.",
        "Truffle:Routing is '1', not one of Star, Direct.",
        "Truffle:Election:Lease is '-00:00:01', not a positive duration such as 00:00:30 (hh:mm:ss).",
        "Truffle:Port is '70000', not a whole number from 1 to 65535.",
        "Truffle:Metadata:nested is an object; metadata values are text.",
        "Truffle:PreferPrimary is 'yes', not true or false.",
        "Truffle:StartTimeout is '30', not a positive duration such as 00:00:30 (hh:mm:ss).",
        "Truffle:Netwrok is not a Truffle setting.",
        "Truffle:Election:Leese is not a Truffle setting.",
    ];

    [Fact]
    public void Settings_from_appsettings_json_become_the_node_options()
    {
        IConfiguration truffle = Section("""
            {
              "Truffle": {
                "AppId": "notes",
                "DeviceName": "worker-1",
                "Network": "loopback",
                "Priority": -3,
                "PreferPrimary": "true",
                "StartTimeout": "00:00:45",
                "Metadata": { "site": "lab", "rack": "7" },
                "Election": { "HeartbeatInterval": "00:00:00.250", "JoinWindow": "00:00:00" },
                "Sync": { "CoalesceWindow": "00:00:00", "ChangeBufferCapacity": 16 }
              }
            }
            """);

        TruffleOptions options = TruffleConfiguration.Read(truffle);

        Assert.Equal("notes", options.AppId);
        Assert.Equal("worker-1", options.DeviceName);
        Assert.Equal(TruffleNetwork.Loopback, options.Network);
        Assert.Equal(-3, options.Priority);
        Assert.True(options.PreferPrimary);
        Assert.Equal(TimeSpan.FromSeconds(45), options.StartTimeout);
        Assert.Equal(new Dictionary<string, string> { ["site"] = "lab", ["rack"] = "7" }, options.Metadata);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.Election.HeartbeatInterval);
        Assert.Equal(TimeSpan.Zero, options.Election.JoinWindow);
        Assert.Equal(new ElectionTimings().Lease, options.Election.Lease);
        Assert.Equal(TimeSpan.Zero, options.Sync.CoalesceWindow);
        Assert.Equal(16, options.Sync.ChangeBufferCapacity);
        Assert.Equal(new TruffleOptions { AppId = "x" }.Port, options.Port);
        Assert.Null(options.StateDirectory);
    }

    /// <summary>
    /// Guards the explicit reader against options added to the runtime later: every option with a plain value must be
    /// settable from configuration (reflection is fine here, in a test; the reader itself uses none).
    /// </summary>
    [Fact]
    public void Every_plain_option_of_the_runtime_can_be_set_from_configuration()
    {
        var values = new Dictionary<string, string?>();
        var expected = new List<(string Key, Func<TruffleOptions, object?> Read, object Value)>();
        AddPlainSettings(typeof(TruffleOptions), "Truffle", o => o, values, expected);
        AddPlainSettings(typeof(ElectionTimings), "Truffle:Election", o => o.Election, values, expected);
        AddPlainSettings(typeof(SyncOptions), "Truffle:Sync", o => o.Sync, values, expected);
        values["Truffle:Metadata:k"] = "v";

        TruffleOptions options = TruffleConfiguration.Read(new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("Truffle"));

        Assert.True(expected.Count >= 25, $"only {expected.Count} plain options found");
        Assert.All(expected, e => Assert.Equal(e.Value, e.Read(options)));
        Assert.Equal("v", options.Metadata["k"]);
    }

    [Fact]
    public void Every_bad_setting_is_reported_by_its_path_in_one_exception()
    {
        IConfiguration truffle = Section("""
            {
              "Truffle": {
                "Network": "Lopback",
                "Port": "70000",
                "PreferPrimary": "yes",
                "Netwrok": "Loopback",
                "StartTimeout": "30",
                "Routing": "1",
                "Election": { "Lease": "-00:00:01", "Leese": "00:00:03" },
                "Metadata": { "nested": { "no": "objects" } }
              }
            }
            """);

        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => TruffleConfiguration.Read(truffle));

        Assert.Equal(typeof(TruffleOptions), error.OptionsType);
        Assert.Equal(
            ExpectedProblems.Order(StringComparer.Ordinal),
            error.Failures.Order(StringComparer.Ordinal));
        Assert.Contains("Truffle:Network is 'Lopback'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_whole_configuration_instead_of_its_Truffle_section_is_refused_with_a_hint()
    {
        IConfiguration root = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Truffle:AppId"] = "notes", ["Logging:LogLevel:Default"] = "Debug" })
            .Build();

        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => TruffleConfiguration.Read(root));

        Assert.Contains("Truffle is not a Truffle setting (pass the Truffle section itself: configuration.GetSection(\"Truffle\")).", error.Failures);
    }

    private static IConfiguration Section(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build().GetSection("Truffle");

    /// <summary>Gives every settable plain property of <paramref name="type"/> a value that differs from its default.</summary>
    private static void AddPlainSettings(
        Type type,
        string path,
        Func<TruffleOptions, object> owner,
        Dictionary<string, string?> values,
        List<(string, Func<TruffleOptions, object?>, object)> expected)
    {
        foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            Type plain = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            (string Text, object Value)? sample = plain switch
            {
                _ when plain == typeof(string) => ("sample-" + property.Name.ToLowerInvariant(), "sample-" + property.Name.ToLowerInvariant()),
                _ when plain == typeof(bool) => ("true", true),
                _ when plain == typeof(int) => ("7", 7),
                _ when plain == typeof(TimeSpan) => ("00:00:07", TimeSpan.FromSeconds(7)),
                _ when plain.IsEnum => (Enum.GetNames(plain)[^1], Enum.GetValues(plain).GetValue(Enum.GetValues(plain).Length - 1)!),
                _ => null,
            };
            if (sample is { } s)
            {
                values[$"{path}:{property.Name}"] = s.Text;
                expected.Add(($"{path}:{property.Name}", o => property.GetValue(owner(o)), s.Value));
            }
        }
    }
}
