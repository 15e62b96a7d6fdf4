using System.Text;
using System.Text.Json;
using CliWrap;
using Xunit;

namespace Truffle.Cli.Tests;

/// <summary>A slice its owner retires (sets to null).</summary>
[SyncedSlice(WatchRemovalTests.RetiredStore)]
public sealed partial record RetiredNote(string Text);

/// <summary>A slice whose device leaves the mesh.</summary>
[SyncedSlice(WatchRemovalTests.LeavingStore)]
public sealed partial record LeavingNote(string Text);

/// <summary><c>truffle watch --store</c> prints a removal line when a device retires its slice or leaves.</summary>
[Collection(RealMesh.Name)]
public sealed class WatchRemovalTests(Mesh mesh)
{
    public const string RetiredStore = "cli-retired-note";
    public const string LeavingStore = "cli-leaving-note";

    [Fact]
    public async Task Watch_store_prints_a_removal_line_when_the_owner_retires_its_slice()
    {
        await using var watch = new WatchProcess(mesh.Args("watch", "--store", RetiredStore, "--count", "2"), "watching store " + RetiredStore);
        await watch.ReadyAsync();
        SyncedStore<RetiredNote> store = mesh.First.Sync.Store<RetiredNote>();
        store.Local = new RetiredNote("soon gone");
        // Retired only once the tool has the slice: a retirement of a slice it never saw changes nothing it shows.
        await watch.LineAsync(1);
        store.Local = null;
        ToolResult result = await watch.EndAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(2, result.Lines.Length);
        Assert.EndsWith($"({mesh.First.DeviceId}) store {RetiredStore}: changed text {{\"text\":\"soon gone\"}}", result.Lines[0], StringComparison.Ordinal);
        Assert.EndsWith($"first ({mesh.First.DeviceId}) store {RetiredStore}: removed", result.Lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_store_prints_a_removal_when_a_device_with_a_slice_leaves()
    {
        await using var watch = new WatchProcess(mesh.Args("watch", "--store", LeavingStore, "--count", "2", "--json"), "watching store " + LeavingStore);
        await watch.ReadyAsync();
        string root = Directory.CreateTempSubdirectory("truffle-cli-leaver-").FullName;
        try
        {
            TruffleNode leaver = await TruffleNode.StartAsync(new TruffleOptions
            {
                AppId = mesh.App,
                DeviceName = "leaver",
                Observer = true, // leaves without moving the fixture's primary
                StateDirectory = Path.Combine(root, "leaver"),
                Network = TruffleNetwork.Loopback,
                LoopbackDirectory = mesh.Registry,
                SidecarPath = Path.Combine(AppContext.BaseDirectory, "truffle-sidecar"),
            });
            string leaverId = leaver.DeviceId;
            await using (leaver)
            {
                leaver.Sync.Store<LeavingNote>().Local = new LeavingNote("bye soon");
                await watch.LineAsync(1);
            }

            ToolResult result = await watch.EndAsync();

            Assert.True(result.ExitCode == 0, result.ToString());
            JsonElement[] lines = [.. result.Lines.Select(l => JsonDocument.Parse(l).RootElement)];
            Assert.Equal(2, lines.Length);
            Assert.All(lines, l => Assert.Equal(leaverId, l.GetProperty("device").GetString()));
            Assert.Equal("bye soon", lines[0].GetProperty("slice").GetProperty("text").GetString());
            Assert.Equal(JsonValueKind.Null, lines[1].GetProperty("slice").ValueKind);
            Assert.Equal(["text"], lines[1].GetProperty("changed").EnumerateArray().Select(e => e.GetString()));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The tool's <c>watch</c> running in the background, with its lines as they come.</summary>
    private sealed class WatchProcess : IAsyncDisposable
    {
        private readonly StringBuilder _stdout = new();
        private readonly StringBuilder _stderr = new();
        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<TaskCompletionSource> _lines = [];
        private readonly CancellationTokenSource _patience = new(Tool.Patience);
        private readonly CommandTask<CommandResult> _run;
        private int _count;

        public WatchProcess(string[] arguments, string readyNote)
        {
            _run = Tool.Command(arguments)
                .WithStandardOutputPipe(PipeTarget.ToDelegate(line =>
                {
                    lock (_stdout)
                    {
                        _stdout.AppendLine(line);
                        _count++;
                        Line(_count).TrySetResult();
                    }
                }))
                .WithStandardErrorPipe(PipeTarget.ToDelegate(line =>
                {
                    lock (_stderr)
                    {
                        _stderr.AppendLine(line);
                    }

                    if (line.Contains(readyNote, StringComparison.Ordinal))
                    {
                        _ready.TrySetResult();
                    }
                }))
                .ExecuteAsync(_patience.Token);
        }

        public Task ReadyAsync() => Task.WhenAny(_ready.Task, _run.Task).Unwrap().WaitAsync(Tool.Patience);

        /// <summary>Until the tool printed its <paramref name="number"/>th line (or ended).</summary>
        public async Task LineAsync(int number)
        {
            Task printed;
            lock (_stdout)
            {
                printed = Line(number).Task;
            }

            await Task.WhenAny(printed, _run.Task).WaitAsync(Tool.Patience);
        }

        public async Task<ToolResult> EndAsync()
        {
            CommandResult result = await _run;
            lock (_stdout)
            {
                lock (_stderr)
                {
                    return new ToolResult(result.ExitCode, _stdout.ToString(), _stderr.ToString());
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _patience.CancelAsync();
            try
            {
                await _run;
            }
            catch (OperationCanceledException)
            {
                // Already ended, or stopped here.
            }

            _patience.Dispose();
        }

        private TaskCompletionSource Line(int number)
        {
            while (_lines.Count < number)
            {
                _lines.Add(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            }

            return _lines[number - 1];
        }
    }
}
