using System.Collections.Concurrent;
using System.ComponentModel;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using CliWrap;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Truffle.Sidecar;

/// <summary>The process plumbing: commands out on stdin, events in on stdout, replies matched to requests.</summary>
public sealed partial class SidecarClient
{
    /// <summary>
    /// Sends a command whose reply has no requestId and waits for the reply event. Such commands run one at a time, so
    /// an error without a requestId belongs to the command in flight.
    /// </summary>
    private async Task<SidecarEvent> RequestAsync(byte[] command, string replyEvent, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await _uncorrelated.WaitAsync(cancellationToken).ConfigureAwait(false);
        var pending = new PendingReply(replyEvent);
        try
        {
            Volatile.Write(ref _pending, pending);
            Send(command);
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

    private void Send(byte[] command)
    {
        if (_exited is { } exited)
        {
            throw exited;
        }

        if (_process is null || !_commands.Writer.TryWrite(command))
        {
            throw new SidecarException(SidecarException.ProcessExitedCode, "The sidecar is not running.");
        }
    }

    private async Task WriteCommandsAsync(Stream stdin, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (byte[] line in _commands.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await stdin.WriteAsync(line, cancellationToken).ConfigureAwait(false);
                await stdin.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The process went away; ReadEventsAsync reports it.
        }
    }

    private async Task ReadEventsAsync(Stream stdout, CancellationToken cancellationToken)
    {
        var reader = new LineReader(stdout);
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
                    SidecarLog.ProtocolError(_logger, "an event line over 8 MiB was dropped");
                    continue;
                }

                if (!SidecarProtocol.TryParseEvent(line, out SidecarEvent parsed))
                {
                    SidecarLog.ProtocolError(_logger, "a line that is not an event was dropped");
                    continue;
                }

                Dispatch(parsed);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The process went away.
        }

        FailAll(new SidecarException(SidecarException.ProcessExitedCode, "The sidecar process exited."));
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

    private async Task ObserveExitAsync(Task<CommandResult> running)
    {
        try
        {
            CommandResult result = await running.ConfigureAwait(false);
            SidecarLog.ProcessExited(_logger, result.ExitCode);
        }
        catch (OperationCanceledException)
        {
            // Killed by DisposeAsync.
        }
#pragma warning disable CA1031 // the exit observer must never fault
        catch (Exception e)
#pragma warning restore CA1031
        {
            SidecarLog.ProcessFailed(_logger, e);
        }

        FailAll(new SidecarException(SidecarException.ProcessExitedCode, "The sidecar process exited."));
    }

    private void FailAll(SidecarException error)
    {
        _exited ??= error;
        _commands.Writer.TryComplete();
        Volatile.Read(ref _pending)?.Reply.TrySetException(error);
        foreach (string id in _requests.Keys)
        {
            if (_requests.TryRemove(id, out var request))
            {
                request.TrySetException(error);
            }
        }
    }

    private sealed class PendingReply(string replyEvent)
    {
        public string ReplyEvent { get; } = replyEvent;

        public TaskCompletionSource<SidecarEvent> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
