using System.Collections.Concurrent;
using System.ComponentModel;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using CliWrap;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Truffle.Wire;

namespace Truffle.Sidecar;

/// <summary>The process plumbing: commands out on stdin, events in on stdout, replies matched to requests.</summary>
public sealed partial class SidecarClient
{
    /// <summary>
    /// Sends a command whose reply has no requestId and waits for the reply event. Such commands run one at a time, so
    /// an error without a requestId belongs to the command in flight. <paramref name="run"/> is the process to send to,
    /// or null for the current one (refused while a restart is under way).
    /// </summary>
    private async Task<SidecarEvent> RequestAsync(
        ProcessRun? run, byte[] command, string replyEvent, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await _uncorrelated.WaitAsync(cancellationToken).ConfigureAwait(false);
        var pending = new PendingReply(replyEvent);
        try
        {
            Volatile.Write(ref _pending, pending);
            if (run is null)
            {
                Send(command);
            }
            else
            {
                SendTo(run, command);
            }

            return await Await(pending.Reply.Task, timeout, replyEvent, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.CompareExchange(ref _pending, null, pending);
            _uncorrelated.Release();
        }
    }

    private static async Task<SidecarEvent> Await(Task<SidecarEvent> reply, TimeSpan timeout, string what, CancellationToken cancellationToken)
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

    /// <summary>Sends a command to the current process, or fails at once when there is none or it is restarting.</summary>
    private void Send(byte[] command)
    {
        if (_restarting)
        {
            throw new SidecarException(SidecarException.ProcessExitedCode, "The sidecar process exited and is being restarted.");
        }

        SendTo(_run ?? throw new SidecarException(SidecarException.ProcessExitedCode, "The sidecar is not running."), command);
    }

    private static void SendTo(ProcessRun run, byte[] command)
    {
        if (!run.Commands.Writer.TryWrite(command))
        {
            throw run.ExitError ?? new SidecarException(SidecarException.ProcessExitedCode, "The sidecar is not running.");
        }
    }

    private static async Task WriteCommandsAsync(ProcessRun run, Stream stdin, CancellationToken cancellationToken)
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
            // The process went away; ObserveExitAsync reports it.
        }
    }

    private async Task ReadEventsAsync(Stream stdout, CancellationToken cancellationToken)
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
                    TruffleMetrics.SidecarProtocolErrors.Add(1, new KeyValuePair<string, object?>("reason", "too_large"));
                    continue;
                }

                if (!SidecarProtocol.TryParseEvent(line, out SidecarEvent parsed))
                {
                    SidecarLog.ProtocolError(_logger, "a line that is not an event was dropped");
                    TruffleMetrics.SidecarProtocolErrors.Add(1, new KeyValuePair<string, object?>("reason", "malformed"));
                    continue;
                }

                Dispatch(parsed);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The process went away; ObserveExitAsync fails what is pending, with the exit code.
        }
    }

    private void Dispatch(SidecarEvent e)
    {
        string? requestId = e.RequestId;
        switch (e.Name)
        {
            case SidecarProtocol.EvtStatus:
                Status = SidecarProtocol.ParseStatus(e.Data);
                return;
            case SidecarProtocol.EvtAuthRequired:
                Raise(() => AuthRequired?.Invoke(this, SidecarProtocol.String(e.Data, "authUrl")));
                return;
            case SidecarProtocol.EvtNeedsApproval:
                Raise(() => NeedsApproval?.Invoke(this, EventArgs.Empty));
                return;
            case SidecarProtocol.EvtPeerChanged:
                Raise(() => PeerChanged?.Invoke(this, SidecarProtocol.ParsePeerChange(e.Data)));
                return;
            case SidecarProtocol.EvtDialResult:
                if (requestId is not null && e.Data.TryGetProperty("success", out JsonElement ok) && ok.ValueKind == JsonValueKind.False)
                {
                    _bridge?.FailDial(requestId, new SidecarException("DIAL_ERROR", "Dial failed: " + SidecarProtocol.String(e.Data, "error")));
                }

                return;
            case SidecarProtocol.EvtError:
                var error = SidecarProtocol.ToException(e);
                if (requestId is not null)
                {
                    if (_requests.TryRemove(requestId, out var request))
                    {
                        request.TrySetException(error);
                    }
                    else
                    {
                        _bridge?.FailDial(requestId, error);
                    }
                }
                else if (Volatile.Read(ref _pending) is { } pending)
                {
                    pending.Reply.TrySetException(error);
                }
                else
                {
                    SidecarLog.UncorrelatedError(_logger, error.Code, error.Message);
                }

                return;
        }

        if (requestId is not null && _requests.TryRemove(requestId, out var reply))
        {
            reply.TrySetResult(e);
        }
        else if (Volatile.Read(ref _pending) is { } pending && pending.ReplyEvent == e.Name)
        {
            pending.Reply.TrySetResult(e);
        }
    }

    private void Raise(Action raise)
    {
        try
        {
            raise();
        }
#pragma warning disable CA1031 // a subscriber's exception must not stop the event loop
        catch (Exception e)
#pragma warning restore CA1031
        {
            TruffleMetrics.HandlerErrors.Add(1, new KeyValuePair<string, object?>("namespace", "sidecar"));
            SidecarLog.HandlerFailed(_logger, e);
        }
    }

    private void OnStandardError(string line)
    {
        foreach (string secret in _secrets)
        {
            line = line.Replace(secret, "***", StringComparison.Ordinal);
        }

        SidecarLog.SidecarOutput(_logger, line);
    }

    /// <summary>Fails the request in flight, every request with an id and every pending dial.</summary>
    private void FailPending(SidecarException error)
    {
        Volatile.Read(ref _pending)?.Reply.TrySetException(error);
        foreach (string id in _requests.Keys)
        {
            if (_requests.TryRemove(id, out var request))
            {
                request.TrySetException(error);
            }
        }

        _bridge?.FailAllDials(error);
    }

    private sealed class PendingReply(string replyEvent)
    {
        public string ReplyEvent { get; } = replyEvent;

        public TaskCompletionSource<SidecarEvent> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
