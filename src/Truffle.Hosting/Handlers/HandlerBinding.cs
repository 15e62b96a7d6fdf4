namespace Truffle.Hosting.Handlers;

/// <summary>
/// One handler class registered for one message or request type. Registrations are kept in the container as
/// instances of the closed generic subclasses, so attaching them at start needs no reflection: each subclass knows
/// its types' wire names and formatters through their static interface members.
/// </summary>
internal abstract class HandlerBinding
{
    /// <summary>The handler class, for logs.</summary>
    public abstract string Handler { get; }

    /// <summary>The wire names a request handler answers, which only one handler per node may; null for messages.</summary>
    public virtual (string Namespace, string Type)? Answers => null;

    /// <summary>Subscribes (or registers the request handler) on <paramref name="bus"/>; dispose the result to detach.</summary>
    public abstract IDisposable Attach(IMessageBus bus, HandlerInvoker invoker);
}
