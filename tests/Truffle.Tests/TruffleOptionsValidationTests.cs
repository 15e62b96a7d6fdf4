using Xunit;

namespace Truffle.Tests;

/// <summary>Options a peer would refuse in the hello are refused by <see cref="TruffleNode.StartAsync"/> first, before any process starts.</summary>
public sealed class TruffleOptionsValidationTests
{
    public static TheoryData<string> Oversized => ["device name", "metadata entries", "metadata key", "metadata value"];

    [Theory]
    [MemberData(nameof(Oversized))]
    public async Task Hello_fields_beyond_the_limits_are_refused_before_anything_starts(string what)
    {
        var options = new TruffleOptions { AppId = "limits", SidecarPath = "/nonexistent/truffle-sidecar", StateDirectory = "/nonexistent/state" };
        options = what switch
        {
            "device name" => options with { DeviceName = new string('n', 257) },
            "metadata entries" => options with { Metadata = Enumerable.Range(0, 33).ToDictionary(i => $"k{i}", _ => "v") },
            "metadata key" => options with { Metadata = new Dictionary<string, string> { [new string('k', 65)] = "v" } },
            _ => options with { Metadata = new Dictionary<string, string> { ["k"] = new string('v', 1025) } },
        };

        // The sidecar and state paths do not exist: reaching them would fail differently.
        ArgumentException error = await Assert.ThrowsAsync<ArgumentException>(() => TruffleNode.StartAsync(options));
        Assert.Contains(what.StartsWith("device", StringComparison.Ordinal) ? "device name" : "metadata", error.Message, StringComparison.Ordinal);
    }
}
