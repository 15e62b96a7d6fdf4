using System.Text;
using System.Text.Json;
using CliWrap;
using MessagePack;
using Xunit;

namespace Truffle.Cli.Tests;

/// <summary>The tool as a user runs it, against real devices on a loopback network.</summary>
[Collection(RealMesh.Name)]
public sealed class ToolTests(Mesh mesh)
{
    private static string NewNamespace() => "t" + Guid.NewGuid().ToString("N");

    private static JsonElement[] JsonLines(ToolResult result) => [.. result.Lines.Select(line => JsonDocument.Parse(line).RootElement)];

    [Fact]
    public async Task Peers_lists_every_device_and_the_tool_leaves_primary_and_term_as_they_were()
    {
        (string? primary, ulong term)[] before = [.. mesh.Nodes.Select(n => (n.PrimaryId, n.Term))];

        ToolResult result = await Tool.RunAsync(mesh.Args("peers", "--json"));

        Assert.True(result.ExitCode == 0, result.ToString());
        JsonElement[] devices = JsonLines(result);
        Assert.Equal(mesh.Nodes.Select(n => n.DeviceId).Order(), devices.Select(d => d.GetProperty("id").GetString()).Order());
        Assert.All(devices, d => Assert.Equal("Member", d.GetProperty("kind").GetString()));
        Assert.Single(devices, d => d.GetProperty("role").GetString() == "Primary" && d.GetProperty("id").GetString() == mesh.First.PrimaryId);
        Assert.All(devices, d => Assert.Equal(
            mesh.First.Schemas.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value}"),
            d.GetProperty("schemas").EnumerateObject().Select(p => $"{p.Name}={p.Value.GetString()}")));

        // The tool has said goodbye; the members saw an observer come and go and nothing else changed.
        await mesh.UntilAsync(() => mesh.Nodes.All(n => n.Devices.Where(d => d.Kind == DeviceKind.Observer).All(d => !d.IsOnline)));
        Assert.Equal(before, mesh.Nodes.Select(n => (n.PrimaryId, n.Term)));
        Assert.Contains(mesh.First.Devices, d => d.Kind == DeviceKind.Observer);
    }

    [Fact]
    public async Task Send_is_delivered_with_the_tools_device_id_as_sender_and_the_bytes_a_formatter_reads()
    {
        string ns = NewNamespace();
        var received = new TaskCompletionSource<InboundMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        using IDisposable subscription = mesh.Second.Bus.Subscribe(ns, "note", (message, _) =>
        {
            received.TrySetResult(message with { Payload = message.Payload.ToArray() });
            return ValueTask.CompletedTask;
        });

        ToolResult result = await Tool.RunAsync(mesh.Args("send", mesh.Second.DeviceId, ns, "note", """{"text":"hi","count":3}""", "--json"));

        Assert.True(result.ExitCode == 0, result.ToString());
        string toolId = JsonLines(result).Single().GetProperty("from").GetString()!;
        InboundMessage message = await received.Task.WaitAsync(Tool.Patience);
        Assert.Equal(toolId, message.From);
        Assert.NotEqual(mesh.First.DeviceId, message.From);
        Assert.Equal(MessagePackSerializer.ConvertFromJson("""{"text":"hi","count":3}"""), message.Payload.ToArray());
    }

    [Fact]
    public async Task Request_prints_the_reply_as_json()
    {
        string ns = NewNamespace();
        using IDisposable handler = mesh.First.Bus.Handle(ns, "add", (request, cancellationToken) =>
        {
            var numbers = MessagePackSerializer.Deserialize<Dictionary<string, int>>(request.Payload, cancellationToken: cancellationToken);
            return ValueTask.FromResult<ReadOnlyMemory<byte>>(MessagePackSerializer.Serialize(new Dictionary<string, int> { ["sum"] = numbers["a"] + numbers["b"] }, cancellationToken: cancellationToken));
        });

        ToolResult result = await Tool.RunAsync(mesh.Args("request", "first", ns, "add", """{"a":2,"b":40}"""));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("""{"sum":42}""", result.Stdout.Trim());
    }

    [Fact]
    public async Task Watch_prints_what_a_device_broadcasts()
    {
        string ns = NewNamespace();
        var stdout = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderr = new StringBuilder();
        using var patience = new CancellationTokenSource(Tool.Patience);
        CommandTask<CommandResult> watch = Tool.Command(mesh.Args("watch", ns, "--count", "1", "--json"))
            .WithStandardOutputPipe(PipeTarget.ToStringBuilder(stdout))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(line =>
            {
                stderr.AppendLine(line);
                if (line.Contains("watching", StringComparison.Ordinal))
                {
                    ready.TrySetResult();
                }
            }))
            .ExecuteAsync(patience.Token);

        await Task.WhenAny(ready.Task, watch.Task).Unwrap().WaitAsync(Tool.Patience);
        await mesh.Second.Bus.BroadcastAsync(ns, "shout", MessagePackSerializer.ConvertFromJson("""{"text":"hello all"}"""));
        CommandResult result = await watch;

        Assert.True(result.ExitCode == 0, $"{stdout}\n{stderr}");
        JsonElement line = JsonDocument.Parse(stdout.ToString().Trim()).RootElement;
        Assert.Equal(mesh.Second.DeviceId, line.GetProperty("from").GetString());
        Assert.Equal("shout", line.GetProperty("type").GetString());
        Assert.True(line.GetProperty("broadcast").GetBoolean());
        Assert.Equal("hello all", line.GetProperty("payload").GetProperty("text").GetString());
    }

    [Fact]
    public async Task An_unknown_device_is_refused_with_the_known_ones()
    {
        ToolResult result = await Tool.RunAsync(mesh.Args("send", "nosuchdevice", NewNamespace(), "note", "{}"));

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("Unknown device 'nosuchdevice'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(mesh.First.DeviceId, result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Bad_json_is_refused_with_its_position_before_joining_the_mesh()
    {
        ToolResult result = await Tool.RunAsync(mesh.Args("send", "first", NewNamespace(), "note", """{"text": hi}"""));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not valid JSON at line 1, position 10", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task A_request_without_a_handler_exits_with_no_responder()
    {
        ToolResult result = await Tool.RunAsync(mesh.Args("request", "second", NewNamespace(), "nobody", "{}"));

        Assert.True(result.ExitCode == 5, result.ToString());
    }

    [Fact]
    public async Task A_handler_that_throws_exits_with_remote_error_and_its_message()
    {
        string ns = NewNamespace();
        using IDisposable handler = mesh.Second.Bus.Handle(ns, "fail", (_, _) => throw new InvalidOperationException("the disk is full"));

        ToolResult result = await Tool.RunAsync(mesh.Args("request", "second", ns, "fail", "{}"));

        Assert.True(result.ExitCode == 6, result.ToString());
        Assert.Contains("the disk is full", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reply_that_does_not_come_in_time_exits_with_timeout()
    {
        string ns = NewNamespace();
        var release = new TaskCompletionSource<ReadOnlyMemory<byte>>(TaskCreationOptions.RunContinuationsAsynchronously);
        using IDisposable handler = mesh.Second.Bus.Handle(ns, "slow", (_, cancellationToken) => new ValueTask<ReadOnlyMemory<byte>>(release.Task.WaitAsync(cancellationToken)));

        ToolResult result = await Tool.RunAsync("request", "second", ns, "slow", "{}", "--app", mesh.App, "--loopback-dir", mesh.Registry, "--timeout", "1");
        release.TrySetResult(ReadOnlyMemory<byte>.Empty);

        Assert.True(result.ExitCode == 4, result.ToString());
    }

    [Fact]
    public async Task A_missing_argument_is_a_usage_error()
    {
        ToolResult result = await Tool.RunAsync("request", "only-a-device");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("truffle: ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sidecar_that_does_not_exist_is_a_network_failure()
    {
        ToolResult result = await Tool.RunAsync([.. mesh.Args("peers"), "--sidecar", "/nonexistent/truffle-sidecar"]);

        Assert.True(result.ExitCode == 7, result.ToString());
        Assert.Contains("/nonexistent/truffle-sidecar", result.Stderr, StringComparison.Ordinal);
    }
}
