using Truffle.Tests.Sidecar;
using Truffle.Tests.Support;
using Truffle.Wire;
using Xunit;

namespace Truffle.Tests.Mesh;

/// <summary>
/// Schema fingerprints in the hello, and messages of unknown types, between two real nodes with their own sidecar
/// processes on a loopback network (docs/schema-evolution.md).
/// </summary>
[Collection(RealSidecar.Name)]
public sealed class SchemaFingerprintTests(SidecarBinary sidecar)
{
    [Fact]
    public async Task Each_device_sees_the_others_namespace_fingerprints_and_counts_messages_of_types_it_does_not_know()
    {
        await using var mesh = new LoopbackMesh(sidecar);
        using var unknown = new MetricRecorder(TruffleMetrics.Shared.UnknownMessages, "schema-probe");
        TruffleNode ana = await mesh.StartAsync("ana");
        TruffleNode bo = await mesh.StartAsync("bo");

        TruffleDevice seen = await mesh.UntilAsync(() => ana.Devices.FirstOrDefault(d => d.Id == bo.DeviceId && d.IsOnline && d.Schemas.Count > 0));
        await ana.Bus.SendAsync(bo.DeviceId, "schema-probe", "from-a-newer-build", new byte[] { 0x80 });
        await unknown.WaitForAsync(1);

        // One process, one build: the fingerprints bo sent are this build's, and the test types' namespace is there.
        Assert.Equal(bo.Schemas.OrderBy(p => p.Key, StringComparer.Ordinal), seen.Schemas.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Matches("^[0-9a-f]{8}$", seen.Schemas["roundtrip"]);
        Assert.Equal(1, unknown.Total);
    }
}
