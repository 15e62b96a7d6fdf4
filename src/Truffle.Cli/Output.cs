using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Truffle.Cli;

/// <summary>
/// Where a command writes: tables, spinners and colour on a terminal; plain text without escape codes when stdout is
/// redirected; with <c>--json</c>, one JSON object per line on stdout and nothing else. Notes (progress, what the
/// tool is waiting for) always go to stderr, so stdout carries only data.
/// </summary>
internal sealed class Output
{
    private readonly TextWriter _stdout;
    private readonly TextWriter _stderr;
    private readonly Lock _gate = new();

    public Output(bool json, TextWriter stdout, TextWriter stderr, bool interactive)
    {
        Json = json;
        _stdout = stdout;
        _stderr = stderr;
        Interactive = interactive && !json;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = Interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = Interactive && Environment.GetEnvironmentVariable("NO_COLOR") is null ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = Interactive ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!Interactive)
        {
            // Redirected output has no width; a narrow default would wrap device ids inside table cells.
            Console.Profile.Width = 240;
        }
    }

    /// <summary>True with <c>--json</c>.</summary>
    public bool Json { get; }

    /// <summary>True when stdout is a terminal and the output is not JSON: spinners and live tables are allowed.</summary>
    public bool Interactive { get; }

    /// <summary>The Spectre console over stdout (plain when not <see cref="Interactive"/>).</summary>
    public IAnsiConsole Console { get; }

    /// <summary>For the process itself: interactive when stdout is a terminal.</summary>
    public static Output ForProcess(bool json) =>
        new(json, System.Console.Out, System.Console.Error, interactive: !System.Console.IsOutputRedirected);

    /// <summary>A progress note on stderr.</summary>
    public void Note(string text)
    {
        lock (_gate)
        {
            _stderr.WriteLine(text);
        }
    }

    /// <summary>One JSON object on one line of stdout.</summary>
    public void JsonLine(JsonObject value)
    {
        string line = value.ToJsonString();
        lock (_gate)
        {
            _stdout.WriteLine(line);
            _stdout.Flush();
        }
    }

    /// <summary>One line of text on stdout (markup is not interpreted).</summary>
    public void Line(string text)
    {
        lock (_gate)
        {
            _stdout.WriteLine(text);
            _stdout.Flush();
        }
    }

    /// <summary>A table or other renderable on stdout.</summary>
    public void Write(IRenderable renderable)
    {
        lock (_gate)
        {
            Console.Write(renderable);
        }
    }

    /// <summary>Runs <paramref name="work"/> under a spinner when interactive.</summary>
    public async Task<T> SpinAsync<T>(string status, Func<Task<T>> work)
    {
        if (!Interactive)
        {
            return await work().ConfigureAwait(false);
        }

        return await Console.Status().Spinner(Spinner.Known.Dots).StartAsync(Markup.Escape(status), _ => work()).ConfigureAwait(false);
    }
}
