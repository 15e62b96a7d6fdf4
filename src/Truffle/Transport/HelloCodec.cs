using System.Buffers;
using MessagePack;
using Truffle.Wire;

namespace Truffle.Transport;

/// <summary>
/// Writes and reads <see cref="Hello"/> as a MessagePack map with camelCase keys and <c>kind = "hello"</c>. Unknown
/// keys are skipped; <c>kind</c>, <c>version</c>, <c>appId</c> and <c>deviceId</c> are required, every other key
/// defaults (empty string, 0, false, no capabilities, no metadata, no schemas). <c>schemas</c> (namespace to
/// fingerprint) is the last key: a reader that predates it skips it as an unknown key.
/// </summary>
internal static class HelloCodec
{
    /// <summary>The largest hello accepted; a real one is a few hundred bytes.</summary>
    public const int MaxHelloBytes = 64 << 10;

    /// <summary>Appends <paramref name="hello"/> to <paramref name="output"/>.</summary>
    public static void Write(IBufferWriter<byte> output, Hello hello)
    {
        ArgumentNullException.ThrowIfNull(hello);
        var writer = new MessagePackWriter(output);
        writer.WriteMapHeader(14);
        writer.Write("kind");
        writer.Write("hello");
        writer.Write("version");
        writer.Write(hello.Version);
        WriteString(ref writer, "appId", hello.AppId);
        WriteString(ref writer, "deviceId", hello.DeviceId);
        WriteString(ref writer, "deviceName", hello.DeviceName);
        WriteString(ref writer, "deviceType", hello.DeviceType);
        WriteString(ref writer, "os", hello.Os);
        WriteString(ref writer, "tailscaleId", hello.TailscaleId);
        writer.Write("incarnation");
        writer.Write(hello.Incarnation);
        writer.Write("preferPrimary");
        writer.Write(hello.PreferPrimary);
        writer.Write("priority");
        writer.Write(hello.Priority);
        writer.Write("capabilities");
        writer.WriteArrayHeader(hello.Capabilities.Count);
        foreach (string capability in hello.Capabilities)
        {
            writer.Write(capability);
        }

        writer.Write("metadata");
        writer.WriteMapHeader(hello.Metadata.Count);
        foreach (KeyValuePair<string, string> pair in hello.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.Write(pair.Key);
            writer.Write(pair.Value);
        }

        writer.Write("schemas");
        writer.WriteMapHeader(hello.Schemas.Count);
        foreach (KeyValuePair<string, string> pair in hello.Schemas.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.Write(pair.Key);
            writer.Write(pair.Value);
        }

        writer.Flush();
    }

    /// <summary>Encodes <paramref name="hello"/> into a new array (handshakes are rare).</summary>
    public static byte[] Encode(Hello hello)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(buffer, hello);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a hello, or returns null with a short <paramref name="problem"/> when it is malformed or invalid.</summary>
    public static Hello? TryRead(ReadOnlyMemory<byte> bytes, out string? problem)
    {
        if (bytes.Length > MaxHelloBytes)
        {
            problem = "too_large";
            return null;
        }

        try
        {
            var reader = new MessagePackReader(bytes);
            Hello? hello = ReadMap(ref reader, out problem);
            if (hello is not null && !reader.End)
            {
                problem = "trailing_bytes";
                return null;
            }

            return hello;
        }
        // The reader reports a broken length as an argument out of range, not only as end of stream.
        catch (Exception ex) when (MalformedInput.Is(ex))
        {
            problem = "malformed";
            return null;
        }
    }

    private static Hello? ReadMap(ref MessagePackReader reader, out string? problem)
    {
        if (reader.NextMessagePackType != MessagePackType.Map)
        {
            problem = "not_map";
            return null;
        }

        string? kind = null, appId = null, deviceId = null;
        int? version = null;
        string deviceName = "", deviceType = "", os = "", tailscaleId = "";
        ulong incarnation = 0;
        bool preferPrimary = false;
        int priority = 0;
        IReadOnlyList<string> capabilities = [];
        IReadOnlyDictionary<string, string> metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        IReadOnlyDictionary<string, string> schemas = new Dictionary<string, string>(StringComparer.Ordinal);

        int count = reader.ReadMapHeader();
        for (int i = 0; i < count; i++)
        {
            // A non-string key throws, which makes the hello malformed: a hello has only string keys.
            switch (reader.ReadString())
            {
                case "kind": kind = reader.ReadString(); break;
                case "version": version = reader.ReadInt32(); break;
                case "appId": appId = reader.ReadString(); break;
                case "deviceId": deviceId = reader.ReadString(); break;
                case "deviceName": deviceName = reader.ReadString() ?? ""; break;
                case "deviceType": deviceType = reader.ReadString() ?? ""; break;
                case "os": os = reader.ReadString() ?? ""; break;
                case "tailscaleId": tailscaleId = reader.ReadString() ?? ""; break;
                case "incarnation": incarnation = reader.ReadUInt64(); break;
                case "preferPrimary": preferPrimary = reader.ReadBoolean(); break;
                case "priority": priority = reader.ReadInt32(); break;
                case "capabilities": capabilities = ReadStrings(ref reader); break;
                case "metadata": metadata = ReadStringMap(ref reader); break;
                case "schemas": schemas = ReadStringMap(ref reader); break;
                default: MessagePackSkip.Value(ref reader); break;
            }
        }

        problem = kind != "hello" ? "not_hello"
            : version is null ? "no_version"
            : string.IsNullOrEmpty(appId) ? "no_app_id"
            : string.IsNullOrEmpty(deviceId) ? "no_device_id"
            : null;
        if (problem is not null)
        {
            return null;
        }

        var hello = new Hello(
            version!.Value, appId!, deviceId!, deviceName, deviceType, os, tailscaleId, incarnation, preferPrimary, priority, capabilities, metadata)
        {
            Schemas = schemas,
        };
        problem = HelloLimits.Check(hello);
        return problem is null ? hello : null;
    }

    private static string[] ReadStrings(ref MessagePackReader reader)
    {
        // ReadArrayHeader refuses a count larger than the bytes left, so this allocation is bounded by the hello's size.
        var values = new string[reader.ReadArrayHeader()];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = reader.ReadString() ?? throw new MessagePackSerializationException("A capability is nil.");
        }

        return values;
    }

    private static Dictionary<string, string> ReadStringMap(ref MessagePackReader reader)
    {
        int count = reader.ReadMapHeader();
        var values = new Dictionary<string, string>(count, StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            string key = reader.ReadString() ?? throw new MessagePackSerializationException("A metadata key is nil.");
            values[key] = reader.ReadString() ?? "";
        }

        return values;
    }

    private static void WriteString(ref MessagePackWriter writer, string key, string value)
    {
        writer.Write(key);
        writer.Write(value ?? "");
    }
}
