using Truffle.Tests.Support;
using Truffle.Wire;
using Xunit;

namespace Truffle.Tests.Messaging;

/// <summary>
/// <see cref="OverflowPolicy.Wait"/>: a full subscription pauses whoever delivers to it instead of dropping, on an
/// in-process hub and through real sidecars; the drop policies are unchanged under the same flood.
/// </summary>
[Collection(BusEndpoints.Name)]
public sealed class WaitPolicyTests(SharedMesh mesh)
{
    private const int Capacity = 16;

    // A sender that stalls for good (a lost resume) fails the test instead of hanging it.
    private static readonly TimeSpan s_sendDeadline = TimeSpan.FromMinutes(2);

    private readonly string _ns = Test.UniqueNamespace();

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task Wait_loses_nothing_between_a_fast_sender_and_a_slow_handler(Endpoint endpoint)
    {
        const int Count = 200_000;
        await using Devices d = mesh.Open(endpoint);
        using var waited = new MetricRecorder(TruffleMetrics.Shared.MessagesWaited, _ns);
        using var dropped = new MetricRecorder(TruffleMetrics.Shared.MessagesDropped, _ns);
        int handled = 0, outOfOrder = 0;
        TaskCompletionSource all = Test.NewSignal();
        using var subscription = d.B.Subscribe(_ns, null, async (message, _) =>
        {
            // Slower than the read loop that queues whole batches at once: the queue of 16 fills at the first batch.
            await Task.Yield();
            if (BitConverter.ToInt32(message.Payload.Span) != handled)
            {
                outOfOrder++;
            }

            if (++handled == Count)
            {
                all.SetResult();
            }
        }, new SubscriptionOptions { Capacity = Capacity, Overflow = OverflowPolicy.Wait });

        using var deadline = new CancellationTokenSource(s_sendDeadline);
        byte[] payload = new byte[4];
        for (int i = 0; i < Count; i++)
        {
            BitConverter.TryWriteBytes(payload, i);
            await d.A.SendAsync(d.B.LocalDeviceId, _ns, "n", payload, deadline.Token);
        }

        await all.Task.WaitAsync(Test.Timeout);
        Assert.Equal(Count, Volatile.Read(ref handled));
        Assert.Equal(0, Volatile.Read(ref outOfOrder));
        Assert.Equal(0, dropped.Total);
        Assert.True(waited.Total > 0, "the queue never filled, so Wait was not exercised");
    }

    [Theory]
    [InlineData(Endpoint.InProcess)]
    [InlineData(Endpoint.Mesh)]
    public async Task The_default_policy_still_drops_the_oldest_under_the_same_flood(Endpoint endpoint)
    {
        const int Count = 20_000;
        await using Devices d = mesh.Open(endpoint);
        using var dropped = new MetricRecorder(TruffleMetrics.Shared.MessagesDropped, _ns);
        using var waited = new MetricRecorder(TruffleMetrics.Shared.MessagesWaited, _ns);
        var handled = new List<int>();
        TaskCompletionSource first = Test.NewSignal(), release = Test.NewSignal(), last = Test.NewSignal();
        using var subscription = d.B.Subscribe(_ns, null, async (message, _) =>
        {
            int sequence = BitConverter.ToInt32(message.Payload.Span);
            handled.Add(sequence);
            if (sequence == 0)
            {
                first.SetResult();
                await release.Task;
            }
            else if (sequence == Count - 1)
            {
                last.SetResult();
            }
        }, new SubscriptionOptions { Capacity = Capacity });

        // The handler holds message 0 while the rest arrive, so what the queue keeps is exactly the newest 16.
        byte[] payload = new byte[4];
        await d.A.SendAsync(d.B.LocalDeviceId, _ns, "n", payload);
        await first.Task.WaitAsync(Test.Timeout);
        for (int i = 1; i < Count; i++)
        {
            BitConverter.TryWriteBytes(payload, i);
            await d.A.SendAsync(d.B.LocalDeviceId, _ns, "n", payload);
        }

        await dropped.WaitForAsync(Count - 1 - Capacity);
        release.SetResult();
        await last.Task.WaitAsync(Test.Timeout);

        int[] expected = [0, .. Enumerable.Range(Count - Capacity, Capacity)];
        Assert.Equal(expected, handled);
        Assert.Equal(Count - 1 - Capacity, dropped.Total);
        Assert.Equal(0, waited.Total);
    }
}
