namespace Truffle.Transport;

/// <summary>
/// How large each field of a hello may be. A peer's hello beyond them is refused (close code 4002, bad hello) before
/// anything keeps it, and <see cref="TruffleNode.StartAsync"/> checks the local options against the same numbers, so
/// a node never sends a hello its peers would refuse.
/// </summary>
internal static class HelloLimits
{
    /// <summary>App and device ids: they travel in every envelope, whose names are capped at 128 bytes.</summary>
    public const int MaxIdLength = 128;

    /// <summary>Device name, device type, OS description and network node id.</summary>
    public const int MaxTextLength = 256;

    /// <summary>Metadata entries and capabilities.</summary>
    public const int MaxEntries = 32;

    /// <summary>A metadata key or a capability.</summary>
    public const int MaxKeyLength = 64;

    /// <summary>A metadata value.</summary>
    public const int MaxValueLength = 1024;

    /// <summary>Null when every field is within its limit; otherwise why not (<c>too_long_deviceName</c>, ...).</summary>
    public static string? Check(Hello hello)
    {
        return TooLong(hello.AppId, MaxIdLength, "appId")
            ?? TooLong(hello.DeviceId, MaxIdLength, "deviceId")
            ?? TooLong(hello.DeviceName, MaxTextLength, "deviceName")
            ?? TooLong(hello.DeviceType, MaxTextLength, "deviceType")
            ?? TooLong(hello.Os, MaxTextLength, "os")
            ?? TooLong(hello.TailscaleId, MaxTextLength, "tailscaleId")
            ?? CheckCapabilities(hello.Capabilities)
            ?? CheckMetadata(hello.Metadata)
            ?? CheckSchemas(hello.Schemas);
    }

    /// <summary>Wire namespaces with a fingerprint in a hello.</summary>
    public const int MaxSchemas = 256;

    /// <summary>Null when <paramref name="metadata"/> is within the limits; otherwise why not.</summary>
    public static string? CheckMetadata(IReadOnlyDictionary<string, string> metadata) =>
        CheckMap(metadata, MaxEntries, "metadata", "metadata_key", "metadata_value", MaxValueLength);

    private static string? CheckSchemas(IReadOnlyDictionary<string, string> schemas) =>
        CheckMap(schemas, MaxSchemas, "schemas", "schema_namespace", "schema_fingerprint", MaxKeyLength);

    /// <summary>The rule for a map in a hello: at most <paramref name="maxEntries"/> entries, keys of at most
    /// <see cref="MaxKeyLength"/>, values of at most <paramref name="maxValue"/>.</summary>
    private static string? CheckMap(
        IReadOnlyDictionary<string, string> map, int maxEntries, string name, string keyField, string valueField, int maxValue)
    {
        if (map.Count > maxEntries)
        {
            return "too_many_" + name;
        }

        foreach ((string key, string value) in map)
        {
            if ((TooLong(key, MaxKeyLength, keyField) ?? TooLong(value, maxValue, valueField)) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? CheckCapabilities(IReadOnlyList<string> capabilities)
    {
        if (capabilities.Count > MaxEntries)
        {
            return "too_many_capabilities";
        }

        foreach (string capability in capabilities)
        {
            if (TooLong(capability, MaxKeyLength, "capability") is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? TooLong(string value, int max, string field) => value.Length > max ? "too_long_" + field : null;
}
