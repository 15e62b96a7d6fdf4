using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Truffle.Wire;

namespace Truffle.Sidecar;

/// <summary>
/// The process plumbing: commands out on a process's stdin, events in from its stdout, replies matched to requests.
/// Events that answer nothing are handed to the owner's dispatcher.
/// </summary>
internal sealed class SidecarChannel : IDisposable
{
    private readonly ILogger _logger;
    private readonly TruffleMetrics _metrics;
    private readonly Func<SidecarRun> _current;
    private readonly Action<SidecarEvent> _dispatch;
    private readonly SemaphoreSlim _uncorrelated = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<SidecarEvent>> _requests = new(StringComparer.Ordinal);
    private PendingReply? _pending;

    /// <param name="logger">Where protocol errors go.</param>
    /// <param name="current">The process commands go to when none is named; throws when there is none.</param>
    /// <param name="dispatch">Called with every event read, on the reading thread.</param>
    /// <param name="metrics">The instruments of the node's <c>Truffle</c> meter.</param>
    public SidecarChannel(ILogger logger, Func<SidecarRun> current, Action<SidecarEvent> dispatch, TruffleMetrics metrics)
    {
        _logger = logger;
        _current = current;
        _dispatch = dispatch;
        _metrics = metrics;
    }

    /// <summary>The longest event line accepted from the sidecar; longer ones are dropped as protocol errors.</summary>
    public int MaxLineLength { get; set; } = LineReader.MaxProtocolLine;

    /// <summary>
    /// Sends a command whose reply has no requestId and waits for the reply event. Such commands run one at a time, so
    /// an error without a requestId belongs to the command in flight. <paramref name="run"/> is the process to send to,
    /// or null for the current one (refused while a restart is under way).
    /// </summary>
    public async Task<SidecarEvent> RequestAsync(
        SidecarRun? run, byte[] command, string replyEvent, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await _uncorrelated.WaitAsync(cancellationToken).ConfigureAwait(false);
        var pending = new PendingReply(replyEvent);
        try
        {
            Volatile.Write(ref _pending, pending);
            SendTo(run ?? _current(), command);
            return await AwaitReplyAsync(pending.Reply.Task, timeout, replyEvent, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.CompareExchange(ref _pending, null, pending);
            _uncorrelated.Release();
        }
    }

    /// <summary>Sends a command that carries <paramref name="requestId"/> to the current process and waits for its reply.</summary>
    public async Task<SidecarEvent> RequestByIdAsync(
        string requestId, byte[] command, string what, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource<SidecarEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests[requestId] = reply;
        try
        {
            Send(command);
            return await AwaitReplyAsync(reply.Task, timeout, what, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _requests.TryRemove(requestId, out _);
        }
    }

    /// <summary>Sends a command to the current process, or fails at once when there is none or it is restarting.</summary>
    public void Send(byte[] command) => SendTo(_current(), command);

    public static void SendTo(SidecarRun run, byte[] command)
    {
        if (!run.Commands.Writer.TryWrite(command))
        {
            throw run.ExitError ?? new SidecarException(SidecarException.ProcessExitedCode, "The sidecar is not running.");
        }
    }

    /// <summary>Completes the request <paramref name="e"/> answers; false when it answers none.</summary>
    public bool TryComplete(SidecarEvent e)
    {
        if (e.RequestId is { } requestId && _requests.TryRemove(requestId, out var reply))
        {
            return reply.TrySetResult(e);
        }

        if (Volatile.Read(ref _pending) is { } pending && pending.ReplyEvent == e.Name)
        {
            return pending.Reply.TrySetResult(e);
        }

        return false;
    }

    /// <summary>
    /// Fails the request with <paramref name="requestId"/>, or the command in flight when there is no id; false when
    /// no such request waits (the id may be a dial's).
    /// </summary>
    public bool TryFail(string? requestId, SidecarException error)
    {
        if (requestId is not null)
        {
            if (_requests.TryRemove(requestId, out var request))
            {
                request.TrySetException(error);
                return true;
            }

            return false;
        }

        if (Volatile.Read(ref _pending) is { } pending)
        {
            pending.Reply.TrySetException(error);
            return true;
        }

        return false;
    }

    /// <summary>Fails the request in flight and every request with an id.</summary>
    public void FailAll(SidecarException error)
    {
        Volatile.Read(ref _pending)?.Reply.TrySetException(error);
        foreach (string id in _requests.Keys)
        {
            if (_requests.TryRemove(id, out var request))
            {
                request.TrySetException(error);
            }
        }
    }

    /// <summary>Copies <paramref name="run"/>'s commands to its stdin until the process goes away.</summary>
    public static async Task WriteCommandsAsync(SidecarRun run, Stream stdin, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (byte[] line in run.Commands.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await stdin.WriteAsync(line, cancellationToken).ConfigureAwait(false);
                await stdin.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The process went away; the supervisor reports it.
        }
    }

    /// <summary>Reads events from a process's stdout and dispatches them until the process goes away.</summary>
    public async Task ReadEventsAsync(Stream stdout, CancellationToken cancellationToken)
    {
        var reader = new LineReader(stdout, MaxLineLength);
        try
        {
            while (true)
            {
                var (status, line) = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                if (status == LineStatus.EndOfStream)
                {
                    break;
                }

                if (status == LineStatus.TooLarge)
                {
                    SidecarLog.ProtocolError(_logger, "an event line over the length cap was dropped");
                    _metrics.SidecarProtocolErrors.Add(1, new KeyValuePair<string, object?>("reason", "too_large"));
                    continue;
                }

                if (!SidecarProtocol.TryParseEvent(line, out SidecarEvent parsed))
                {
                    SidecarLog.ProtocolError(_logger, "a line that is not an event was dropped");
                    _metrics.SidecarProtocolErrors.Add(1, new KeyValuePair<string, object?>("reason", "malformed"));
                    continue;
                }

                _dispatch(parsed);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The process went away; the supervisor fails what is pending, with the exit code.
        }
    }

    public void Dispose() => _uncorrelated.Dispose();

    private static async Task<SidecarEvent> AwaitReplyAsync(Task<SidecarEvent> reply, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await reply.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new SidecarException(SidecarException.TimeoutCode,
                string.Create(CultureInfo.InvariantCulture, $"The sidecar did not answer ({what}) within {timeout.TotalSeconds:0.#} s."), e);
        }
    }

    private sealed class PendingReply(string replyEvent)
    {
        public string ReplyEvent { get; } = replyEvent;

        public TaskCompletionSource<SidecarEvent> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
