using System.Diagnostics.Metrics;

namespace Truffle.Wire;

/// <summary>The one <c>Truffle</c> meter and the instruments every layer reports to.</summary>
internal static class TruffleMetrics
{
    public const string MeterName = "Truffle";

    public static readonly Meter Meter = new(MeterName, typeof(TruffleMetrics).Assembly.GetName().Version?.ToString());

    /// <summary>Messages dropped by a full subscription queue (tag <c>namespace</c>).</summary>
    public static readonly Counter<long> MessagesDropped =
        Meter.CreateCounter<long>("truffle.messages.dropped", "{message}", "Messages dropped by a full subscription queue.");

    /// <summary>
    /// Times a full subscription with <see cref="OverflowPolicy.Wait"/> paused whoever delivered to it (tag
    /// <c>namespace</c>): backpressure instead of drops.
    /// </summary>
    public static readonly Counter<long> MessagesWaited =
        Meter.CreateCounter<long>("truffle.messages.waited", "{pause}", "Times a full waiting subscription paused its sender.");

    /// <summary>Messages delivered to subscribers.</summary>
    public static readonly Counter<long> MessagesDelivered =
        Meter.CreateCounter<long>("truffle.messages.delivered", "{message}", "Messages delivered to subscribers.");

    /// <summary>Handler invocations that threw.</summary>
    public static readonly Counter<long> HandlerErrors =
        Meter.CreateCounter<long>("truffle.handler.errors", "{error}", "Message or request handlers that threw.");

    /// <summary>Payloads that could not be deserialized into the subscribed type.</summary>
    public static readonly Counter<long> DecodeErrors =
        Meter.CreateCounter<long>("truffle.decode.errors", "{error}", "Payloads that failed to deserialize.");

    /// <summary>
    /// Messages and requests received whose type no generated assembly of this process declares (tags
    /// <c>namespace</c>, <c>type</c>): usually a device on another version of the app (docs/schema-evolution.md).
    /// </summary>
    public static readonly Counter<long> UnknownMessages =
        Meter.CreateCounter<long>("truffle.messages.unknown", "{message}", "Messages received whose type this build does not declare.");

    /// <summary>Bridge connections closed because their header or session token was wrong (tags <c>reason</c>, <c>port</c>).</summary>
    public static readonly Counter<long> BridgeRejected =
        Meter.CreateCounter<long>("truffle.bridge.rejected", "{connection}", "Bridge connections dropped for a bad header or session token.");

    /// <summary>Sidecar processes started again after the sidecar exited unexpectedly (one per attempt).</summary>
    public static readonly Counter<long> SidecarRestarts =
        Meter.CreateCounter<long>("truffle.sidecar.restarts", "{restart}", "Sidecar restart attempts after an unexpected exit.");

    /// <summary>Sidecar stdout lines dropped because they broke the control protocol (tag <c>reason</c>: <c>too_large</c>, <c>malformed</c>).</summary>
    public static readonly Counter<long> SidecarProtocolErrors =
        Meter.CreateCounter<long>("truffle.sidecar.protocol_errors", "{line}", "Sidecar output lines that broke the control protocol.");

    /// <summary>Connections closed for breaking the node-to-node protocol (tag <c>reason</c>: <c>message_too_big</c>, <c>text_message</c>, <c>malformed</c>).</summary>
    public static readonly Counter<long> TransportProtocolErrors =
        Meter.CreateCounter<long>("truffle.transport.protocol_errors", "{connection}", "Node connections closed for breaking the wire protocol.");

    /// <summary>Envelopes dropped by the transport (tag <c>reason</c>: why the envelope was invalid or not sent).</summary>
    public static readonly Counter<long> EnvelopesDropped =
        Meter.CreateCounter<long>("truffle.transport.envelopes.dropped", "{envelope}", "Envelopes received invalid or refused for sending.");

    /// <summary>Handshakes that ended in a rejection, by either side (tag <c>code</c>: the close code).</summary>
    public static readonly Counter<long> HandshakeRejected =
        Meter.CreateCounter<long>("truffle.transport.handshake.rejected", "{connection}", "Node connections refused during the upgrade or hello exchange.");

    /// <summary>Connections this node cut for breaking a resource bound (tag <c>reason</c>: slow_consumer, keepalive_timeout).</summary>
    public static readonly Counter<long> TransportDisconnects =
        Meter.CreateCounter<long>("truffle.transport.disconnects", "{connection}", "Node connections cut for a slow consumer or a keep-alive timeout.");

    /// <summary>Failed attempts to open an outgoing node connection.</summary>
    public static readonly Counter<long> ConnectFailures =
        Meter.CreateCounter<long>("truffle.transport.connect.failures", "{attempt}", "Outgoing node connection attempts that failed.");

    /// <summary>Replies a request handler produced that could not be sent: the caller became unreachable (tag <c>namespace</c>).</summary>
    public static readonly Counter<long> RepliesLost =
        Meter.CreateCounter<long>("truffle.replies.lost", "{reply}", "Replies that could not be sent because the caller was unreachable.");

    /// <summary>Requests refused at once because their handler's queue was full (tag <c>namespace</c>).</summary>
    public static readonly Counter<long> RequestsRefused =
        Meter.CreateCounter<long>("truffle.requests.refused", "{request}", "Requests refused because the handler's queue was full.");

    /// <summary>Requests whose requester's timeout passed before or while their handler ran: no reply is sent (tag <c>namespace</c>).</summary>
    public static readonly Counter<long> RequestsExpired =
        Meter.CreateCounter<long>("truffle.requests.expired", "{request}", "Requests whose timeout passed before their handler answered.");

    /// <summary>
    /// Unexpected exceptions the runtime caught, logged and survived (tag <c>where</c>: <c>accept</c>,
    /// <c>connector</c>, <c>election_output</c>, <c>sync_timer</c>, <c>sidecar_exit</c>, <c>sidecar_supervision</c>,
    /// <c>sidecar_relisten</c>, <c>bridge_accept</c>, <c>reply</c>, <c>relist</c>): each is a bug or an environment problem to look at.
    /// </summary>
    public static readonly Counter<long> InternalErrors =
        Meter.CreateCounter<long>("truffle.internal.errors", "{error}", "Unexpected exceptions caught and survived by the runtime.");

    /// <summary>Counts one <see cref="InternalErrors"/> at <paramref name="where"/>.</summary>
    public static void InternalError(string where) => InternalErrors.Add(1, new KeyValuePair<string, object?>("where", where));

    /// <summary>Exceptions thrown by a connection handler (the mesh) while handling an envelope.</summary>
    public static readonly Counter<long> TransportHandlerErrors =
        Meter.CreateCounter<long>("truffle.transport.handler.errors", "{error}", "Connection handlers that threw while handling an envelope.");
}
