using Truffle.Mesh;
using Xunit;

namespace Truffle.Tests.Mesh;

public sealed class ReplayWindowTests
{
    [Fact]
    public void A_duplicate_is_refused()
    {
        var window = new ReplayWindow();

        Assert.True(window.TryAccept(1, "a"));
        Assert.False(window.TryAccept(1, "a"));
    }

    [Fact]
    public void On_one_route_an_envelope_overtaken_by_a_few_others_is_still_accepted_once()
    {
        var window = new ReplayWindow();
        Assert.True(window.TryAccept(1, "p"));
        Assert.True(window.TryAccept(3, "p"));

        Assert.True(window.TryAccept(2, "p"));
        Assert.False(window.TryAccept(2, "p"));
    }

    [Fact]
    public void An_envelope_older_than_the_window_is_refused()
    {
        var window = new ReplayWindow();
        Assert.True(window.TryAccept(100, "p"));

        Assert.False(window.TryAccept(36, "p"));
        Assert.True(window.TryAccept(37, "p"));
    }

    [Fact]
    public void An_older_envelope_left_behind_by_a_route_change_is_refused()
    {
        // Sent through the old primary (route "p"), overtaken by a later one sent directly (route "s").
        var window = new ReplayWindow();
        Assert.True(window.TryAccept(1, "p"));
        Assert.True(window.TryAccept(3, "s"));

        Assert.False(window.TryAccept(2, "p"));
        Assert.True(window.TryAccept(4, "p"));
    }
}
