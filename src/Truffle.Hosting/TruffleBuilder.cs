using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Truffle.Hosting.Handlers;

namespace Truffle.Hosting;

/// <summary>
/// What <c>services.AddTruffle(...)</c> returns: registers handler classes for the hosted node. Calls chain.
/// </summary>
/// <remarks>
/// Handlers attach when the node starts and detach before it stops. Registration is generic over the message type,
/// whose generated static members give its wire names and formatter, so nothing is looked up by reflection and the
/// app stays trimming- and Native-AOT-clean.
/// </remarks>
public sealed class TruffleBuilder
{
    internal TruffleBuilder(IServiceCollection services) => Services = services;

    /// <summary>The container being configured.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Calls <typeparamref name="THandler"/> for every <typeparamref name="TMessage"/> the node receives, each time
    /// with a new DI scope. <typeparamref name="THandler"/> is registered as scoped unless it is registered already.
    /// Registering the same pair twice has no further effect; several handler classes for one message type each get
    /// every message.
    /// </summary>
    /// <param name="options">The subscription's queue (capacity and overflow policy); null for the defaults.</param>
    public TruffleBuilder AddHandler<TMessage, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(
        SubscriptionOptions? options = null)
        where TMessage : ITruffleMessage<TMessage>
        where THandler : class, ITruffleHandler<TMessage>
    {
        Services.TryAddScoped<THandler>();
        if (!Bindings().Any(b => b is MessageHandlerBinding<TMessage, THandler>))
        {
            Services.AddSingleton<HandlerBinding>(new MessageHandlerBinding<TMessage, THandler>(options));
        }

        return this;
    }

    /// <summary>
    /// Answers every <typeparamref name="TRequest"/> with <typeparamref name="THandler"/>, each time with a new DI
    /// scope. <typeparamref name="THandler"/> is registered as scoped unless it is registered already. The reply must
    /// be an annotated type (<c>[TruffleMessage]</c> or <c>[SyncedSlice]</c>); for another reply type, register with
    /// the generated <c>Handle</c> method of the namespace's typed API instead.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// A handler for <typeparamref name="TRequest"/> is registered already: a node answers each request type once.
    /// </exception>
    public TruffleBuilder AddRequestHandler<TRequest, TReply, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>()
        where TRequest : ITruffleMessage<TRequest>, IRequest<TReply>
        where TReply : ITruffleSerializable<TReply>
        where THandler : class, ITruffleRequestHandler<TRequest, TReply>
    {
        var binding = new RequestHandlerBinding<TRequest, TReply, THandler>();
        if (Bindings().FirstOrDefault(b => b.Answers == binding.Answers) is { } existing)
        {
            throw new InvalidOperationException(
                $"{existing.Handler} already answers {TRequest.WireNamespace}/{TRequest.WireType}; a node answers each request type with one handler, so {binding.Handler} cannot be added.");
        }

        Services.TryAddScoped<THandler>();
        Services.AddSingleton<HandlerBinding>(binding);
        return this;
    }

    private IEnumerable<HandlerBinding> Bindings() =>
        Services.Where(d => d.ServiceType == typeof(HandlerBinding)).Select(d => d.ImplementationInstance).OfType<HandlerBinding>();
}
