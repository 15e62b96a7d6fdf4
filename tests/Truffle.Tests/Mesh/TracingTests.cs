using System.Collections.Concurrent;
using System.Diagnostics;
using Truffle.Tests.Sidecar;
using Truffle.Tests.Support;
using Xunit;

namespace Truffle.Tests.Mesh;

/// <summary>The <c>Truffle</c> activity source across real nodes: the trace context travels in the envelope.</summary>
[Collection(RealSidecar.Name)]
public sealed class TracingTests(SidecarBinary sidecar)
{
    [Fact]
    public async Task A_request_between_two_devices_is_one_trace_from_request_through_delivery_to_handler()
    {
        await using var mesh = new LoopbackMesh(sidecar);
        TruffleNode caller = await mesh.StartAsync("caller");
        TruffleNode responder = await mesh.StartAsync("responder");
        await mesh.OnePrimaryAsync();

        Span[] chain = await TraceRequestAsync(caller, responder);

        Assert.Equal(["truffle.request", "truffle.deliver", "truffle.handler"], chain.Select(s => s.Name));
        Assert.Equal([ActivityKind.Client, ActivityKind.Consumer, ActivityKind.Server], chain.Select(s => s.Kind));
        Assert.Equal(caller.DeviceId, chain[1].Tags["truffle.from"]);
        Assert.Equal(caller.DeviceId, chain[2].Tags["truffle.peer"]);
    }

    [Fact]
    public async Task A_request_between_two_secondaries_has_the_primary_relay_in_its_trace()
    {
        await using var mesh = new LoopbackMesh(sidecar);
        await mesh.StartAsync("a");
        await mesh.StartAsync("b");
        await mesh.StartAsync("c");
        TruffleNode primary = await mesh.OnePrimaryAsync();
        TruffleNode[] secondaries = [.. mesh.Nodes.Where(n => n != primary)];

        Span[] chain = await TraceRequestAsync(secondaries[0], secondaries[1]);

        Assert.Equal(["truffle.request", "truffle.relay", "truffle.deliver", "truffle.handler"], chain.Select(s => s.Name));
        Assert.Equal(secondaries[1].DeviceId, chain[1].Tags["truffle.peer"]);
    }

    /// <summary>
    /// Sends one request inside a test activity and returns the spans from the request to the responder's handler,
    /// each checked to be the parent of the next and all in the test's trace.
    /// </summary>
    private static async Task<Span[]> TraceRequestAsync(TruffleNode caller, TruffleNode responder)
    {
        string ns = Test.UniqueNamespace();
        var spans = new ConcurrentQueue<Span>();
        var handled = Test.NewSignal();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Truffle",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("messaging.destination.name") as string != ns)
                {
                    return; // another test's traffic
                }

                spans.Enqueue(new Span(activity));
                if (activity.OperationName == "truffle.handler")
                {
                    handled.TrySetResult();
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using IDisposable handler = responder.Bus.Handle(ns, "echo", (message, _) => ValueTask.FromResult<ReadOnlyMemory<byte>>(message.Payload.ToArray()));

        using var test = new Activity("test").SetIdFormat(ActivityIdFormat.W3C).Start();
        ReadOnlyMemory<byte> reply = await caller.Bus.RequestAsync(responder.DeviceId, ns, "echo", new byte[] { 0xC3 }, Test.Timeout);
        test.Stop();
        await handled.Task.WaitAsync(Test.Timeout);

        Assert.Equal(new byte[] { 0xC3 }, reply.ToArray());
        Span[] ours = [.. spans.Where(s => s.TraceId == test.TraceId)];
        Assert.Equal(spans.Count, ours.Length);
        var chain = new List<Span> { ours.Single(s => s.Name == "truffle.request") };
        Assert.Equal(test.SpanId, chain[0].ParentSpanId);
        while (chain[^1].Name != "truffle.handler")
        {
            // The reply's delivery back on the caller is also in the trace; the chain follows the request.
            Span next = ours.Single(s => s.ParentSpanId == chain[^1].SpanId
                && (s.Tags.GetValueOrDefault("truffle.from") is null || s.Tags.GetValueOrDefault("truffle.from") == caller.DeviceId));
            chain.Add(next);
        }

        return [.. chain];
    }

    /// <summary>What a test reads of a stopped activity (the activity object itself may be reused).</summary>
    private sealed record Span(string Name, ActivityKind Kind, ActivityTraceId TraceId, ActivitySpanId SpanId, ActivitySpanId ParentSpanId, Dictionary<string, string?> Tags)
    {
        public Span(Activity activity)
            : this(activity.OperationName, activity.Kind, activity.TraceId, activity.SpanId, activity.ParentSpanId, activity.Tags.ToDictionary(t => t.Key, t => t.Value))
        {
        }
    }
}
