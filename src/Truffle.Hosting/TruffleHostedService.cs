using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Truffle.Hosting.Handlers;

namespace Truffle.Hosting;

/// <summary>
/// Starts the node when the host starts and attaches the handler classes; on stop detaches them, waits for the calls
/// in progress (within the host's shutdown time) and disposes the node, which says goodbye to the other devices.
/// </summary>
internal sealed class TruffleHostedService(
    IServiceProvider services,
    Func<IServiceProvider, TruffleOptions> optionsFactory,
    HostedTruffleNode hosted,
    IEnumerable<HandlerBinding> bindings,
    HostingMetrics metrics,
    ILoggerFactory loggerFactory) : IHostedService, IDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<TruffleHostedService>();
    private readonly CancellationTokenSource _stopping = new();
    private readonly HandlerActivity _activity = new();
    private readonly List<IDisposable> _attached = [];
    private TruffleNode? _node;

    /// <summary>
    /// Reads the options, starts the node and attaches the handlers. The host does not finish starting until the node
    /// is on the network; if anything fails, the node is left stopped and the host's start fails with the exception.
    /// </summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The configuration has a bad or unknown setting.</exception>
    /// <exception cref="ArgumentException">An option is invalid (see <see cref="TruffleNode.StartAsync"/>).</exception>
    /// <exception cref="SidecarException">The sidecar is missing, failed to start, or the network refused the node.</exception>
    /// <exception cref="TruffleException">Another running node uses the same state directory.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        hosted.Starting();
        try
        {
            TruffleOptions options = optionsFactory(services);
            options = options with
            {
                LoggerFactory = options.LoggerFactory ?? loggerFactory,
                TimeProvider = options.TimeProvider ?? services.GetService<TimeProvider>(),
                MeterFactory = options.MeterFactory ?? services.GetService<IMeterFactory>(),
            };
            _node = await TruffleNode.StartAsync(options, cancellationToken).ConfigureAwait(false);

            // Running before the handlers attach: a handler may resolve TruffleNode from its scope at once.
            hosted.Running(_node);
            var invoker = new HandlerInvoker(services.GetRequiredService<IServiceScopeFactory>(), _activity, metrics, _stopping.Token);
            foreach (HandlerBinding binding in bindings)
            {
                _attached.Add(binding.Attach(_node.Bus, invoker));
            }

            HostingLog.Started(_logger, _node.DeviceId, _node.Hostname, options.Network, _attached.Count);
        }
        catch (Exception e)
        {
            HostingLog.StartFailed(_logger, e);
            hosted.Failed(e);
            await StopNodeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Detaches the handlers, waits for the calls in progress until <paramref name="cancellationToken"/> (the host's
    /// shutdown time) runs out, then disposes the node: it says goodbye, so the other devices see it leave at once.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_node is null)
        {
            hosted.Stopped();
            return;
        }

        HostingLog.Stopping(_logger, _node.DeviceId);
        hosted.Stopping();

        // Detached first: a message that still arrives is then dropped by the bus rather than refused by the drain.
        Detach();
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _activity.DrainAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            HostingLog.HandlersStillRunning(_logger, _activity.Running);
        }

        string deviceId = _node.DeviceId;
        await StopNodeAsync().ConfigureAwait(false);
        hosted.Stopped();
        HostingLog.Stopped(_logger, deviceId);
    }

    public void Dispose() => _stopping.Dispose();

    private void Detach()
    {
        foreach (IDisposable attached in _attached)
        {
            attached.Dispose();
        }

        _attached.Clear();
    }

    private async ValueTask StopNodeAsync()
    {
        Detach();
        if (_node is { } node)
        {
            _node = null;
            await node.DisposeAsync().ConfigureAwait(false);
        }
    }
}
