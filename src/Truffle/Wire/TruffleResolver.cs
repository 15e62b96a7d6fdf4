using System.Collections.Immutable;
using MessagePack;
using MessagePack.Formatters;

namespace Truffle.Wire;

/// <summary>
/// Resolves formatters from every assembly's generated resolver (each registers itself from a module initializer).
/// MessagePack's own resolvers are never consulted: even its built-in one reaches reflection
/// (<c>MakeGenericType</c>), and the message path must stay trimming- and Native-AOT-safe.
/// </summary>
internal sealed class TruffleResolver : IFormatterResolver
{
    public static readonly TruffleResolver Instance = new();

    private static ImmutableArray<IFormatterResolver> s_generated = [];

    private TruffleResolver()
    {
    }

    public static void Register(IFormatterResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        ImmutableInterlocked.Update(ref s_generated, static (list, r) => list.Contains(r) ? list : list.Add(r), resolver);
    }

    public IMessagePackFormatter<T>? GetFormatter<T>() => Cache<T>.Get();

    private static class Cache<T>
    {
        private static IMessagePackFormatter<T>? s_formatter;

        // A miss is not cached: an assembly whose module initializer has not run yet may register the type later.
        public static IMessagePackFormatter<T>? Get() => s_formatter ??= Find();

        private static IMessagePackFormatter<T>? Find()
        {
            foreach (IFormatterResolver resolver in s_generated)
            {
                if (resolver.GetFormatter<T>() is { } formatter)
                {
                    return formatter;
                }
            }

            return null;
        }
    }
}
