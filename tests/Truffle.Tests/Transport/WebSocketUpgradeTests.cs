using Truffle.Transport;
using Xunit;

namespace Truffle.Tests.Transport;

public sealed class WebSocketUpgradeTests
{
    private const string Good = "GET /ws HTTP/1.1\r\nHost: truffle\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13";

    [Fact]
    public void Accept_value_is_the_one_in_rfc_6455() =>
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketUpgrade.ComputeAccept("dGhlIHNhbXBsZSBub25jZQ=="));

    [Fact]
    public void A_websocket_upgrade_on_ws_is_accepted_with_case_insensitive_tokens()
    {
        Assert.Null(WebSocketUpgrade.Validate(Good, out string? key));
        Assert.Equal("dGhlIHNhbXBsZSBub25jZQ==", key);
        Assert.Null(WebSocketUpgrade.Validate(Good.Replace("Upgrade: websocket", "upgrade: WebSocket", StringComparison.Ordinal), out _));
    }

    [Theory]
    [InlineData("GET /ws HTTP/1.1", "POST /ws HTTP/1.1")]
    [InlineData("GET /ws HTTP/1.1", "GET /other HTTP/1.1")]
    [InlineData("Upgrade: websocket", "Upgrade: h2c")]
    [InlineData("Connection: keep-alive, Upgrade", "Connection: keep-alive")]
    [InlineData("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8")]
    [InlineData("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Key: c2hvcnQ=")]
    [InlineData("Host: truffle", "no colon here")]
    public void Anything_else_is_refused(string part, string replacement) =>
        Assert.NotNull(WebSocketUpgrade.Validate(Good.Replace(part, replacement, StringComparison.Ordinal), out _));
}
