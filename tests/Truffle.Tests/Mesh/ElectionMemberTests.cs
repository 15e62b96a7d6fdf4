using Truffle.Mesh;
using Xunit;

namespace Truffle.Tests.Mesh;

public sealed class ElectionMemberTests
{
    [Fact]
    public void Rank_orders_by_preference_then_priority_then_device_id()
    {
        ElectionMember[] shuffled =
        [
            new("b", PreferPrimary: false, Priority: 5),
            new("z", PreferPrimary: true, Priority: 0),
            new("a", PreferPrimary: false, Priority: 5),
            new("c", PreferPrimary: false, Priority: 9),
            new("y", PreferPrimary: true, Priority: 1),
            new("d", PreferPrimary: false, Priority: -3),
        ];

        string[] ranked = [.. shuffled.Order().Select(m => m.DeviceId)];

        Assert.Equal(["y", "z", "c", "a", "b", "d"], ranked);
    }

    [Fact]
    public void Rank_is_a_total_order_without_ties_between_distinct_devices()
    {
        var random = new Random(7);
        ElectionMember[] members = [.. Enumerable.Range(0, 200).Select(i =>
            new ElectionMember($"dev-{i:D3}", random.Next(2) == 0, random.Next(-2, 3)))];

        foreach (ElectionMember a in members)
        {
            Assert.Equal(0, a.CompareTo(a));
            foreach (ElectionMember b in members.Where(m => m.DeviceId != a.DeviceId))
            {
                Assert.NotEqual(0, a.CompareTo(b));
                Assert.Equal(Math.Sign(a.CompareTo(b)), -Math.Sign(b.CompareTo(a)));
            }
        }
    }
}
