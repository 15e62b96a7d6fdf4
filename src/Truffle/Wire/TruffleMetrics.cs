using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Truffle.Mesh;
using Truffle.Sync;
using Truffle.Transport;

namespace Truffle.Wire;

/// <summary>
/// The instruments of one <c>Truffle</c> meter, which every layer of a node reports to: the process-wide meter
/// (<see cref="Shared"/>) unless the node was given an <see cref="IMeterFactory"/> (the hosting passes the container's),
/// then the meter that factory creates, so each container observes its own nodes.
/// </summary>
internal sealed class TruffleMetrics
{
    public const string MeterName = "Truffle";

    private static readonly string? Version = typeof(TruffleMetrics).Assembly.GetName().Version?.ToString();

    // A factory hands out one meter per name and version; its instruments are created once, for every node it serves.
    private static readonly ConditionalWeakTable<Meter, TruffleMetrics> ByMeter = [];

    private TruffleMetrics(Meter meter)
    {
        Meter = meter;
        Mesh = new MeshMetrics(meter);
        Sync = new SyncMetrics(meter);
        Transport = new TransportMetrics(this);
        MessagesDropped = meter.CreateCounter<long>("truffle.messages.dropped", "{message}", "Messages dropped by a full subscription queue.");
        MessagesWaited = meter.CreateCounter<long>("truffle.messages.waited", "{pause}", "Times a full waiting subscription paused its sender.");
        MessagesDelivered = meter.CreateCounter<long>("truffle.messages.delivered", "{message}", "Messages delivered to subscribers.");
        HandlerErrors = meter.CreateCounter<long>("truffle.handler.errors", "{error}", "Message or request handlers that threw.");
        DecodeErrors = meter.CreateCounter<long>("truffle.decode.errors", "{error}", "Payloads that failed to deserialize.");
        UnknownMessages = meter.CreateCounter<long>("truffle.messages.unknown", "{message}", "Messages received whose type this build does not declare.");
        BridgeRejected = meter.CreateCounter<long>("truffle.bridge.rejected", "{connection}", "Bridge connections dropped for a bad header or session token.");
        SidecarRestarts = meter.CreateCounter<long>("truffle.sidecar.restarts", "{restart}", "Sidecar restart attempts after an unexpected exit.");
        SidecarProtocolErrors = meter.CreateCounter<long>("truffle.sidecar.protocol_errors", "{line}", "Sidecar output lines that broke the control protocol.");
        TransportProtocolErrors = meter.CreateCounter<long>("truffle.transport.protocol_errors", "{connection}", "Node connections closed for breaking the wire protocol.");
        EnvelopesDropped = meter.CreateCounter<long>("truffle.transport.envelopes.dropped", "{envelope}", "Envelopes received invalid or refused for sending.");
        HandshakeRejected = meter.CreateCounter<long>("truffle.transport.handshake.rejected", "{connection}", "Node connections refused during the upgrade or hello exchange.");
        TransportDisconnects = meter.CreateCounter<long>("truffle.transport.disconnects", "{connection}", "Node connections cut for a slow consumer or a keep-alive timeout.");
        ConnectFailures = meter.CreateCounter<long>("truffle.transport.connect.failures", "{attempt}", "Outgoing node connection attempts that failed.");
        RepliesLost = meter.CreateCounter<long>("truffle.replies.lost", "{reply}", "Replies that could not be sent because the caller was unreachable.");
        RequestsRefused = meter.CreateCounter<long>("truffle.requests.refused", "{request}", "Requests refused because the handler's queue was full.");
        RequestsExpired = meter.CreateCounter<long>("truffle.requests.expired", "{request}", "Requests whose timeout passed before their handler answered.");
        InternalErrors = meter.CreateCounter<long>("truffle.internal.errors", "{error}", "Unexpected exceptions caught and survived by the runtime.");
        TransportHandlerErrors = meter.CreateCounter<long>("truffle.transport.handler.errors", "{error}", "Connection handlers that threw while handling an envelope.");
    }

    /// <summary>The instruments of the process-wide meter: for nodes created without an <see cref="IMeterFactory"/>.</summary>
    public static TruffleMetrics Shared { get; } = ByMeter.GetValue(new Meter(MeterName, Version), static meter => new TruffleMetrics(meter));

    /// <summary>The meter the instruments belong to.</summary>
    public Meter Meter { get; }

    /// <summary>The mesh's instruments.</summary>
    public MeshMetrics Mesh { get; }

    /// <summary>State sync's instruments.</summary>
    public SyncMetrics Sync { get; }

    /// <summary>The transport's instruments, with their tags.</summary>
    public TransportMetrics Transport { get; }

    /// <summary>The instruments of <paramref name="factory"/>'s <c>Truffle</c> meter, or <see cref="Shared"/> without one.</summary>
    public static TruffleMetrics For(IMeterFactory? factory) => factory is null
        ? Shared
        : ByMeter.GetValue(factory.Create(new MeterOptions(MeterName) { Version = Version }), static meter => new TruffleMetrics(meter));

    /// <summary>Messages dropped by a full subscription queue (tag <c>namespace</c>).</summary>
    public Counter<long> MessagesDropped { get; }

    /// <summary>
    /// Times a full subscription with <see cref="OverflowPolicy.Wait"/> paused whoever delivered to it (tag
    /// <c>namespace</c>): backpressure instead of drops.
    /// </summary>
    public Counter<long> MessagesWaited { get; }

    /// <summary>Messages delivered to subscribers.</summary>
    public Counter<long> MessagesDelivered { get; }

    /// <summary>Handler invocations that threw.</summary>
    public Counter<long> HandlerErrors { get; }

    /// <summary>Payloads that could not be deserialized into the subscribed type.</summary>
    public Counter<long> DecodeErrors { get; }

    /// <summary>
    /// Messages and requests received whose type no generated assembly of this process declares (tags
    /// <c>namespace</c>, <c>type</c>): usually a device on another version of the app (docs/schema-evolution.md).
    /// </summary>
    public Counter<long> UnknownMessages { get; }

    /// <summary>Bridge connections closed because their header or session token was wrong (tags <c>reason</c>, <c>port</c>).</summary>
    public Counter<long> BridgeRejected { get; }

    /// <summary>Sidecar processes started again after the sidecar exited unexpectedly (one per attempt).</summary>
    public Counter<long> SidecarRestarts { get; }

    /// <summary>Sidecar stdout lines dropped because they broke the control protocol (tag <c>reason</c>: <c>too_large</c>, <c>malformed</c>).</summary>
    public Counter<long> SidecarProtocolErrors { get; }

    /// <summary>Connections closed for breaking the node-to-node protocol (tag <c>reason</c>: <c>message_too_big</c>, <c>text_message</c>, <c>malformed</c>).</summary>
    public Counter<long> TransportProtocolErrors { get; }

    /// <summary>Envelopes dropped by the transport (tag <c>reason</c>: why the envelope was invalid or not sent).</summary>
    public Counter<long> EnvelopesDropped { get; }

    /// <summary>Handshakes that ended in a rejection, by either side (tag <c>code</c>: the close code).</summary>
    public Counter<long> HandshakeRejected { get; }

    /// <summary>Connections this node cut for breaking a resource bound (tag <c>reason</c>: slow_consumer, keepalive_timeout).</summary>
    public Counter<long> TransportDisconnects { get; }

    /// <summary>Failed attempts to open an outgoing node connection.</summary>
    public Counter<long> ConnectFailures { get; }

    /// <summary>Replies a request handler produced that could not be sent: the caller became unreachable (tag <c>namespace</c>).</summary>
    public Counter<long> RepliesLost { get; }

    /// <summary>Requests refused at once because their handler's queue was full (tag <c>namespace</c>).</summary>
    public Counter<long> RequestsRefused { get; }

    /// <summary>Requests whose requester's timeout passed before or while their handler ran: no reply is sent (tag <c>namespace</c>).</summary>
    public Counter<long> RequestsExpired { get; }

    /// <summary>
    /// Unexpected exceptions the runtime caught, logged and survived (tag <c>where</c>: <c>accept</c>,
    /// <c>connector</c>, <c>election_output</c>, <c>sync_timer</c>, <c>sidecar_exit</c>, <c>sidecar_supervision</c>,
    /// <c>sidecar_relisten</c>, <c>bridge_accept</c>, <c>reply</c>, <c>relist</c>): each is a bug or an environment problem to look at.
    /// </summary>
    public Counter<long> InternalErrors { get; }

    /// <summary>Counts one <see cref="InternalErrors"/> at <paramref name="where"/>.</summary>
    public void InternalError(string where) => InternalErrors.Add(1, new KeyValuePair<string, object?>("where", where));

    /// <summary>Exceptions thrown by a connection handler (the mesh) while handling an envelope.</summary>
    public Counter<long> TransportHandlerErrors { get; }
}
