using Truffle.Mesh;
using Truffle.Sidecar;
using Xunit;

namespace Truffle.Tests;

/// <summary>One running node per state directory: a second is refused before it starts anything, and a failed start lets go.</summary>
public sealed class StateDirectoryTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("truffle-state-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_node_on_a_directory_another_node_holds_is_refused_before_anything_starts()
    {
        using DeviceIdentity running = DeviceIdentity.Start(_directory);

        // The sidecar path does not exist: reaching it would fail with a SidecarException instead.
        var refused = await Assert.ThrowsAsync<TruffleException>(() => TruffleNode.StartAsync(Options()));

        Assert.Contains(_directory, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_start_that_fails_releases_the_directory()
    {
        await Assert.ThrowsAsync<SidecarException>(() => TruffleNode.StartAsync(Options()));

        using DeviceIdentity next = DeviceIdentity.Start(_directory);

        Assert.Equal(2UL, next.Incarnation);
    }

    private TruffleOptions Options() => new()
    {
        AppId = "state",
        StateDirectory = _directory,
        SidecarPath = "/nonexistent/truffle-sidecar",
    };
}
