using System.Diagnostics;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using Truffle.Wire;

namespace Truffle.Transport;

/// <summary>
/// The hello exchange on a freshly upgraded WebSocket. Both sides send their hello at once, check the peer's, then
/// send an empty binary message to say "accepted" and wait for the peer's: so each side learns the other's verdict
/// before it starts sending envelopes, and a refused side reads the close code instead of guessing. The whole
/// exchange must finish within <see cref="TransportOptions.HelloTimeout"/>.
/// </summary>
internal sealed class HelloExchange
{
    // How long a refusal waits for the peer to answer our close frame; answering drains what the peer sent, so the
    // close does not turn into a TCP reset that could destroy the close frame before the peer reads it.
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(1);

    private readonly WebSocket _socket;
    private readonly TransportOptions _options;
    private readonly ILogger _logger;
    private readonly string _remote;
    private readonly byte[] _buffer = new byte[HelloCodec.MaxHelloBytes];
    private readonly long _started = Stopwatch.GetTimestamp();
    private Task<ValueWebSocketReceiveResult>? _pending;

    private HelloExchange(WebSocket socket, TransportOptions options, ILogger logger, string remote)
    {
        _socket = socket;
        _options = options;
        _logger = logger;
        _remote = remote;
    }

    /// <summary>
    /// Runs the exchange and returns the peer's hello. On refusal (by either side) the socket is closed and a
    /// <see cref="HandshakeException"/> carries the close code; the caller disposes the socket either way on failure.
    /// </summary>
    /// <param name="socket">The upgraded socket.</param>
    /// <param name="local">Our hello.</param>
    /// <param name="identity">The network identity the peer's hello must name; null when unknown (then refused).</param>
    /// <param name="admit">The layer above's verdict on the hello (4003 when it refuses); null admits every peer that passed.</param>
    /// <param name="options">Timeout and limits.</param>
    /// <param name="logger">Where refusals are logged.</param>
    /// <param name="remote">The peer's address, for logs.</param>
    /// <param name="cancellationToken">Aborts the exchange.</param>
    public static Task<Hello> RunAsync(
        WebSocket socket, Hello local, string? identity, HelloAdmission? admit, TransportOptions options, ILogger logger, string remote,
        CancellationToken cancellationToken) =>
        new HelloExchange(socket, options, logger, remote).RunAsync(local, identity, admit, cancellationToken);

    private async Task<Hello> RunAsync(Hello local, string? identity, HelloAdmission? admit, CancellationToken cancellationToken)
    {
        await _socket.SendAsync(HelloCodec.Encode(local), WebSocketMessageType.Binary, true, cancellationToken).ConfigureAwait(false);

        int length = await ReceiveAsync("hello", cancellationToken).ConfigureAwait(false);
        Hello? hello = HelloCodec.TryRead(_buffer.AsMemory(0, length), out string? problem);
        if (hello is null)
        {
            throw await RefuseAsync(CloseCodes.BadHello, $"bad hello ({problem})").ConfigureAwait(false);
        }

        if (hello.Version != Hello.CurrentVersion)
        {
            throw await RefuseAsync(CloseCodes.BadHello, $"protocol version {hello.Version}, expected {Hello.CurrentVersion}").ConfigureAwait(false);
        }

        if (!string.Equals(hello.AppId, local.AppId, StringComparison.Ordinal))
        {
            throw await RefuseAsync(CloseCodes.AppMismatch, $"app '{hello.AppId}', expected '{local.AppId}'").ConfigureAwait(false);
        }

        // Fail closed: without a network identity nothing backs the hello's claim.
        if (identity is null || !string.Equals(hello.TailscaleId, identity, StringComparison.Ordinal))
        {
            throw await RefuseAsync(CloseCodes.IdentityMismatch, $"hello names '{hello.TailscaleId}', the network says '{identity}'").ConfigureAwait(false);
        }

        // Only now is the node behind the hello known, so only now can the device id it claims be checked against it.
        if (admit?.Invoke(hello) is { } refusal)
        {
            throw await RefuseAsync(CloseCodes.IdentityMismatch, refusal).ConfigureAwait(false);
        }

        await _socket.SendAsync(ReadOnlyMemory<byte>.Empty, WebSocketMessageType.Binary, true, cancellationToken).ConfigureAwait(false);
        if (await ReceiveAsync("acceptance", cancellationToken).ConfigureAwait(false) != 0)
        {
            throw await RefuseAsync(CloseCodes.BadHello, "a second hello message instead of the acceptance").ConfigureAwait(false);
        }

        return hello;
    }

    /// <summary>Receives one binary message within what is left of the timeout; refuses the peer for anything else.</summary>
    private async Task<int> ReceiveAsync(string what, CancellationToken cancellationToken)
    {
        int filled = 0;
        while (true)
        {
            if (filled == _buffer.Length)
            {
                throw await RefuseAsync(CloseCodes.BadHello, $"{what} over {_buffer.Length} bytes").ConfigureAwait(false);
            }

            // Not cancelled on timeout: cancelling a WebSocket receive aborts the socket, and we still want to send 4002.
            _pending = _socket.ReceiveAsync(_buffer.AsMemory(filled), CancellationToken.None).AsTask();
            TimeSpan left = _options.HelloTimeout - Stopwatch.GetElapsedTime(_started);
            ValueWebSocketReceiveResult result;
            try
            {
                result = await _pending.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw await RefuseAsync(CloseCodes.BadHello, $"no {what} within {_options.HelloTimeout.TotalMilliseconds} ms").ConfigureAwait(false);
            }

            _pending = null;
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw await RefusedByPeerAsync().ConfigureAwait(false);
            }

            if (result.MessageType != WebSocketMessageType.Binary)
            {
                throw await RefuseAsync(CloseCodes.BadHello, $"a text message instead of the {what}").ConfigureAwait(false);
            }

            filled += result.Count;
            if (result.EndOfMessage)
            {
                return filled;
            }
        }
    }

    private async Task<HandshakeException> RefuseAsync(int code, string reason)
    {
        _options.Metrics.Transport.HandshakeRejected(code);
        TransportLog.HandshakeRefused(_logger, _remote, code, reason);
        try
        {
            using var timeout = new CancellationTokenSource(CloseWait);
            await _socket.CloseOutputAsync((WebSocketCloseStatus)code, Truncate(reason), timeout.Token).ConfigureAwait(false);
            while (true)
            {
                ValueWebSocketReceiveResult result = await (_pending ?? _socket.ReceiveAsync(_buffer.AsMemory(), CancellationToken.None).AsTask())
                    .WaitAsync(timeout.Token).ConfigureAwait(false);
                _pending = null;
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
            // The peer did not answer the close; the caller aborts the socket.
        }

        return new HandshakeException(code, $"Connection refused ({code}): {reason}.");
    }

    private async Task<HandshakeException> RefusedByPeerAsync()
    {
        int code = (int?)_socket.CloseStatus ?? (int)WebSocketCloseStatus.Empty;
        string reason = _socket.CloseStatusDescription ?? "";
        _options.Metrics.Transport.HandshakeRejected(code);
        TransportLog.HandshakeRefused(_logger, _remote, code, $"refused by the peer: {reason}");
        try
        {
            using var timeout = new CancellationTokenSource(CloseWait);
            await _socket.CloseOutputAsync(_socket.CloseStatus ?? WebSocketCloseStatus.Empty, null, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
            // Nothing to do: the peer is gone and the caller aborts the socket.
        }

        return new HandshakeException(code, $"The peer refused the connection ({code}): {reason}.");
    }

    // A close frame's reason must fit in 123 UTF-8 bytes.
    internal static string Truncate(string reason) => reason.Length <= 60 ? reason : reason[..60];
}
