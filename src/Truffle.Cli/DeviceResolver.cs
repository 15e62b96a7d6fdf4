namespace Truffle.Cli;

/// <summary>Finds the device a DEVICE argument means: its id, a unique prefix of it, or its name.</summary>
internal static class DeviceResolver
{
    /// <exception cref="CliException">No online device matches, or more than one does (exit <see cref="ExitCodes.DeviceNotFound"/>).</exception>
    public static TruffleDevice Resolve(TruffleNode node, string argument)
    {
        TruffleDevice[] online = [.. node.Devices.Where(d => d.IsOnline)];
        TruffleDevice[] matches = online.Where(d => d.Id == argument).ToArray() is { Length: 1 } exact ? exact
            : [.. online.Where(d => d.Id.StartsWith(argument, StringComparison.OrdinalIgnoreCase) || string.Equals(d.Name, argument, StringComparison.OrdinalIgnoreCase))];
        return matches.Length switch
        {
            1 => matches[0],
            0 => throw new CliException(ExitCodes.DeviceNotFound, $"Unknown device '{argument}'; known: {Known(online)}."),
            _ => throw new CliException(ExitCodes.DeviceNotFound, $"'{argument}' matches {matches.Length} devices: {Known(matches)}; give more of the id."),
        };
    }

    private static string Known(IEnumerable<TruffleDevice> devices)
    {
        string list = string.Join(", ", devices.OrderBy(d => d.Name, StringComparer.Ordinal).Select(d => $"{d.Id} ({d.Name})"));
        return list.Length == 0 ? "none online" : list;
    }
}
