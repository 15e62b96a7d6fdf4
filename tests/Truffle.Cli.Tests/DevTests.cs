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
    public async Task Dev_under_a_terminal_shows_the_live_table()
    {
        if (!File.Exists("/usr/bin/tmux"))
        {
            Assert.Fail("tmux is not installed (apt-get install tmux): this test needs a real terminal");
        }

        string session = "truffle-dev-" + Guid.NewGuid().ToString("N")[..8];
        string socket = session;
        await TmuxAsync(socket, "new-session", "-d", "-s", session, "-x", "200", "-y", "40", $"dotnet {Tool.Path} dev --nodes 2 --app {session[..14].Replace("-", "", StringComparison.Ordinal)}");
        try
        {
            // tmux tells nothing when the screen changes: look at it until the table shows an elected mesh.
            string screen = "";
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < Tool.Patience && !(screen.Contains("Primary", StringComparison.Ordinal) && screen.Contains("Secondary", StringComparison.Ordinal)))
            {
                await Task.Delay(250);
                screen = await TmuxAsync(socket, "capture-pane", "-p", "-t", session);
            }

            Assert.Contains("│", screen, StringComparison.Ordinal);
            Assert.Contains("role", screen, StringComparison.Ordinal);
            Assert.Contains("Primary", screen, StringComparison.Ordinal);
            Assert.Contains("Secondary", screen, StringComparison.Ordinal);
            Assert.Contains("Ctrl+C stops", screen, StringComparison.Ordinal);
            await TmuxAsync(socket, "send-keys", "-t", session, "C-c");
        }
        finally
        {
            await TmuxAsync(socket, "kill-server");
        }
    }

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
