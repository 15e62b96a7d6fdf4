using Microsoft.Extensions.Logging;
using Truffle;
using Truffle.Hosting;

namespace Hosted;

/// <summary>The notes the worker serves; one for the whole app.</summary>
public sealed class NoteStore
{
    public IReadOnlyDictionary<string, string> Notes { get; } = new Dictionary<string, string> { ["welcome"] = "Notes are served by a hosted node." };

    /// <summary>Completes when the first greeting has been handled.</summary>
    public TaskCompletionSource<string> Greeted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>Stands in for a DbContext: a scoped service, new for every message and disposed after it.</summary>
public sealed class Notebook(NoteStore store) : IDisposable
{
    public string? Find(string id) => store.Notes.GetValueOrDefault(id);

    public void Dispose()
    {
        // A real unit of work would release its connection here.
    }
}

/// <summary>Handles greetings; registered with <c>AddHandler&lt;Greeting, GreetingHandler&gt;()</c>.</summary>
public sealed partial class GreetingHandler(NoteStore store, ILogger<GreetingHandler> logger) : ITruffleHandler<Greeting>
{
    public ValueTask HandleAsync(Greeting message, MessageContext context, CancellationToken cancellationToken)
    {
        LogGreeting(logger, context.From, message.Text);
        store.Greeted.TrySetResult(message.Text);
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(1, LogLevel.Information, "{From} says: {Text}")]
    private static partial void LogGreeting(ILogger logger, string from, string text);
}

/// <summary>Answers <see cref="GetNote"/> from a scoped <see cref="Notebook"/>; an unknown id goes back to the caller as an error.</summary>
public sealed class NoteHandler(Notebook notebook) : ITruffleRequestHandler<GetNote, Note>
{
    public ValueTask<Note> HandleAsync(GetNote request, MessageContext context, CancellationToken cancellationToken) =>
        notebook.Find(request.Id) is { } text
            ? ValueTask.FromResult(new Note(request.Id, text))
            : throw new KeyNotFoundException($"No note '{request.Id}'.");
}
