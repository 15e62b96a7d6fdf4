using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Truffle.Hosting;

/// <summary>
/// Reads <see cref="TruffleOptions"/> from a configuration section (the <c>"Truffle"</c> object of appsettings.json,
/// environment variables such as <c>Truffle__AppId</c>, command-line arguments). Every key is read explicitly, so
/// reading stays trimming- and Native-AOT-safe, and a bad setting is reported by its full path.
/// </summary>
/// <remarks>
/// Keys are those of <see cref="TruffleOptions"/> with plain values (text, numbers, true/false, enum names, durations
/// as <c>hh:mm:ss</c>), plus <c>Metadata</c> (an object of text values), <c>Election</c> (the properties of
/// <see cref="ElectionTimings"/>) and <c>Sync</c> (those of <see cref="SyncOptions"/>). Callbacks, the logger factory
/// and the clock cannot come from configuration; the host supplies the last two.
/// </remarks>
public static class TruffleConfiguration
{
    /// <summary>The section name the documentation and the template use: <c>"Truffle"</c>.</summary>
    public const string SectionName = "Truffle";

    /// <summary>Reads the options in <paramref name="section"/>; keys not given keep their defaults.</summary>
    /// <exception cref="OptionsValidationException">
    /// A setting is missing, has a value that does not parse, or is not a Truffle setting at all. The message lists
    /// every problem by path (<c>Truffle:Network is 'Lopback', not one of Tailscale, Loopback</c>).
    /// </exception>
    public static TruffleOptions Read(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var root = new SettingsReader(section);
        var defaults = new TruffleOptions { AppId = "defaults" };
        var options = new TruffleOptions
        {
            AppId = root.Required("AppId", "set it to the app's id, the same on every device of the app (lowercase letters, digits and '-')"),
            DeviceName = root.Text("DeviceName") ?? defaults.DeviceName,
            DeviceType = root.Text("DeviceType") ?? defaults.DeviceType,
            StateDirectory = root.Text("StateDirectory"),
            AuthKey = root.Text("AuthKey"),
            PreferPrimary = root.Boolean("PreferPrimary") ?? defaults.PreferPrimary,
            Priority = root.Integer("Priority", int.MinValue) ?? defaults.Priority,
            Network = root.Enum<TruffleNetwork>("Network") ?? defaults.Network,
            LoopbackDirectory = root.Text("LoopbackDirectory"),
            SidecarPath = root.Text("SidecarPath"),
            Routing = root.Enum<TruffleRouting>("Routing") ?? defaults.Routing,
            AllowMinorityPrimary = root.Boolean("AllowMinorityPrimary") ?? defaults.AllowMinorityPrimary,
            Observer = root.Boolean("Observer") ?? defaults.Observer,
            Election = ReadElection(root.Child("Election"), defaults.Election),
            Port = root.Integer("Port", 1, 65535) ?? defaults.Port,
            Metadata = root.Dictionary("Metadata") ?? defaults.Metadata,
            PersistSlices = root.Boolean("PersistSlices") ?? defaults.PersistSlices,
            Sync = ReadSync(root.Child("Sync"), defaults.Sync),
            StartTimeout = root.Duration("StartTimeout") ?? defaults.StartTimeout,
        };

        root.ThrowIfInvalid();
        return options;
    }

    private static ElectionTimings ReadElection(SettingsReader election, ElectionTimings defaults) => new()
    {
        HeartbeatInterval = election.Duration("HeartbeatInterval") ?? defaults.HeartbeatInterval,
        Lease = election.Duration("Lease") ?? defaults.Lease,
        RankStep = election.Duration("RankStep", allowZero: true) ?? defaults.RankStep,
        MaxJitter = election.Duration("MaxJitter", allowZero: true) ?? defaults.MaxJitter,
        JoinWindow = election.Duration("JoinWindow", allowZero: true) ?? defaults.JoinWindow,
        PreVoteTimeout = election.Duration("PreVoteTimeout") ?? defaults.PreVoteTimeout,
    };

    private static SyncOptions ReadSync(SettingsReader sync, SyncOptions defaults) => new()
    {
        DigestInterval = sync.Duration("DigestInterval") ?? defaults.DigestInterval,
        TombstoneTtl = sync.Duration("TombstoneTtl") ?? defaults.TombstoneTtl,
        CoalesceWindow = sync.Duration("CoalesceWindow", allowZero: true) ?? defaults.CoalesceWindow,
        RequestBackoff = sync.Duration("RequestBackoff") ?? defaults.RequestBackoff,
        MaxSliceBytes = sync.Integer("MaxSliceBytes", 1) ?? defaults.MaxSliceBytes,
        ChangeBufferCapacity = sync.Integer("ChangeBufferCapacity", 1) ?? defaults.ChangeBufferCapacity,
        StateDirectory = sync.Text("StateDirectory"),
    };
}
