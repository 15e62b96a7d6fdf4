namespace Truffle.Hosting;

/// <summary>
/// A handler class for one message type, registered with
/// <see cref="TruffleBuilder.AddHandler{TMessage, THandler}(SubscriptionOptions?)"/>. Every message gets a new DI scope
/// and a handler instance from it, so the class may take scoped services (a DbContext, a unit of work).
/// </summary>
/// <typeparam name="TMessage">A <c>[TruffleMessage]</c> type.</typeparam>
public interface ITruffleHandler<TMessage>
{
    /// <summary>Handles one message. Messages of one registration are handled one at a time, in order per sender.</summary>
    /// <param name="message">The message.</param>
    /// <param name="context">Who sent it and how.</param>
    /// <param name="cancellationToken">Cancelled when the host stops.</param>
    /// <returns>
    /// A task; if it throws, the bus logs the exception, counts it in <c>truffle.handler.errors</c> and goes on with the
    /// next message.
    /// </returns>
    ValueTask HandleAsync(TMessage message, MessageContext context, CancellationToken cancellationToken);
}
