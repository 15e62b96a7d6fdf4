using Truffle.Messaging;

namespace Truffle.Hosting.Handlers;

/// <summary>Answers <typeparamref name="TRequest"/> with <typeparamref name="THandler"/>.</summary>
internal sealed class RequestHandlerBinding<TRequest, TReply, THandler> : HandlerBinding
    where TRequest : ITruffleMessage<TRequest>, IRequest<TReply>
    where TReply : ITruffleSerializable<TReply>
    where THandler : class, ITruffleRequestHandler<TRequest, TReply>
{
    public override string Handler => typeof(THandler).Name;

    public override (string Namespace, string Type)? Answers => (TRequest.WireNamespace, TRequest.WireType);

    public override IDisposable Attach(IMessageBus bus, HandlerInvoker invoker) => TypedBus.Handle<TRequest, TReply>(
        bus,
        TRequest.WireNamespace,
        TRequest.WireType,
        TRequest.Formatter,
        TReply.Formatter,
        (request, context, _) => invoker.InvokeAsync<THandler, TRequest, TReply>(
            request,
            context,
            static (handler, request, context, cancellationToken) => handler.HandleAsync(request, context, cancellationToken),
            invoker.Stopping));
}
