namespace Truffle;

/// <summary>
/// Marks a message as a request answered by a <typeparamref name="TReply"/>. The generator then adds
/// <c>Request(deviceId, request, timeout)</c> and <c>Handle(...)</c> to the namespace's typed API.
/// </summary>
/// <typeparam name="TReply">The reply type: an annotated type or any supported member type.</typeparam>
#pragma warning disable CA1040 // A marker interface is the point: the generator reads its type argument.
public interface IRequest<TReply>
#pragma warning restore CA1040
{
}
