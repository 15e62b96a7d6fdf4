using System.Buffers;
using MessagePack;
using Microsoft.Extensions.Logging;
using Truffle.Wire;

namespace Truffle.Sync;

/// <summary>
/// Keeps one store's local slice on disk as <c>sync-{storeId}.msgpack</c>: a MessagePack array
/// <c>[1, incarnation, seq, bin]</c> holding the whole slice, written to a temporary file and renamed over the old
/// one, so a crash leaves either the old or the new slice, never a torn one. A retired slice deletes the file.
/// </summary>
internal sealed class SlicePersistence
{
    private const int FormatVersion = 1;
    private readonly Lock _fileLock = new();
    private readonly string _storeId;
    private readonly ILogger _logger;
    private readonly TruffleMetrics _metrics;
    private ulong _savedSeq;

    public SlicePersistence(string directory, string storeId, ILogger logger, TruffleMetrics metrics)
    {
        _storeId = storeId;
        _logger = logger;
        _metrics = metrics;
        Path = System.IO.Path.Combine(directory, $"sync-{storeId}.msgpack");
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>
    /// Writes the slice at <paramref name="seq"/> (null: retired, the file is deleted) unless a newer seq was already
    /// written. Failures are logged, not thrown: the slice then does not survive a restart.
    /// </summary>
    public void Save(ulong incarnation, ulong seq, byte[]? whole)
    {
        lock (_fileLock)
        {
            if (seq <= _savedSeq)
            {
                return; // a later version was saved by another thread first
            }

            try
            {
                if (whole is null)
                {
                    File.Delete(Path);
                }
                else
                {
                    Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
                    var buffer = new ArrayBufferWriter<byte>(whole.Length + 32);
                    var writer = new MessagePackWriter(buffer);
                    writer.WriteArrayHeader(4);
                    writer.Write(FormatVersion);
                    writer.Write(incarnation);
                    writer.Write(seq);
                    writer.Write(whole);
                    writer.Flush();
                    string temporary = Path + ".tmp";
                    File.WriteAllBytes(temporary, buffer.WrittenSpan.ToArray());
                    File.Move(temporary, Path, overwrite: true);
                }

                _savedSeq = seq;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _metrics.Sync.PersistenceError("save", _storeId);
                SyncLog.SaveFailed(_logger, _storeId, Path, e);
            }
        }
    }

    /// <summary>The saved slice, or null when there is none or it cannot be read (logged).</summary>
    public (ulong Seq, ReadOnlyMemory<byte> Whole)? Load()
    {
        try
        {
            if (!File.Exists(Path))
            {
                return null;
            }

            return Decode(File.ReadAllBytes(Path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException || MalformedInput.Is(e))
        {
            _metrics.Sync.PersistenceError("load", _storeId);
            SyncLog.LoadFailed(_logger, _storeId, Path, e);
            return null;
        }
    }

    /// <summary>Reads the contents of a slice file: the seq it was saved at and the whole slice.</summary>
    /// <exception cref="Exception">One that <see cref="MalformedInput.Is"/> accepts, for anything but a valid file.</exception>
    internal static (ulong Seq, ReadOnlyMemory<byte> Whole) Decode(ReadOnlyMemory<byte> bytes)
    {
        var reader = new MessagePackReader(bytes);
        if (reader.ReadArrayHeader() != 4 || reader.ReadInt32() != FormatVersion)
        {
            throw new InvalidDataException("Unknown format.");
        }

        reader.ReadUInt64(); // the incarnation that wrote it: informational
        ulong seq = reader.ReadUInt64();
        ReadOnlySequence<byte> whole = reader.ReadBytes() ?? throw new InvalidDataException("No slice.");
        return (seq, whole.ToArray());
    }
}
