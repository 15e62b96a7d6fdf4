using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Truffle.Messaging;
using Truffle.Tests.Support;
using Truffle.Wire;
using Xunit;

namespace Truffle.Tests.Messaging;

public sealed class FairQueueTests
{
    private readonly string _ns = Test.UniqueNamespace();

    [Theory]
    [InlineData(OverflowPolicy.DropOldest)]
    [InlineData(OverflowPolicy.DropNewest)]
    public async Task One_senders_flood_does_not_push_another_senders_messages_out_of_a_subscription(OverflowPolicy policy)
    {
        const int Capacity = 16, Flood = 1000, Quiet = 5;
        using var dropped = new MetricRecorder(TruffleMetrics.Shared.MessagesDropped, _ns);
        var firstStarted = Test.NewSignal();
        var release = Test.NewSignal();
        var handled = new ConcurrentQueue<(string From, int Sequence)>();
        var allQuietHandled = Test.NewSignal();
        int quietHandled = 0;
        await using var subscription = new Subscription(_ns, null, async (message, ct) =>
        {
            handled.Enqueue((message.From, Test.Sequence(message)));
            if (message.From == "quiet" && Interlocked.Increment(ref quietHandled) == Quiet)
            {
                allQuietHandled.SetResult();
            }

            if (handled.Count == 1)
            {
                firstStarted.SetResult();
                await release.Task.WaitAsync(ct);
            }
        }, new SubscriptionOptions { Capacity = Capacity, Overflow = policy }, NullLogger.Instance);

        // The handler holds the first message; the quiet sender's messages are spread through the flood.
        subscription.TryEnqueue(Test.Message(_ns, -1, from: "flood"));
        await firstStarted.Task.WaitAsync(Test.Timeout);
        for (int i = 0; i < Flood; i++)
        {
            subscription.TryEnqueue(Test.Message(_ns, i, from: "flood"));
            if (i % (Flood / Quiet) == 0)
            {
                subscription.TryEnqueue(Test.Message(_ns, i / (Flood / Quiet), from: "quiet"));
            }
        }

        Assert.Equal(Flood - (Capacity - Quiet), dropped.Total);
        release.SetResult();
        await allQuietHandled.Task.WaitAsync(Test.Timeout);

        Assert.Equal(Enumerable.Range(0, Quiet), handled.Where(m => m.From == "quiet").Select(m => m.Sequence));
        int[] flood = [.. handled.Where(m => m.From == "flood").Select(m => m.Sequence)];
        Assert.Equal(flood.Order(), flood);
    }

    [Fact]
    public void Items_leave_in_arrival_order_whoever_sent_them()
    {
        var queue = new FairQueue<(string From, int N)>(8, BoundedChannelFullMode.DropOldest, static item => item.From);
        (string, int)[] arrivals = [("a", 0), ("b", 1), ("a", 2), ("c", 3), ("b", 4), ("a", 5)];
        foreach ((string, int) item in arrivals)
        {
            Assert.True(queue.TryAdd(item, out bool hasDropped, out _));
            Assert.False(hasDropped);
        }

        var taken = new List<(string, int)>();
        while (queue.TryTake(out (string, int) item))
        {
            taken.Add(item);
        }

        Assert.Equal(arrivals, taken);
    }

    [Fact]
    public void A_full_refusing_queue_refuses_the_heaviest_sender_and_evicts_its_newest_for_another()
    {
        var queue = new FairQueue<(string From, int N)>(4, BoundedChannelFullMode.Wait, static item => item.From);
        for (int i = 0; i < 4; i++)
        {
            Assert.True(queue.TryAdd(("flood", i), out _, out _));
        }

        // The flooder holds everything: its next request is refused; another sender's gets in at its expense.
        Assert.False(queue.TryAdd(("flood", 4), out bool refusedDropped, out _));
        Assert.False(refusedDropped);
        Assert.True(queue.TryAdd(("other", 0), out bool hasDropped, out (string From, int N) evicted));
        Assert.True(hasDropped);
        Assert.Equal(("flood", 3), evicted);

        var taken = new List<(string, int)>();
        while (queue.TryTake(out (string, int) item))
        {
            taken.Add(item);
        }

        Assert.Equal([("flood", 0), ("flood", 1), ("flood", 2), ("other", 0)], taken);
    }
}
