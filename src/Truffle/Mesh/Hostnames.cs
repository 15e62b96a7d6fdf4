using System.Text.RegularExpressions;

namespace Truffle.Mesh;

/// <summary>
/// The network hostname of a device, <c>{appId}-{deviceType}-{shortId}</c> (SPEC §5), and the prefix that finds the
/// devices of one app. The hostname is only a filter: a device is who its hello and the network identity say.
/// </summary>
internal static partial class Hostnames
{
    private const int MaxLength = 63;
    private const int ShortIdLength = 8;

    /// <summary>The hostname for a device.</summary>
    /// <exception cref="ArgumentException">The app id or device type is not a lowercase DNS label, or the result is over 63 characters.</exception>
    public static string For(string appId, string deviceType, string deviceId)
    {
        ValidateLabel(appId, nameof(TruffleOptions.AppId));
        ValidateLabel(deviceType, nameof(TruffleOptions.DeviceType));
        string hostname = $"{appId}-{deviceType}-{deviceId[..ShortIdLength]}";
        if (hostname.Length > MaxLength)
        {
            throw new ArgumentException(
                $"The hostname '{hostname}' is longer than {MaxLength} characters; shorten the app id or the device type.", nameof(appId));
        }

        return hostname;
    }

    /// <summary>Whether <paramref name="hostname"/> may belong to a device of <paramref name="appId"/>.</summary>
    public static bool MayBelongTo(string hostname, string appId) =>
        hostname.Length > appId.Length + 1 && hostname.StartsWith(appId, StringComparison.Ordinal) && hostname[appId.Length] == '-';

    /// <exception cref="ArgumentException">Not a lowercase DNS label.</exception>
    public static void ValidateLabel(string value, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, name);
        if (!Label().IsMatch(value))
        {
            throw new ArgumentException($"{name} '{value}' must be lowercase letters, digits and '-', start with a letter, not end with '-', and be at most 40 characters.", name);
        }
    }

    [GeneratedRegex("^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Label();
}
