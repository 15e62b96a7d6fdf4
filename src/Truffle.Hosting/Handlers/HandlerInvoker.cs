using Microsoft.Extensions.DependencyInjection;

namespace Truffle.Hosting.Handlers;

/// <summary>
/// Calls a handler class the way every registration does: a new DI scope per message, the handler resolved from it,
/// the call counted by outcome. Exceptions go on to the bus, which logs and counts them (and, for a request, sends
/// them back to the caller as a remote error).
/// </summary>
internal sealed class HandlerInvoker(IServiceScopeFactory scopes, HandlerActivity activity, HostingMetrics metrics, CancellationToken stopping)
{
    /// <summary>Cancelled when the host stops; given to request handlers, which the bus calls without a token.</summary>
    public CancellationToken Stopping => stopping;

    /// <summary>Resolves <typeparamref name="THandler"/> in a new scope and runs <paramref name="call"/> on it.</summary>
    public async ValueTask<TResult> InvokeAsync<THandler, TArgument, TResult>(
        TArgument argument,
        MessageContext context,
        Func<THandler, TArgument, MessageContext, CancellationToken, ValueTask<TResult>> call,
        CancellationToken cancellationToken)
        where THandler : class
    {
        using HandlerActivity.Entry running = activity.Enter();
        string outcome = HostingMetrics.Failed;
        try
        {
            AsyncServiceScope scope = scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                THandler handler = scope.ServiceProvider.GetRequiredService<THandler>();
                TResult result = await call(handler, argument, context, cancellationToken).ConfigureAwait(false);
                outcome = HostingMetrics.Succeeded;
                return result;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = HostingMetrics.Canceled;
            throw;
        }
        finally
        {
            metrics.HandlerInvoked(typeof(THandler).Name, outcome);
        }
    }
}
