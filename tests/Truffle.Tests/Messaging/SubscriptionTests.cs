using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Truffle.Messaging;
using Truffle.Tests.Support;
using Truffle.Wire;
using Xunit;

namespace Truffle.Tests.Messaging;

public sealed class SubscriptionTests
{
    private readonly string _ns = Test.UniqueNamespace();

    [Fact]
    public void Capacity_below_one_is_rejected()
    {
        var options = new SubscriptionOptions { Capacity = 0 };

        Assert.Throws<ArgumentOutOfRangeException>(
            () => new Subscription(_ns, null, (_, _) => ValueTask.CompletedTask, options, NullLogger.Instance));
    }

    [Fact]
    public async Task Messages_are_handled_one_at_a_time_in_queue_order()
    {
        const int Count = 200;
        var handled = new ConcurrentQueue<int>();
        var done = Test.NewSignal();
        int running = 0, maxRunning = 0;
        using var delivered = new MetricRecorder(TruffleMetrics.Shared.MessagesDelivered, _ns);
        await using var subscription = new Subscription(_ns, null, async (message, _) =>
        {
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref maxRunning, now);
            await Task.Yield();
            handled.Enqueue(Test.Sequence(message));
            Interlocked.Decrement(ref running);
            if (handled.Count == Count)
            {
                done.SetResult();
            }
        }, new SubscriptionOptions { Capacity = Count }, NullLogger.Instance);

        for (int i = 0; i < Count; i++)
        {
            Assert.True(subscription.TryEnqueue(Test.Message(_ns, i)));
        }

        await done.Task.WaitAsync(Test.Timeout);
        Assert.Equal(Enumerable.Range(0, Count), handled);
        Assert.Equal(1, Volatile.Read(ref maxRunning));
        Assert.Equal(Count, delivered.Total);
    }

    [Theory]
    [InlineData(OverflowPolicy.DropOldest, new[] { 0, 3, 4, 5 })]
    [InlineData(OverflowPolicy.DropNewest, new[] { 0, 1, 2, 5 })]
    public async Task A_full_queue_drops_by_its_policy_and_counts_each_drop(OverflowPolicy policy, int[] expected)
    {
        using var dropped = new MetricRecorder(TruffleMetrics.Shared.MessagesDropped, _ns);
        var firstStarted = Test.NewSignal();
        var release = Test.NewSignal();
        var handled = new ConcurrentQueue<int>();
        var threeHandled = Test.NewSignal();
        var sentinelHandled = Test.NewSignal();
        await using var subscription = new Subscription(_ns, null, async (message, ct) =>
        {
            int sequence = Test.Sequence(message);
            handled.Enqueue(sequence);
            if (handled.Count == 3)
            {
                threeHandled.SetResult();
            }

            if (sequence == 0)
            {
                firstStarted.SetResult();
                await release.Task.WaitAsync(ct);
            }

            if (sequence == 5)
            {
                sentinelHandled.SetResult();
            }
        }, new SubscriptionOptions { Capacity = 2, Overflow = policy }, NullLogger.Instance);

        // Message 0 occupies the handler; 1 and 2 fill the queue; 3 and 4 each cause one drop.
        subscription.TryEnqueue(Test.Message(_ns, 0));
        await firstStarted.Task.WaitAsync(Test.Timeout);
        for (int i = 1; i <= 4; i++)
        {
            subscription.TryEnqueue(Test.Message(_ns, i));
        }

        Assert.Equal(2, dropped.Total);
        Assert.Equal(2, subscription.DroppedCount);
        release.SetResult();

        // The sentinel goes in once there is room, and arrives last: nothing dropped turns up later.
        await threeHandled.Task.WaitAsync(Test.Timeout);
        subscription.TryEnqueue(Test.Message(_ns, 5));
        await sentinelHandled.Task.WaitAsync(Test.Timeout);
        Assert.Equal(expected, handled);
    }

    [Fact]
    public async Task Wait_keeps_every_message_and_asks_for_a_pause_until_the_queue_is_down_to_half()
    {
        var firstStarted = Test.NewSignal();
        var release = Test.NewSignal();
        var handled = new ConcurrentQueue<int>();
        await using var subscription = new Subscription(_ns, null, async (message, ct) =>
        {
            handled.Enqueue(Test.Sequence(message));
            if (Test.Sequence(message) == 0)
            {
                firstStarted.SetResult();
                await release.Task.WaitAsync(ct);
            }
        }, new SubscriptionOptions { Capacity = 4, Overflow = OverflowPolicy.Wait }, NullLogger.Instance);

        Assert.True(subscription.TryEnqueue(Test.Message(_ns, 0), out Task? room));
        Assert.Null(room);
        await firstStarted.Task.WaitAsync(Test.Timeout);
        for (int i = 1; i <= 3; i++)
        {
            Assert.True(subscription.TryEnqueue(Test.Message(_ns, i), out room));
            Assert.Null(room);
        }

        // Full: the message is kept all the same, and so is one more that was already on the way.
        Assert.True(subscription.TryEnqueue(Test.Message(_ns, 4), out Task? full));
        Assert.True(subscription.TryEnqueue(Test.Message(_ns, 5), out Task? stillFull));
        Assert.NotNull(full);
        Assert.Same(full, stillFull);
        Assert.False(full.IsCompleted);

        release.SetResult();
        await full.WaitAsync(Test.Timeout);
        Assert.True(handled.Count >= 3, $"resumed after {handled.Count} handled, before the queue was down to half");
        Assert.Equal(0, subscription.DroppedCount);
    }

    [Fact]
    public async Task Disposing_a_full_waiting_subscription_resumes_its_sender()
    {
        var release = Test.NewSignal();
        var subscription = new Subscription(_ns, null, async (_, ct) => await release.Task.WaitAsync(ct),
            new SubscriptionOptions { Capacity = 1, Overflow = OverflowPolicy.Wait }, NullLogger.Instance);
        subscription.TryEnqueue(Test.Message(_ns, 0), out _);
        subscription.TryEnqueue(Test.Message(_ns, 1), out Task? room);
        Assert.NotNull(room);

        await subscription.DisposeAsync();

        await room.WaitAsync(Test.Timeout);
        Assert.False(subscription.TryEnqueue(Test.Message(_ns, 2), out _));
    }

    [Fact]
    public async Task Drops_are_logged_on_the_first_drop_and_then_once_per_interval()
    {
        var log = new RecordingLogger();
        var release = Test.NewSignal();
        var firstStarted = Test.NewSignal();
        await using var subscription = new Subscription(_ns, "t", async (_, ct) =>
        {
            firstStarted.TrySetResult();
            await release.Task.WaitAsync(ct);
        }, new SubscriptionOptions { Capacity = 1 }, log);

        subscription.TryEnqueue(Test.Message(_ns, 0));
        await firstStarted.Task.WaitAsync(Test.Timeout);
        subscription.TryEnqueue(Test.Message(_ns, 1));
        for (int i = 0; i < (2 * Subscription.DropLogInterval) + 5; i++)
        {
            subscription.TryEnqueue(Test.Message(_ns, i));
        }

        release.SetResult();
        Assert.Equal((2 * Subscription.DropLogInterval) + 5, subscription.DroppedCount);
        var warnings = log.Entries.Where(e => e.EventId == 100).ToList();
        Assert.Equal(3, warnings.Count);
        Assert.All(warnings, w => Assert.Equal(LogLevel.Warning, w.Level));
        Assert.Contains("1000 messages dropped", warnings[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handler_exception_is_counted_and_logged_and_the_pump_goes_on()
    {
        var log = new RecordingLogger();
        using var handlerErrors = new MetricRecorder(TruffleMetrics.Shared.HandlerErrors, _ns);
        using var decodeErrors = new MetricRecorder(TruffleMetrics.Shared.DecodeErrors, _ns);
        var secondHandled = Test.NewSignal();
        await using var subscription = new Subscription(_ns, null, (message, _) =>
        {
            return Test.Sequence(message) switch
            {
                0 => throw new InvalidOperationException("boom"),
                1 => ValueTask.FromException(new TruffleSerializationException("bad bytes")),
                _ => Complete(secondHandled),
            };
        }, null, log);

        for (int i = 0; i < 3; i++)
        {
            subscription.TryEnqueue(Test.Message(_ns, i));
        }

        await secondHandled.Task.WaitAsync(Test.Timeout);
        Assert.Equal(1, handlerErrors.Total);
        Assert.Equal(1, decodeErrors.Total);
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Error && e.Exception is InvalidOperationException);
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Warning && e.Exception is TruffleSerializationException);
    }

    [Fact]
    public async Task Dispose_cancels_the_running_handler_and_discards_queued_messages()
    {
        using var handlerErrors = new MetricRecorder(TruffleMetrics.Shared.HandlerErrors, _ns);
        var started = Test.NewSignal();
        var cancelled = Test.NewSignal();
        var handled = new ConcurrentQueue<int>();
        var subscription = new Subscription(_ns, null, async (message, ct) =>
        {
            handled.Enqueue(Test.Sequence(message));
            started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                cancelled.SetResult();
                throw;
            }
        }, null, NullLogger.Instance);

        subscription.TryEnqueue(Test.Message(_ns, 0));
        await started.Task.WaitAsync(Test.Timeout);
        subscription.TryEnqueue(Test.Message(_ns, 1));
        subscription.TryEnqueue(Test.Message(_ns, 2));

        subscription.Dispose();
        await cancelled.Task.WaitAsync(Test.Timeout);
        await subscription.DisposeAsync().AsTask().WaitAsync(Test.Timeout);

        Assert.Equal([0], handled);
        Assert.Equal(0, handlerErrors.Total);
        Assert.True(subscription.IsDisposed);
    }

    [Fact]
    public async Task Dispose_is_idempotent_and_refuses_later_messages()
    {
        var subscription = new Subscription(_ns, null, (_, _) => ValueTask.CompletedTask, null, NullLogger.Instance);

        subscription.Dispose();
        subscription.Dispose();
        await subscription.DisposeAsync().AsTask().WaitAsync(Test.Timeout);

        Assert.False(subscription.TryEnqueue(Test.Message(_ns, 0)));
        Assert.Equal(0, subscription.DroppedCount);
    }

    [Theory]
    [InlineData(null, "a", true)]
    [InlineData(null, "b", true)]
    [InlineData("a", "a", true)]
    [InlineData("a", "b", false)]
    public void Matches_its_namespace_and_its_type_or_any_type(string? subscribedType, string messageType, bool expected)
    {
        using var subscription = new Subscription(_ns, subscribedType, (_, _) => ValueTask.CompletedTask, null, NullLogger.Instance);

        Assert.Equal(expected, subscription.Matches(_ns, messageType));
        Assert.False(subscription.Matches(_ns + "x", messageType));
    }

    private static ValueTask Complete(TaskCompletionSource signal)
    {
        signal.SetResult();
        return ValueTask.CompletedTask;
    }

    private static void InterlockedMax(ref int location, int value)
    {
        int current;
        while ((current = Volatile.Read(ref location)) < value && Interlocked.CompareExchange(ref location, value, current) != current)
        {
        }
    }
}
