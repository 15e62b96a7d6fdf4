using System.Diagnostics;
using System.Text;
using CliWrap;
using Xunit;

namespace Truffle.Cli.Tests;

/// <summary><c>truffle dev</c>: once redirected (plain lines, no escape codes), once under a real terminal (tmux).</summary>
public sealed class DevTests
{
    [Fact]
    public async Task Dev_redirected_prints_plain_lines_until_ctrl_c_and_then_leaves()
    {
        string app = "dev" + Guid.NewGuid().ToString("N")[..8];
        var stdout = new StringBuilder();
        var elected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var forceful = new CancellationTokenSource(Tool.Patience);
        CommandTask<CommandResult> dev = Tool.Command("dev", "--nodes", "2", "--app", app)
            .WithStandardOutputPipe(PipeTarget.ToDelegate(line =>
            {
                lock (stdout)
                {
                    stdout.AppendLine(line);
                }

                if (line.Contains("Secondary term 1", StringComparison.Ordinal) && line.EndsWith("online peers 1", StringComparison.Ordinal))
                {
                    elected.TrySetResult();
                }
            }))
            .ExecuteAsync(forceful.Token);

        await Task.WhenAny(elected.Task, dev.Task).Unwrap().WaitAsync(Tool.Patience);
        // SIGINT, as Ctrl+C (CliWrap's graceful cancellation would report it as a cancellation, not an exit code).
        await CliWrap.Cli.Wrap("kill").WithArguments(["-INT", dev.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]).ExecuteAsync();
        CommandResult result = await dev;

        string output = stdout.ToString();
        Assert.True(result.ExitCode == 0, output);
        Assert.Contains($"2 devices of app '{app}' on the loopback network", output, StringComparison.Ordinal);
        Assert.Contains("Primary term 1", output, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', output);
    }

    [Fact]
    public async Task Dev_under_a_terminal_shows_the_live_table_with_each_devices_traffic_and_slices()
    {
        if (!File.Exists("/usr/bin/tmux"))
        {
            Assert.Fail("tmux is not installed (apt-get install tmux): this test needs a real terminal");
        }

        string session = "truffle-dev-" + Guid.NewGuid().ToString("N")[..8];
        string socket = session;
        string app = session[..14].Replace("-", "", StringComparison.Ordinal);
        string root = Directory.CreateTempSubdirectory("truffle-dev-tests-").FullName;
        string registry = System.IO.Path.Combine(root, "registry");
        await TmuxAsync(socket, "new-session", "-d", "-s", session, "-x", "240", "-y", "40", $"dotnet {Tool.Path} dev --nodes 2 --app {app} --loopback-dir {registry}");
        TruffleNode? visitor = null;
        try
        {
            string screen = await ScreenUntilAsync(socket, session, s => s.Contains("Primary", StringComparison.Ordinal) && s.Contains("Secondary", StringComparison.Ordinal));
            Assert.Contains("│", screen, StringComparison.Ordinal);
            Assert.Contains("role", screen, StringComparison.Ordinal);
            Assert.Contains("sent", screen, StringComparison.Ordinal);
            Assert.Contains("slices", screen, StringComparison.Ordinal);
            Assert.Contains("Ctrl+C stops", screen, StringComparison.Ordinal);

            // An app pointed at the dev network: it owns a slice the tool has no type for, and talks to the devices.
            visitor = await TruffleNode.StartAsync(new TruffleOptions
            {
                AppId = app,
                DeviceName = "visitor",
                Observer = true,
                StateDirectory = System.IO.Path.Combine(root, "visitor"),
                Network = TruffleNetwork.Loopback,
                LoopbackDirectory = registry,
                SidecarPath = System.IO.Path.Combine(AppContext.BaseDirectory, "truffle-sidecar"),
            });
            visitor.Sync.Store<WatchedStatus>().Local = new WatchedStatus("here", 7);
            string id = visitor.DeviceId;
            screen = await ScreenUntilAsync(socket, session, s => Row(s, id) is { } row && row[^1].Contains(WatchStoreTests.StoreId, StringComparison.Ordinal));

            // The visitor's row: what the dev devices received from it (at least its slice) and its slice's summary.
            string[] visitorRow = Row(screen, id)!;
            Assert.Equal("Observer", visitorRow[2]);
            Assert.True(long.Parse(visitorRow[5], System.Globalization.CultureInfo.InvariantCulture) >= 1, screen);
            Assert.Matches($@"^{WatchStoreTests.StoreId} \d+ B v\d+\.\d+$", visitorRow[7]);

            // Each dev device's own row counts what it sent and received (hellos aside, at least the sync with the visitor).
            string[][] devRows = [.. screen.Split('\n').Select(l => Cells(l)).Where(c => c is { Length: 8 } && c[1].StartsWith(app + "-", StringComparison.Ordinal)).Select(c => c!)];
            Assert.Equal(2, devRows.Length);
            Assert.All(devRows, r => Assert.True(long.Parse(r[6], System.Globalization.CultureInfo.InvariantCulture) >= 1, screen));
            Assert.All(devRows, r => Assert.Equal("-", r[7]));
            await TmuxAsync(socket, "send-keys", "-t", session, "C-c");
        }
        finally
        {
            if (visitor is not null)
            {
                await visitor.DisposeAsync();
            }

            await TmuxAsync(socket, "kill-server");
            Directory.Delete(root, recursive: true);
        }
    }

    // tmux tells nothing when the screen changes: look at it until it shows what the test waits for.
    private static async Task<string> ScreenUntilAsync(string socket, string session, Func<string, bool> shows)
    {
        string screen = "";
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Tool.Patience && !shows(screen))
        {
            await Task.Delay(250);
            screen = await TmuxAsync(socket, "capture-pane", "-p", "-t", session);
        }

        Assert.True(shows(screen), screen);
        return screen;
    }

    /// <summary>The cells of the table row of <paramref name="deviceId"/>, or null.</summary>
    private static string[]? Row(string screen, string deviceId) =>
        screen.Split('\n').Select(Cells).FirstOrDefault(c => c is { Length: 8 } && c[0] == deviceId);

    private static string[]? Cells(string line) =>
        line.Contains('│', StringComparison.Ordinal) ? [.. line.Split('│').Skip(1).SkipLast(1).Select(c => c.Trim())] : null;

    private static async Task<string> TmuxAsync(string socket, params string[] arguments)
    {
        var stdout = new StringBuilder();
        await CliWrap.Cli.Wrap("tmux").WithArguments(["-L", socket, .. arguments])
            .WithStandardOutputPipe(PipeTarget.ToStringBuilder(stdout))
            .WithValidation(CommandResultValidation.None)
            .ExecuteAsync();
        return stdout.ToString();
    }
}
