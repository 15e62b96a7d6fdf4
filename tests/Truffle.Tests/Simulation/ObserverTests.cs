using Xunit;

namespace Truffle.Tests.Simulation;

/// <summary>
/// Observers (SPEC §12) in the simulation of the production classes: never a candidate, never counted toward a quorum
/// or a lease, so observers joining, leaving and crashing at random never change the primary or the term.
/// </summary>
public sealed class ObserverTests
{
    [Fact]
    public void Observers_coming_and_going_at_random_never_change_the_primary_or_the_term()
    {
        for (int seed = 0; seed < 100; seed++)
        {
            SimulatedNetwork network = SimulatedNetwork.WithNodes(3, seed);
            SimNode[] observers = [.. Enumerable.Range(0, 3).Select(i => network.AddObserver($"o{i}"))];
            foreach (SimNode member in network.Nodes.Where(n => !n.Observer))
            {
                member.Start();
            }

            Assert.True(network.RunUntil(() => network.AgreedPrimary() is not null, TimeSpan.FromSeconds(5)), $"seed {seed}: {network.Describe()}");
            SimNode primary = network.AgreedPrimary()!;
            ulong term = primary.Reported.Term;
            int claims = network.History.Claims.Count;
            for (int step = 0; step < 40; step++)
            {
                SimNode observer = observers[network.Random.Next(observers.Length)];
                switch (network.Random.Next(4))
                {
                    case 0 or 1:
                        if (!observer.Alive)
                        {
                            observer.Start();
                        }

                        break;
                    case 2:
                        observer.Stop();
                        break;
                    default:
                        observer.Kill();
                        break;
                }

                network.Run(TimeSpan.FromMilliseconds(network.Random.Next(100, 3000)));
                Assert.True(network.AgreedPrimary() == primary, $"seed {seed}, step {step}: {network.Describe()}");
                Assert.Equal(term, primary.Reported.Term);
            }

            Assert.Equal(claims, network.History.Claims.Count);
            Assert.All(observers.Where(o => o.Alive), o => Assert.NotEqual(MeshRole.Primary, o.Reported.Role));
        }
    }

    [Fact]
    public void An_observer_learns_the_primary_at_once_and_is_listed_as_an_observer()
    {
        SimulatedNetwork network = SimulatedNetwork.WithNodes(3, seed: 4);
        SimNode observer = network.AddObserver("o0");
        foreach (SimNode member in network.Nodes.Where(n => !n.Observer))
        {
            member.Start();
        }

        network.WaitSettled();
        SimNode primary = network.AgreedPrimary()!;
        observer.Start();

        Assert.True(network.RunUntil(() => observer.Reported.PrimaryId == primary.Id, TimeSpan.FromMilliseconds(100)), network.Describe());
        Assert.Equal(MeshRole.Secondary, observer.Reported.Role);
        Assert.Contains(primary.Mesh.Devices, d => d.Id == "o0" && d.Kind == DeviceKind.Observer);
        Assert.All(network.Nodes.Where(n => !n.Observer), n => Assert.Equal(3, n.Mesh.MembershipSize));
    }

    [Fact]
    public void An_observer_alone_has_no_primary()
    {
        SimulatedNetwork network = SimulatedNetwork.WithDevices(seed: 5);
        SimNode observer = network.AddObserver("o0");

        observer.Start();
        network.Run(TimeSpan.FromSeconds(10));

        Assert.Equal(MeshRole.None, observer.Reported.Role);
        Assert.Empty(network.History.Claims);
    }
}
