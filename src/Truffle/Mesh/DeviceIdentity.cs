using System.Buffers;
using System.Text.Json;

namespace Truffle.Mesh;

/// <summary>
/// What a device keeps across restarts (SPEC §5): its id, generated once; its incarnation, a boot counter raised
/// at every start; and the highest election term it has seen, which must never go back. Stored as
/// <c>device.json</c> in the state directory, written to a temporary file and renamed over the old one, so a crash
/// leaves either the old or the new file and never a torn one.
/// </summary>
internal sealed class DeviceIdentity
{
    private const string FileName = "device.json";

    private readonly string _path;
    private readonly Lock _gate = new();
    private ulong _term;

    private DeviceIdentity(string path, string deviceId, ulong incarnation, ulong term)
    {
        _path = path;
        DeviceId = deviceId;
        Incarnation = incarnation;
        _term = term;
    }

    /// <summary>The device id: 32 lowercase hex digits, the same at every start.</summary>
    public string DeviceId { get; }

    /// <summary>This start's boot counter: 1 on the first start, one more at every start after.</summary>
    public ulong Incarnation { get; }

    /// <summary>The highest election term persisted.</summary>
    public ulong Term
    {
        get
        {
            lock (_gate)
            {
                return _term;
            }
        }
    }

    /// <summary>Loads the identity from <paramref name="stateDirectory"/> (creating it on first use) and counts a start.</summary>
    /// <exception cref="TruffleException">The file exists but is not a device identity; it is left as it is.</exception>
    /// <exception cref="IOException">The directory cannot be read or written.</exception>
    public static DeviceIdentity Start(string stateDirectory)
    {
        Directory.CreateDirectory(stateDirectory);
        string path = Path.Combine(stateDirectory, FileName);
        string deviceId = Guid.NewGuid().ToString("N");
        ulong incarnation = 0, term = 0;
        if (File.Exists(path))
        {
            (deviceId, incarnation, term) = Read(path);
        }

        var identity = new DeviceIdentity(path, deviceId, incarnation + 1, term);
        identity.Save(term);
        return identity;
    }

    /// <summary>Persists <paramref name="term"/> if it is higher than the one stored; lower terms are ignored.</summary>
    public void PersistTerm(ulong term)
    {
        lock (_gate)
        {
            if (term <= _term)
            {
                return;
            }

            _term = term;
            Save(term);
        }
    }

    private static (string DeviceId, ulong Incarnation, ulong Term) Read(string path)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
            JsonElement root = document.RootElement;
            string? deviceId = root.GetProperty("deviceId").GetString();
            if (deviceId is not { Length: 32 } || !deviceId.All(char.IsAsciiHexDigitLower))
            {
                throw new FormatException("deviceId is not 32 lowercase hex digits");
            }

            return (deviceId, root.GetProperty("incarnation").GetUInt64(), root.GetProperty("term").GetUInt64());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            throw new TruffleException($"The device identity file {path} is damaged ({e.Message}). Fix or delete it; deleting it makes this a new device.", e);
        }
    }

    private void Save(ulong term)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("deviceId", DeviceId);
            writer.WriteNumber("incarnation", Incarnation);
            writer.WriteNumber("term", term);
            writer.WriteEndObject();
        }

        string temporary = _path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(buffer.WrittenSpan);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, _path, overwrite: true);
    }
}
