using System.Text;
using Truffle.Sidecar;
using Xunit;

namespace Truffle.Tests.Sidecar;

public sealed class LineReaderTests
{
    [Fact]
    public async Task Oversized_line_is_drained_and_reading_continues_after_it()
    {
        string input = "ok\r\n\n" + new string('x', 200_000) + "\n12345678\n123456789\nlast";
        var reader = new LineReader(new MemoryStream(Encoding.UTF8.GetBytes(input)), maxLine: 8);

        var results = new List<string>();
        while (true)
        {
            var (status, line) = await reader.ReadLineAsync(CancellationToken.None);
            if (status == LineStatus.EndOfStream)
            {
                break;
            }

            results.Add(status == LineStatus.TooLarge ? "<too large>" : Encoding.UTF8.GetString(line.Span));
        }

        Assert.Equal(["ok", "<too large>", "12345678", "<too large>", "last"], results);
    }

    [Fact]
    public void Events_are_parsed_ignoring_unknown_keys()
    {
        byte[] line = """{"event":"tsnet:started","extra":[1,2],"data":{"state":"running","dnsName":"a.loopback","future":{"x":1},"protocolVersion":5}}"""u8.ToArray();

        Assert.True(SidecarProtocol.TryParseEvent(line, out var parsed));
        var status = SidecarProtocol.ParseStatus(parsed.Data);

        Assert.Equal("tsnet:started", parsed.Name);
        Assert.Equal("running", status.State);
        Assert.Equal("a.loopback", status.DnsName);
        Assert.Equal(5, status.ProtocolVersion);
        Assert.False(SidecarProtocol.TryParseEvent("not json"u8.ToArray(), out _));
        Assert.False(SidecarProtocol.TryParseEvent("""{"data":{}}"""u8.ToArray(), out _));
    }

    [Fact]
    public void Commands_are_one_json_line_with_the_protocol_field_names()
    {
        string line = Encoding.UTF8.GetString(SidecarProtocol.Dial("r1", "b.loopback", 9417));

        Assert.Equal("""{"command":"bridge:dial","data":{"requestId":"r1","target":"b.loopback","port":9417}}""" + "\n", line);
    }
}
