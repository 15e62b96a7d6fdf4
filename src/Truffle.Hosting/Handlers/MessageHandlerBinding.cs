using Truffle.Messaging;

namespace Truffle.Hosting.Handlers;

/// <summary>Subscribes <typeparamref name="THandler"/> to <typeparamref name="TMessage"/>.</summary>
internal sealed class MessageHandlerBinding<TMessage, THandler>(SubscriptionOptions? options) : HandlerBinding
    where TMessage : ITruffleMessage<TMessage>
    where THandler : class, ITruffleHandler<TMessage>
{
    public override string Handler => typeof(THandler).Name;

    public override IDisposable Attach(IMessageBus bus, HandlerInvoker invoker) => TypedBus.On<TMessage>(
        bus,
        TMessage.WireNamespace,
        TMessage.WireType,
        TMessage.Formatter,
        async (message, context, cancellationToken) => await invoker.InvokeAsync<THandler, TMessage, bool>(
            message,
            context,
            static async (handler, message, context, cancellationToken) =>
            {
                await handler.HandleAsync(message, context, cancellationToken).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false),
        options);
}
