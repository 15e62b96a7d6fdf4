using System.Reflection;
using System.Text;
using CliWrap;

namespace Truffle.Cli.Tests;

/// <summary>The built tool, run as a process (<c>dotnet Truffle.Cli.dll ...</c>) with stdout and stderr captured.</summary>
internal static class Tool
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static string Path { get; } = typeof(Tool).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Tool").Value!;

    public static Command Command(params string[] arguments) =>
        CliWrap.Cli.Wrap("dotnet")
            .WithArguments([Path, .. arguments])
            .WithEnvironmentVariables(e => e.Set("TRUFFLE_APP", null).Set("NO_COLOR", null))
            .WithValidation(CommandResultValidation.None);

    /// <summary>Runs the tool to its end.</summary>
    public static async Task<ToolResult> RunAsync(params string[] arguments)
    {
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using var patience = new CancellationTokenSource(Patience);
        CommandResult result = await Command(arguments)
            .WithStandardOutputPipe(PipeTarget.ToStringBuilder(stdout))
            .WithStandardErrorPipe(PipeTarget.ToStringBuilder(stderr))
            .ExecuteAsync(patience.Token);
        return new ToolResult(result.ExitCode, stdout.ToString(), stderr.ToString());
    }
}

internal sealed record ToolResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] Lines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
