using Xunit;

namespace Truffle.Cli.Tests;

/// <summary><c>truffle --help</c> and each command's help: complete, named <c>truffle</c>, exit code 0.</summary>
public sealed class HelpTests
{
    private static readonly string[] CommonOptions =
        ["--app", "--network <loopback|tailscale>", "--loopback-dir", "--sidecar", "--state-dir", "--timeout", "--json", "--verbose", "-?, -h, --help"];

    private static readonly string[] Commands = ["peers", "status", "watch", "send", "request", "dev", "demo", "doctor"];

    public static TheoryData<string, string[]> CommandOptions => new()
    {
        { "peers", [] },
        { "status", [] },
        { "watch", ["<NS>", "--type", "--store", "--count"] },
        { "send", ["<DEVICE NS TYPE JSON>", "--all"] },
        { "request", ["<DEVICE>", "<NS>", "<TYPE>", "<JSON>"] },
        { "dev", ["--nodes"] },
        { "demo", [] },
        { "doctor", [] },
    };

    [Fact]
    public async Task Root_help_lists_every_command_and_every_common_option_and_exits_0()
    {
        ToolResult result = await Tool.RunAsync("--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Stderr);
        Assert.Contains("Usage:\n  truffle [command] [options]", result.Stdout.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.All([.. CommonOptions, "--version"], option => Assert.Contains("  " + option, result.Stdout, StringComparison.Ordinal));
        string[] listed = [.. result.Stdout.ReplaceLineEndings("\n").Split("Commands:\n")[1].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim().Split(' ')[0])];
        Assert.Equal(Commands, listed);
    }

    [Theory]
    [MemberData(nameof(CommandOptions))]
    public async Task Each_commands_help_lists_its_own_options_and_the_common_ones_and_exits_0(string command, string[] own)
    {
        ToolResult result = await Tool.RunAsync(command, "--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Stderr);
        Assert.Contains($"  truffle {command} ", result.Stdout, StringComparison.Ordinal);
        Assert.All([.. own, .. CommonOptions], option => Assert.Contains("  " + option, result.Stdout, StringComparison.Ordinal));
        // Every option has a description: no line of the options list is a bare name.
        string options = result.Stdout.ReplaceLineEndings("\n").Split("Options:\n")[1];
        Assert.All(options.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Matches(@"^  \S.*\S\s{2,}\S", line));
    }

    [Fact]
    public async Task Version_prints_the_tools_version_and_exits_0()
    {
        ToolResult result = await Tool.RunAsync("--version");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"^\d+\.\d+\.\d+", result.Stdout.Trim());
    }

    [Theory]
    [InlineData("peers", "--bogus")]
    [InlineData("peerz")]
    public async Task An_unknown_option_or_command_is_a_usage_error_naming_it_and_pointing_at_help(params string[] arguments)
    {
        ToolResult result = await Tool.RunAsync(arguments);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"truffle: Unrecognized command or argument '{arguments[^1]}'. (see truffle --help)", result.Stderr.Trim());
    }
}
