using System.Diagnostics;

namespace Truffle.Wire;

/// <summary>
/// The one <c>Truffle</c> activity source and the spans every layer starts: <c>truffle.send</c>,
/// <c>truffle.request</c> (the sender), <c>truffle.relay</c> (a primary forwarding), <c>truffle.deliver</c> (the
/// receiver) and <c>truffle.handler</c> (a subscription or request handler running). Without a listener every start
/// returns null before allocating anything.
/// </summary>
internal static class TruffleTracing
{
    public const string SourceName = "Truffle";

    public static readonly ActivitySource Source = new(SourceName, typeof(TruffleTracing).Assembly.GetName().Version?.ToString());

    /// <summary>A message sent to one device (<paramref name="to"/>) or, when it is empty, to all.</summary>
    public static Activity? StartSend(string messageNamespace, string messageType, string to) =>
        Tag(Source.StartActivity("truffle.send", ActivityKind.Producer), messageNamespace, messageType, to);

    /// <summary>A request to <paramref name="to"/>, from sending it until its reply, error or timeout.</summary>
    public static Activity? StartRequest(string messageNamespace, string messageType, string to) =>
        Tag(Source.StartActivity("truffle.request", ActivityKind.Client), messageNamespace, messageType, to);

    /// <summary>A primary forwarding a route envelope; a child of the sender's span.</summary>
    public static Activity? StartRelay(in Envelope envelope) => Source.HasListeners()
        ? Tag(Source.StartActivity("truffle.relay", ActivityKind.Internal, envelope.Trace.ToActivityContext()), envelope)
        : null;

    /// <summary>An envelope handed to the bus of its receiver; a child of the sender's (or relay's) span.</summary>
    public static Activity? StartDeliver(in Envelope envelope) => Source.HasListeners()
        ? Tag(Source.StartActivity("truffle.deliver", ActivityKind.Consumer, envelope.Trace.ToActivityContext()), envelope)
        : null;

    /// <summary>A handler running for <paramref name="message"/>; a child of its delivery.</summary>
    public static Activity? StartHandler(in InboundMessage message, ActivityKind kind) => Source.HasListeners()
        ? Tag(Source.StartActivity("truffle.handler", kind, message.Trace), message.Namespace, message.Type, message.From)
        : null;

    /// <summary>Marks <paramref name="activity"/> failed with <paramref name="error"/>.</summary>
    public static void Fail(Activity? activity, Exception error)
    {
        if (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, error.Message);
            activity.SetTag("error.type", error.GetType().FullName);
        }
    }

    private static Activity? Tag(Activity? activity, in Envelope envelope)
    {
        activity?.SetTag("truffle.from", envelope.From);
        return Tag(activity, envelope.Namespace, envelope.Type, envelope.To);
    }

    private static Activity? Tag(Activity? activity, string messageNamespace, string messageType, string peer)
    {
        if (activity is not null)
        {
            activity.SetTag("messaging.system", "truffle");
            activity.SetTag("messaging.destination.name", messageNamespace);
            activity.SetTag("truffle.type", messageType);
            activity.SetTag("truffle.peer", peer.Length == 0 ? "*" : peer);
        }

        return activity;
    }
}
