using System.Threading.Channels;

namespace Truffle.Hosting.Tests.Support;

/// <summary>A scoped service: one per DI scope, so a handler can tell its scope apart from another's.</summary>
public sealed class ScopeProbe : IDisposable
{
    public Guid Id { get; } = Guid.NewGuid();

    public bool Disposed { get; private set; }

    public void Dispose() => Disposed = true;
}

/// <summary>What a handler saw, kept by a singleton so the test can await it.</summary>
public sealed record Handled(string Text, string From, string HandledBy, ScopeProbe Scope);

public sealed class HandledLog
{
    private readonly Channel<Handled> _handled = Channel.CreateUnbounded<Handled>();

    public void Add(Handled handled) => _handled.Writer.TryWrite(handled);

    public Task<Handled> NextAsync() => Wait.For(_handled.Reader.ReadAsync().AsTask());
}

/// <summary>A handler class with a scoped dependency and the node itself, both from its message's scope.</summary>
public sealed class GreetingHandler(ScopeProbe scope, TruffleNode node, HandledLog log) : ITruffleHandler<Greeting>
{
    public ValueTask HandleAsync(Greeting message, MessageContext context, CancellationToken cancellationToken)
    {
        log.Add(new Handled(message.Text, context.From, node.DeviceId, scope));
        return ValueTask.CompletedTask;
    }
}

/// <summary>Answers with its scope's id; a note it does not have is an exception that goes back to the caller.</summary>
public sealed class NoteHandler(ScopeProbe scope) : ITruffleRequestHandler<GetNote, Note>
{
    public ValueTask<Note> HandleAsync(GetNote request, MessageContext context, CancellationToken cancellationToken) =>
        request.Id == "missing"
            ? throw new KeyNotFoundException($"There is no note '{request.Id}'.")
            : ValueTask.FromResult(new Note(request.Id, "asked by " + context.From, scope.Id.ToString()));
}

/// <summary>
/// Holds on to its message until the host's stop cancels it, then, with the node still up, tells the sender it is
/// leaving and gives up.
/// </summary>
public sealed class LingeringHandler(TruffleNode node, HandledLog log) : ITruffleHandler<Greeting>
{
    public async ValueTask HandleAsync(Greeting message, MessageContext context, CancellationToken cancellationToken)
    {
        log.Add(new Handled(message.Text, context.From, node.DeviceId, new ScopeProbe()));
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await node.Bus.Hosting.Send(context.From, new Greeting("still here"), CancellationToken.None);
            throw;
        }
    }
}
