using Truffle.Sync;
using Truffle.Tests.Simulation;
using Truffle.Tests.Support;
using Xunit;
using Truffle.Wire;

namespace Truffle.Tests.Sync;

/// <summary>A state directory that fails never breaks a store: the failure is logged and counted, and sync goes on.</summary>
public sealed class SyncPersistenceFailureTests
{
    private const string Store = "sync-persistence-probe";
    private static readonly TimeSpan Moment = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void A_slice_that_cannot_be_saved_is_counted_and_still_reaches_the_others()
    {
        string file = Path.GetTempFileName(); // a file where the state directory's parent should be
        try
        {
            using var errors = new SyncCounter(TruffleMetrics.Shared.Sync.PersistenceErrors, Store);
            SimulatedNetwork net = SimulatedNetwork.WithDevices(4, "a", "b");
            (SimNode a, SimNode b) = (net["a"], net["b"]);
            a.SyncOptions = net.Sync with { StateDirectory = Path.Combine(file, "state") };
            b.OnStart = node => node.Store<PersistenceProbe>();
            net.StartAndSettle();

            a.Store<PersistenceProbe>().Local = new PersistenceProbe("unsaved");
            net.Run(Moment);

            Assert.True(errors.Total > 0);
            Assert.Equal("unsaved", b.Store<PersistenceProbe>().Remotes["a"].Text);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_damaged_saved_slice_is_counted_and_the_store_starts_empty()
    {
        string directory = Directory.CreateTempSubdirectory("truffle-sync-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(directory, $"sync-{Store}.msgpack"), [0x94, 0x01, 0xC1]);
            using var errors = new SyncCounter(TruffleMetrics.Shared.Sync.PersistenceErrors, Store);
            SimulatedNetwork net = SimulatedNetwork.WithDevices(5, "a");
            SimNode a = net["a"];
            a.SyncOptions = net.Sync with { StateDirectory = directory };
            a.Start();

            Assert.Null(a.Store<PersistenceProbe>().Local);
            Assert.Equal(1, errors.Total);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
