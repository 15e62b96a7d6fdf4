using System.Text;
using System.Text.Json;
using CliWrap;
using Xunit;

namespace Truffle.Cli.Tests;

/// <summary>A slice a device of the test mesh owns; the tool has no such type and watches the store by its id.</summary>
[SyncedSlice(WatchStoreTests.StoreId)]
public sealed partial record WatchedStatus(string Text, int Level);

/// <summary>A second store, for watching a namespace and a store at once.</summary>
[SyncedSlice("cli-watched-mood")]
public sealed partial record WatchedMood(string Mood);

/// <summary><c>truffle watch --store</c> against a real device that changes its slice.</summary>
[Collection(RealMesh.Name)]
public sealed class WatchStoreTests(Mesh mesh)
{
    public const string StoreId = "cli-watched-status";

    [Fact]
    public async Task Watch_store_prints_a_devices_slice_and_its_delta_as_json_without_the_slice_type()
    {
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var patience = new CancellationTokenSource(Tool.Patience);
        CommandTask<CommandResult> watch = Tool.Command(mesh.Args("watch", "--store", StoreId, "--count", "2", "--json"))
            .WithStandardOutputPipe(PipeTarget.ToStringBuilder(stdout))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(line =>
            {
                stderr.AppendLine(line);
                if (line.Contains("watching store " + StoreId, StringComparison.Ordinal))
                {
                    ready.TrySetResult();
                }
            }))
            .ExecuteAsync(patience.Token);

        await Task.WhenAny(ready.Task, watch.Task).Unwrap().WaitAsync(Tool.Patience);
        SyncedStore<WatchedStatus> store = mesh.Second.Sync.Store<WatchedStatus>();
        store.Local = new WatchedStatus("busy", 1);       // the first value: a snapshot
        store.Update(s => s! with { Level = 2 });          // one member: a delta the tool applies by member name
        CommandResult result = await watch;

        Assert.True(result.ExitCode == 0, $"{stdout}\n{stderr}");
        JsonElement[] lines = [.. stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.Equal(StoreId, l.GetProperty("store").GetString()));
        Assert.All(lines, l => Assert.Equal(mesh.Second.DeviceId, l.GetProperty("device").GetString()));
        Assert.Equal("busy", lines[0].GetProperty("slice").GetProperty("text").GetString());
        Assert.Equal(1, lines[0].GetProperty("slice").GetProperty("level").GetInt32());
        Assert.Equal(["text", "level"], lines[0].GetProperty("changed").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("busy", lines[1].GetProperty("slice").GetProperty("text").GetString());
        Assert.Equal(2, lines[1].GetProperty("slice").GetProperty("level").GetInt32());
        Assert.Equal(["level"], lines[1].GetProperty("changed").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Watch_of_a_namespace_and_a_store_prints_both_as_they_arrive()
    {
        string ns = "t" + Guid.NewGuid().ToString("N");
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var patience = new CancellationTokenSource(Tool.Patience);
        CommandTask<CommandResult> watch = Tool.Command(mesh.Args("watch", ns, "--store", "cli-watched-mood", "--count", "2", "--json"))
            .WithStandardOutputPipe(PipeTarget.ToStringBuilder(stdout))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(line =>
            {
                stderr.AppendLine(line);
                if (line.Contains($"watching {ns} and store cli-watched-mood", StringComparison.Ordinal))
                {
                    ready.TrySetResult();
                }
            }))
            .ExecuteAsync(patience.Token);

        await Task.WhenAny(ready.Task, watch.Task).Unwrap().WaitAsync(Tool.Patience);
        mesh.First.Sync.Store<WatchedMood>().Local = new WatchedMood("calm");
        await mesh.Second.Bus.BroadcastAsync(ns, "shout", MessagePack.MessagePackSerializer.ConvertFromJson("""{"text":"hi"}"""));
        CommandResult result = await watch;

        Assert.True(result.ExitCode == 0, $"{stdout}\n{stderr}");
        JsonElement[] lines = [.. stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];
        Assert.Equal(2, lines.Length);
        JsonElement slice = Assert.Single(lines, l => l.TryGetProperty("store", out _));
        Assert.Equal(mesh.First.DeviceId, slice.GetProperty("device").GetString());
        Assert.Equal("calm", slice.GetProperty("slice").GetProperty("mood").GetString());
        JsonElement message = Assert.Single(lines, l => l.TryGetProperty("namespace", out _));
        Assert.Equal("hi", message.GetProperty("payload").GetProperty("text").GetString());
    }

    [Fact]
    public async Task Watch_without_a_namespace_or_a_store_is_a_usage_error()
    {
        ToolResult result = await Tool.RunAsync(mesh.Args("watch"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Name a namespace (NS), a store (--store S), or both", result.Stderr, StringComparison.Ordinal);
    }
}
