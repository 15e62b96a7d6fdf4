using System.Text;
using Truffle.Sidecar;
using Xunit;

namespace Truffle.Tests.Sidecar;

public sealed class BridgeHeaderTests
{
    private static readonly byte[] Token = BridgeBytes.Token(7);

    private static ValueTask<BridgeHeader> Read(byte[] bytes) => BridgeHeader.ReadAsync(new MemoryStream(bytes), CancellationToken.None);

    [Fact]
    public async Task Incoming_header_is_read_field_by_field()
    {
        const string identity = """{"dnsName":"b.loopback","loginName":"","displayName":"","nodeId":"n2"}""";
        byte[] bytes = [.. BridgeBytes.Header(Token, 0x01, 9417, "", "127.0.0.3:51000", identity), .. "payload"u8.ToArray()];
        var stream = new MemoryStream(bytes);

        var header = await BridgeHeader.ReadAsync(stream, CancellationToken.None);

        Assert.Equal(Token, header.Token);
        Assert.Equal(BridgeDirection.Incoming, header.Direction);
        Assert.Equal(9417, header.Port);
        Assert.Equal("", header.RequestId);
        Assert.Equal("127.0.0.3:51000", header.RemoteAddress);
        Assert.Equal(identity, header.Identity);
        Assert.Equal(bytes.Length - "payload".Length, stream.Position); // the payload is left unread
    }

    [Fact]
    public async Task Outgoing_header_carries_request_id_and_target()
    {
        var header = await Read(BridgeBytes.Header(Token, 0x02, 80, "req-1", "b.loopback:80", "b.loopback"));

        Assert.Equal(BridgeDirection.Outgoing, header.Direction);
        Assert.Equal(80, header.Port);
        Assert.Equal("req-1", header.RequestId);
        Assert.Equal("b.loopback", header.Identity);
    }

    [Fact]
    public async Task Header_at_every_length_cap_is_accepted()
    {
        var header = await Read(BridgeBytes.Header(Token, 0x02, 1, new string('r', 128), new string('a', 256), new string('i', 4096)));

        Assert.Equal(128, header.RequestId.Length);
        Assert.Equal(256, header.RemoteAddress.Length);
        Assert.Equal(4096, header.Identity.Length);
    }

    [Theory]
    [InlineData("magic")]
    [InlineData("version")]
    [InlineData("direction0")]
    [InlineData("direction3")]
    [InlineData("incomingWithRequestId")]
    [InlineData("requestIdTooLong")]
    [InlineData("remoteTooLong")]
    [InlineData("identityTooLong")]
    [InlineData("truncated")]
    [InlineData("invalidUtf8")]
    public async Task Bad_header_is_a_protocol_error(string defect)
    {
        byte[] bytes = defect switch
        {
            "magic" => BridgeBytes.Header(Token, magic: 0x54524647),
            "version" => BridgeBytes.Header(Token, version: 2),
            "direction0" => BridgeBytes.Header(Token, direction: 0),
            "direction3" => BridgeBytes.Header(Token, direction: 3),
            "incomingWithRequestId" => BridgeBytes.Header(Token, 0x01, requestId: "r"),
            "requestIdTooLong" => BridgeBytes.Header(Token, 0x02, requestId: new string('r', 129)),
            "remoteTooLong" => BridgeBytes.Header(Token, 0x02, remote: new string('a', 257)),
            "identityTooLong" => BridgeBytes.Header(Token, 0x02, identity: new string('i', 4097)),
            "truncated" => BridgeBytes.Header(Token)[..20],
            _ => InvalidUtf8Remote(),
        };

        var error = await Assert.ThrowsAsync<SidecarException>(async () => await Read(bytes));
        Assert.Equal(SidecarException.ProtocolErrorCode, error.Code);
    }

    [Fact]
    public async Task Oversized_length_is_rejected_before_its_bytes_are_read()
    {
        // Only the length prefix 0xFFFF is present: a reader that allocated or waited for 65535 bytes would not
        // report the cap.
        byte[] fixedPart = BridgeBytes.Header(Token, 0x02)[..40];
        byte[] bytes = [.. fixedPart, 0xFF, 0xFF];

        var error = await Assert.ThrowsAsync<SidecarException>(async () => await Read(bytes));
        Assert.Contains("limit 128", error.Message, StringComparison.Ordinal);
    }

    private static byte[] InvalidUtf8Remote()
    {
        var bytes = BridgeBytes.Header(Token, 0x02)[..40].ToList();
        BridgeBytes.AddString(bytes, Encoding.UTF8.GetBytes("r"));
        BridgeBytes.AddString(bytes, [0xC3, 0x28]);
        BridgeBytes.AddString(bytes, []);
        return [.. bytes];
    }
}
