// TEMPORARY: replaced when the transport branch lands.
namespace Truffle.Transport;

internal sealed class HandshakeException(string message) : TruffleException(message);

internal sealed class ConnectionClosedException(string message) : TruffleException(message);
