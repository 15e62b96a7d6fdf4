using Microsoft.Extensions.Logging;
using Truffle.Wire;

namespace Truffle.Sync;

/// <summary>
/// State sync for one device: holds every <see cref="SyncedStore{T}"/> of the app, sends this device's slices and
/// keeps replicas of everyone else's. Reach it as <c>node.Sync</c>; the node feeds it the mesh's messages and
/// membership. Every member is thread-safe.
/// </summary>
/// <remarks>
/// One lock guards all stores: local writes and received messages are applied one at a time, and messages leave in
/// the order their versions were made. Change events run after the lock is released.
/// </remarks>
public sealed partial class SyncEngine : IDisposable
{
    /// <summary>How many store ids <see cref="AnnouncedStores"/> keeps: a bound, so a peer naming ever new stores cannot grow it.</summary>
    public const int MaxAnnouncedStores = 256;

    private readonly Dictionary<string, IStoreCore> _stores = new(StringComparer.Ordinal);
    private readonly ITimer _digestTimer;
    private bool _stopped;
    private bool _disposed;

    // Membership (SyncEngine.Membership.cs). Connected devices and the incarnation the mesh reported for each.
    private readonly Dictionary<string, ulong> _devices = new(StringComparer.Ordinal);

    // Devices declared gone: messages of their incarnation up to Incarnation are refused until the tombstone expires.
    private readonly Dictionary<string, Tombstone> _tombstones = new(StringComparer.Ordinal);

    // Store ids other devices' digests and slices named (at most MaxAnnouncedStores), for tools that know no slice type.
    private readonly HashSet<string> _announced = new(StringComparer.Ordinal);

    /// <summary>Creates the engine of one device and starts its digest timer.</summary>
    /// <param name="localDeviceId">This device's id, as other devices see it in <c>from</c>.</param>
    /// <param name="incarnation">This run of the device; larger than any earlier run's (the node's boot counter).</param>
    /// <param name="output">Where messages go: the mesh.</param>
    /// <param name="time">The clock of the digest, coalescing and tombstone timers.</param>
    /// <param name="options">Timings, limits and the state directory.</param>
    /// <param name="logger">Where drops, rejections and failures are logged.</param>
    /// <param name="metrics">The instruments of the node's <c>Truffle</c> meter (the process-wide ones when null).</param>
    internal SyncEngine(string localDeviceId, ulong incarnation, ISyncOutput output, TimeProvider time, SyncOptions options, ILogger logger, TruffleMetrics? metrics = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(localDeviceId);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.DigestInterval, TimeSpan.Zero);
        LocalDeviceId = localDeviceId;
        Metrics = metrics ?? TruffleMetrics.Shared;
        Incarnation = incarnation;
        Output = output;
        Time = time;
        Options = options;
        Logger = logger;
        _digestTimer = time.CreateTimer(static state => ((SyncEngine)state!).OnDigestTimer(), this, options.DigestInterval, options.DigestInterval);
        SyncLog.Started(logger, localDeviceId, incarnation);
    }

    /// <summary>This device's id.</summary>
    public string LocalDeviceId { get; }

    /// <summary>This run's incarnation: the first half of every version this device gives its slices.</summary>
    public ulong Incarnation { get; }

    /// <summary>The lock that guards every store's state.</summary>
    internal Lock Gate { get; } = new();

    /// <summary>Where messages go.</summary>
    internal ISyncOutput Output { get; }

    /// <summary>The clock.</summary>
    internal TimeProvider Time { get; }

    /// <summary>Timings and limits.</summary>
    internal SyncOptions Options { get; }

    /// <summary>The logger.</summary>
    internal ILogger Logger { get; }

    /// <summary>The instruments of the node's <c>Truffle</c> meter.</summary>
    internal TruffleMetrics Metrics { get; }

    /// <summary>True once stopped or disposed: nothing is sent or applied any more. Read under <see cref="Gate"/>.</summary>
    internal bool IsStopped => _stopped;

    /// <summary>
    /// The store of <typeparamref name="T"/> (store id <c>T.StoreId</c>), created on first use. A new store loads the
    /// local slice saved in <see cref="SyncOptions.StateDirectory"/>, if any, and broadcasts it; it also asks every
    /// connected device for its slice.
    /// </summary>
    /// <typeparam name="T">The slice type: a <c>[SyncedSlice]</c> partial record or class (a reference type, so that
    /// null can mean "no slice").</typeparam>
    /// <exception cref="InvalidOperationException">Another slice type already uses the same store id.</exception>
    public SyncedStore<T> Store<T>()
        where T : class, ISyncedSlice<T>
    {
        var notes = new Notifications();
        SyncedStore<T> created;
        lock (Gate)
        {
            if (_stores.TryGetValue(T.StoreId, out IStoreCore? existing))
            {
                return existing as SyncedStore<T> ?? throw new InvalidOperationException(
                    $"The store id '{T.StoreId}' is already opened as {Describe(existing)}, not as {typeof(T).Name}.");
            }

            created = new SyncedStore<T>(this);
            _stores.Add(T.StoreId, created);
            created.Open(_devices.Keys, notes);
        }

        notes.Run();
        return created;
    }

    /// <summary>
    /// The store <paramref name="storeId"/> watched without its slice type, created on first use: read-only replicas
    /// of the other devices' slices as MessagePack maps (for tools such as <c>truffle watch --store</c>). Opening it
    /// asks every connected device for its slice. This device owns no slice of it.
    /// </summary>
    /// <param name="storeId">The store id, as a slice type's <c>[SyncedSlice("id")]</c> names it.</param>
    /// <exception cref="InvalidOperationException">The store id is already opened typed, with <see cref="Store{T}"/>.</exception>
    public RawSyncedStore RawStore(string storeId)
    {
        ArgumentException.ThrowIfNullOrEmpty(storeId);
        lock (Gate)
        {
            if (_stores.TryGetValue(storeId, out IStoreCore? existing))
            {
                return existing as RawSyncedStore ?? throw new InvalidOperationException(
                    $"The store id '{storeId}' is already opened as {Describe(existing)}; read it through that store.");
            }

            var created = new RawSyncedStore(this, storeId);
            _stores.Add(storeId, created);
            created.Open(_devices.Keys);
            return created;
        }
    }

    private static string Describe(IStoreCore store) => store is RawSyncedStore ? "a raw store (RawStore)" : "a typed store (Store<T>)";

    /// <summary>
    /// Handles one message from <paramref name="from"/>, the authenticated sender. Thread-safe; never throws: bad
    /// input is counted (<c>truffle.sync.rejected</c>) and logged.
    /// </summary>
    internal void Receive(string from, ReadOnlyMemory<byte> message)
    {
        if (!SyncMessageCodec.TryRead(message, out SyncMessage? decoded))
        {
            Metrics.Sync.Reject(RejectReason.Malformed, string.Empty);
            SyncLog.Malformed(Logger, from, message.Length);
            return;
        }

        var notes = new Notifications();
        lock (Gate)
        {
            if (_stopped || from == LocalDeviceId)
            {
                return;
            }

            try
            {
                Dispatch(from, decoded!, notes);
            }
#pragma warning disable CA1031 // Receive is the mesh's read loop: nothing a peer sends may take it down.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Metrics.Sync.Reject(RejectReason.Malformed, string.Empty);
                SyncLog.ReceiveFailed(Logger, from, e);
            }
        }

        notes.Run();
    }

    /// <summary>Flushes pending local changes, broadcasts a goodbye and stops, so peers drop this device's slices at once.</summary>
    internal ValueTask StopAsync()
    {
        var notes = new Notifications();
        lock (Gate)
        {
            if (_stopped)
            {
                return ValueTask.CompletedTask;
            }

            foreach (IStoreCore store in _stores.Values)
            {
                store.Flush(notes);
            }

            Broadcast(new GoodbyeMessage(LocalDeviceId, Incarnation));
        }

        notes.Run();
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Stops the timers and ends every <c>ChangesAsync</c> reader; sends nothing (see <c>StopAsync</c>).</summary>
    public void Dispose()
    {
        lock (Gate)
        {
            if (_disposed)
            {
                return;
            }

            _stopped = true;
            _disposed = true;
            foreach (IStoreCore store in _stores.Values)
            {
                store.Stop();
            }
        }

        _digestTimer.Dispose();
    }

    /// <summary>Broadcasts <paramref name="message"/> unless stopped. Call under <see cref="Gate"/>.</summary>
    internal void Broadcast(SyncMessage message)
    {
        if (!_stopped)
        {
            Output.Broadcast(SyncMessageCodec.Encode(message));
        }
    }

    /// <summary>Sends <paramref name="message"/> to one device unless stopped. Call under <see cref="Gate"/>.</summary>
    internal void Send(string deviceId, SyncMessage message)
    {
        if (!_stopped)
        {
            Output.Send(deviceId, SyncMessageCodec.Encode(message));
        }
    }

    private void Dispatch(string from, SyncMessage message, Notifications notes)
    {
        switch (message)
        {
            case DeltaMessage delta when Admit("delta", from, delta.Store, delta.Owner, delta.Incarnation) is { } store:
                store.OnDelta(delta, notes);
                break;
            case SnapshotMessage snapshot when Admit("snapshot", from, snapshot.Store, snapshot.Owner, snapshot.Incarnation) is { } store:
                store.OnSnapshot(snapshot, notes);
                break;
            case DigestMessage digest:
                OnDigest(from, digest);
                break;
            case RequestMessage request when request.Owner == LocalDeviceId && _stores.TryGetValue(request.Store, out IStoreCore? store):
                store.OnRequest(from);
                break;
            case GoodbyeMessage goodbye:
                OnGoodbye(from, goodbye, notes);
                break;
        }
    }

    // The checks every slice write passes before its store sees it: owner-only, not our own, not tombstoned or stale.
    private IStoreCore? Admit(string kind, string from, string storeId, string owner, ulong incarnation)
    {
        if (owner != from)
        {
            Metrics.Sync.Reject(RejectReason.Spoofed, storeId);
            SyncLog.Spoofed(Logger, kind, storeId, owner, from);
            return null;
        }

        Announce(storeId);
        if (!_stores.TryGetValue(storeId, out IStoreCore? store))
        {
            SyncLog.UnknownStore(Logger, storeId);
            return null;
        }

        if (Blocked(owner, incarnation) is { } reason)
        {
            Metrics.Sync.Reject(reason, storeId);
            SyncLog.Tombstoned(Logger, storeId, owner, incarnation);
            return null;
        }

        return store;
    }
}
