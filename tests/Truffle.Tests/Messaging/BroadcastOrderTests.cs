using Truffle.Tests.Support;
using Xunit;

namespace Truffle.Tests.Messaging;

public sealed class BroadcastOrderTests
{
    private const int PerSender = 2000;

    /// <summary>
    /// Three devices broadcast at once; every device (the senders and three that only listen) records what it
    /// receives. The listeners make the check sharper: they see all three senders, so any two of them would
    /// disagree if one broadcast could overtake another while being queued.
    /// </summary>
    [Fact]
    public async Task All_devices_see_concurrent_broadcasts_in_one_global_order()
    {
        string ns = Test.UniqueNamespace();
        var network = new InProcessNetwork();
        string[] senders = ["a", "b", "c"];
        string[] ids = [.. senders, "x", "y", "z"];
        MessageBus[] buses = ids.Select(network.Connect).ToArray();
        var received = ids.Select(_ => new List<(string From, int Sequence)>()).ToArray();
        var allReceived = ids.Select(_ => Test.NewSignal()).ToArray();
        var options = new SubscriptionOptions { Capacity = senders.Length * PerSender };
        for (int i = 0; i < ids.Length; i++)
        {
            int device = i;
            int expected = senders.Count(s => s != ids[device]) * PerSender;
            buses[i].Subscribe(ns, null, (message, _) =>
            {
                // One subscription's handler is never concurrent, so the list needs no lock.
                received[device].Add((message.From, Test.Sequence(message)));
                if (received[device].Count == expected)
                {
                    allReceived[device].SetResult();
                }

                return ValueTask.CompletedTask;
            }, options);
        }

        using var start = new Barrier(senders.Length);
        Task[] sending = buses.Take(senders.Length).Select(bus => Task.Factory.StartNew(
            async () =>
            {
                // Dedicated threads released together, so the senders really broadcast at the same time.
                Assert.True(start.SignalAndWait(Test.Timeout));
                for (int n = 0; n < PerSender; n++)
                {
                    await bus.BroadcastAsync(ns, "n", BitConverter.GetBytes(n));
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).Unwrap()).ToArray();
        await Task.WhenAll(sending).WaitAsync(Test.Timeout);
        await Task.WhenAll(allReceived.Select(s => s.Task)).WaitAsync(Test.Timeout);

        for (int i = 0; i < ids.Length; i++)
        {
            Assert.DoesNotContain(received[i], m => m.From == ids[i]);
            foreach (string sender in senders.Where(s => s != ids[i]))
            {
                Assert.Equal(Enumerable.Range(0, PerSender), received[i].Where(m => m.From == sender).Select(m => m.Sequence));
            }
        }

        Assert.True(HaveOneCommonOrder(received), "The devices saw the broadcasts in orders no single global order explains.");
        await Task.WhenAll(buses.Select(bus => bus.DisposeAsync().AsTask()));
    }

    /// <summary>
    /// Whether one total order of all messages contains every sequence as a subsequence: the "came before" edges
    /// taken from all sequences together must have no cycle (Kahn's topological sort consumes every node).
    /// </summary>
    private static bool HaveOneCommonOrder<T>(IEnumerable<List<T>> sequences)
        where T : notnull
    {
        var successors = new Dictionary<T, HashSet<T>>();
        var incoming = new Dictionary<T, int>();
        foreach (List<T> sequence in sequences)
        {
            for (int i = 0; i < sequence.Count; i++)
            {
                incoming.TryAdd(sequence[i], 0);
                successors.TryAdd(sequence[i], []);
                if (i > 0 && successors[sequence[i - 1]].Add(sequence[i]))
                {
                    incoming[sequence[i]]++;
                }
            }
        }

        var ready = new Queue<T>(incoming.Where(kv => kv.Value == 0).Select(kv => kv.Key));
        int sorted = 0;
        while (ready.TryDequeue(out T? node))
        {
            sorted++;
            foreach (T next in successors[node])
            {
                if (--incoming[next] == 0)
                {
                    ready.Enqueue(next);
                }
            }
        }

        return sorted == incoming.Count;
    }
}
