using System.Collections;
using System.Text;
using CliWrap;
using CliWrap.Buffered;

namespace Truffle.Packaging.Tests;

/// <summary>What a finished command printed, and how it ended.</summary>
public sealed record CommandOutput(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Every line of standard output and standard error.</summary>
    public IEnumerable<string> Lines => (StandardOutput + "\n" + StandardError).Split('\n').Select(line => line.TrimEnd('\r'));

    /// <summary>This output, after checking that the command exited 0; otherwise an exception with everything it printed.</summary>
    public CommandOutput Succeeded() => ExitCode == 0
        ? this
        : throw new InvalidOperationException($"`{Command}` exited {ExitCode}:\n{StandardOutput}\n{StandardError}");

    /// <inheritdoc/>
    public override string ToString() => $"`{Command}` (exit {ExitCode}):\n{StandardOutput}\n{StandardError}";
}

/// <summary>Runs processes for the package tests, each bounded in time and killed when it runs over.</summary>
public static class Commands
{
    /// <summary>
    /// Runs <paramref name="program"/> and returns its output whatever its exit code. The environment is this
    /// process's without the MSBuild variables that <c>dotnet test</c> sets (they would point a child build at the
    /// test run's MSBuild), plus <paramref name="environment"/>.
    /// </summary>
    /// <exception cref="TimeoutException">It ran longer than <paramref name="timeout"/>; it was killed.</exception>
    public static async Task<CommandOutput> RunAsync(
        string program, IReadOnlyList<string> arguments, string workingDirectory, TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null, string? standardInput = null)
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            string name = (string)entry.Key;
            if (name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) && !name.Equals("MSBUILDTERMINALLOGGER", StringComparison.OrdinalIgnoreCase))
            {
                variables[name] = null;
            }
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            variables[name] = value;
        }

        string description = $"{program} {string.Join(' ', arguments)}";
        Command command = Cli.Wrap(program)
            .WithArguments(arguments)
            .WithWorkingDirectory(workingDirectory)
            .WithEnvironmentVariables(variables)
            .WithValidation(CommandResultValidation.None);
        if (standardInput is not null)
        {
            command = command.WithStandardInputPipe(PipeSource.FromString(standardInput));
        }

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            BufferedCommandResult result = await command.ExecuteBufferedAsync(Encoding.UTF8, deadline.Token);
            return new CommandOutput(description, result.ExitCode, result.StandardOutput, result.StandardError);
        }
        catch (OperationCanceledException e) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"`{description}` did not finish within {timeout} and was killed.", e);
        }
    }
}
