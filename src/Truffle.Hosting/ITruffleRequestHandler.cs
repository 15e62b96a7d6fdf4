namespace Truffle.Hosting;

/// <summary>
/// A handler class that answers one request type, registered with
/// <see cref="TruffleBuilder.AddRequestHandler{TRequest, TReply, THandler}"/>. Every request gets a new DI scope and a
/// handler instance from it.
/// </summary>
/// <typeparam name="TRequest">A <c>[TruffleMessage]</c> type that implements <see cref="IRequest{TReply}"/>.</typeparam>
/// <typeparam name="TReply">The reply type.</typeparam>
public interface ITruffleRequestHandler<TRequest, TReply>
    where TRequest : IRequest<TReply>
{
    /// <summary>Answers one request. Requests may be answered concurrently.</summary>
    /// <param name="request">The request.</param>
    /// <param name="context">Who asked.</param>
    /// <param name="cancellationToken">Cancelled when the host stops.</param>
    /// <returns>
    /// The reply. If it throws, the caller's request fails with a <see cref="RemoteHandlerException"/> carrying the
    /// exception's type name and message; this side logs it and counts it in <c>truffle.handler.errors</c>.
    /// </returns>
    ValueTask<TReply> HandleAsync(TRequest request, MessageContext context, CancellationToken cancellationToken);
}
