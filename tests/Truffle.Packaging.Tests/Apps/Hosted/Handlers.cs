using System.Collections.Concurrent;
using System.Threading.Channels;
using Truffle;
using Truffle.Hosting;

namespace Hosted;

/// <summary>A scoped service, as a DbContext would be: one per handler call, disposed after it.</summary>
public sealed class Notebook : IDisposable
{
    public bool Disposed { get; private set; }

    public string? Find(string id) => id == "welcome" ? "served by a hosted node" : null;

    public void Dispose() => Disposed = true;
}

/// <summary>What the handlers saw, for the program to print: the greetings and each call's notebook.</summary>
public sealed class Calls
{
    public ConcurrentQueue<Notebook> Notebooks { get; } = new();

    public Channel<string> Greetings { get; } = Channel.CreateUnbounded<string>();
}

public sealed class GreetingHandler(Notebook notebook, Calls calls) : ITruffleHandler<Greeting>
{
    public ValueTask HandleAsync(Greeting message, MessageContext context, CancellationToken cancellationToken)
    {
        calls.Notebooks.Enqueue(notebook);
        calls.Greetings.Writer.TryWrite(message.Text);
        return ValueTask.CompletedTask;
    }
}

public sealed class NoteHandler(Notebook notebook, Calls calls) : ITruffleRequestHandler<GetNote, Note>
{
    public ValueTask<Note> HandleAsync(GetNote request, MessageContext context, CancellationToken cancellationToken)
    {
        calls.Notebooks.Enqueue(notebook);
        return notebook.Find(request.Id) is { } text
            ? ValueTask.FromResult(new Note(request.Id, text))
            : throw new KeyNotFoundException($"No note '{request.Id}'.");
    }
}
