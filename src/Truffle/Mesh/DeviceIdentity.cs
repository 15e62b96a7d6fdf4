using System.Buffers;
using System.Text.Json;

namespace Truffle.Mesh;

/// <summary>
/// What a device keeps across restarts (SPEC §5): its id, generated once; its incarnation, a boot counter raised
/// at every start; the highest election term it has seen, which must never go back; and the network node each
/// device id it has met belongs to (<see cref="DeviceBindings"/>; an older file without them reads as none). Stored as
/// <c>device.json</c> in the state directory, written to a temporary file and renamed over the old one, so a crash
/// leaves either the old or the new file and never a torn one. While it is held, the directory is locked
/// (<c>device.lock</c>, an exclusive OS file lock that a crash releases): two running nodes with one identity would
/// fight over every connection, so the second is refused.
/// </summary>
internal sealed class DeviceIdentity : IDeviceStore, IDisposable
{
    private const string FileName = "device.json";
    private const string LockFileName = "device.lock";

    private readonly string _path;
    private readonly FileStream _directoryLock;
    private readonly Lock _gate = new();
    private ulong _term;
    private IReadOnlyList<DeviceBinding> _bindings;

    private DeviceIdentity(
        string path, FileStream directoryLock, string deviceId, ulong incarnation, ulong term, IReadOnlyList<DeviceBinding> bindings)
    {
        _path = path;
        _directoryLock = directoryLock;
        DeviceId = deviceId;
        Incarnation = incarnation;
        _term = term;
        _bindings = bindings;
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

    /// <summary>The device bindings persisted, least recently heard first.</summary>
    public IReadOnlyList<DeviceBinding> Bindings
    {
        get
        {
            lock (_gate)
            {
                return _bindings;
            }
        }
    }

    /// <summary>
    /// Locks <paramref name="stateDirectory"/> (creating it on first use), loads the identity and counts a start.
    /// Dispose the identity to release the directory.
    /// </summary>
    /// <exception cref="TruffleException">
    /// Another running node holds the directory, or the file exists but is not a device identity (it is left as it is).
    /// </exception>
    /// <exception cref="IOException">The directory cannot be read or written.</exception>
    public static DeviceIdentity Start(string stateDirectory)
    {
        Directory.CreateDirectory(stateDirectory);
        FileStream directoryLock = LockDirectory(stateDirectory);
        try
        {
            string path = Path.Combine(stateDirectory, FileName);
            string deviceId = Guid.NewGuid().ToString("N");
            ulong incarnation = 0, term = 0;
            IReadOnlyList<DeviceBinding> bindings = [];
            if (File.Exists(path))
            {
                (deviceId, incarnation, term, bindings) = Read(path);
            }

            var identity = new DeviceIdentity(path, directoryLock, deviceId, incarnation + 1, term, bindings);
            identity.Save();
            return identity;
        }
        catch
        {
            directoryLock.Dispose();
            throw;
        }
    }

    /// <summary>Releases the state directory for the next node.</summary>
    public void Dispose() => _directoryLock.Dispose();

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
            Save();
        }
    }

    /// <summary>Persists <paramref name="bindings"/> in place of the ones stored.</summary>
    public void PersistBindings(IReadOnlyList<DeviceBinding> bindings)
    {
        lock (_gate)
        {
            _bindings = [.. bindings];
            Save();
        }
    }

    private static FileStream LockDirectory(string stateDirectory)
    {
        string path = Path.Combine(stateDirectory, LockFileName);
        try
        {
            // FileShare.None is an exclusive lock on every OS .NET runs on (flock on Unix), held until disposed.
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (IsHeldElsewhere(e))
        {
            throw new TruffleException(
                $"The state directory {stateDirectory} is in use by another running node. Each node needs a StateDirectory of its own, or the other must stop first.", e);
        }
    }

    /// <summary>
    /// A FileShare.None lock held by someone else: a sharing violation on Windows, EWOULDBLOCK from flock on Linux (11)
    /// and macOS (35), which .NET reports as the HResult.
    /// </summary>
    private static bool IsHeldElsewhere(IOException e) => e.HResult is unchecked((int)0x80070020) or 11 or 35;

    private static (string DeviceId, ulong Incarnation, ulong Term, IReadOnlyList<DeviceBinding> Bindings) Read(string path)
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

            return (deviceId, root.GetProperty("incarnation").GetUInt64(), root.GetProperty("term").GetUInt64(), ReadBindings(root));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            throw new TruffleException($"The device identity file {path} is damaged ({e.Message}). Fix or delete it; deleting it makes this a new device.", e);
        }
    }

    private static List<DeviceBinding> ReadBindings(JsonElement root)
    {
        var bindings = new List<DeviceBinding>();
        if (!root.TryGetProperty("bindings", out JsonElement array))
        {
            return bindings; // written before bindings existed
        }

        foreach (JsonElement binding in array.EnumerateArray())
        {
            string? deviceId = binding.GetProperty("deviceId").GetString();
            string? nodeId = binding.GetProperty("nodeId").GetString();
            if (string.IsNullOrEmpty(deviceId) || string.IsNullOrEmpty(nodeId))
            {
                throw new FormatException("a binding has an empty deviceId or nodeId");
            }

            bindings.Add(new DeviceBinding(deviceId, nodeId));
        }

        return bindings;
    }

    // Called under _gate (or before the identity is shared).
    private void Save()
    {
        var buffer = new ArrayBufferWriter<byte>(128 + (_bindings.Count * 96));
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("deviceId", DeviceId);
            writer.WriteNumber("incarnation", Incarnation);
            writer.WriteNumber("term", _term);
            writer.WriteStartArray("bindings");
            foreach (DeviceBinding binding in _bindings)
            {
                writer.WriteStartObject();
                writer.WriteString("deviceId", binding.DeviceId);
                writer.WriteString("nodeId", binding.NodeId);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
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
