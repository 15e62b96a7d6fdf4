namespace Truffle;

/// <summary>A typed message with its context, as the <c>IAsyncEnumerable</c> readers yield it.</summary>
/// <typeparam name="T">The message type.</typeparam>
/// <param name="Message">The message.</param>
/// <param name="Context">Who sent it and how.</param>
public readonly record struct Received<T>(T Message, MessageContext Context);
