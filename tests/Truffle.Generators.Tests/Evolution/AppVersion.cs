using System.Reflection;
using Xunit;

namespace Truffle.Generators.Tests.Evolution;

/// <summary>
/// One version of an app, compiled in memory with the generator and loaded into a context of its own: its
/// declarations (in namespace <c>Contoso.App</c>) and a <c>Sample</c> class whose static <c>Value</c> is the message it
/// sends. Two versions of one app are two generator runs over two sources of the same types.
/// </summary>
internal sealed class AppVersion
{
    private const string Probe = """
        namespace Contoso.App
        {
            public static class Probe
            {
                public static byte[] Write() => global::Truffle.TruffleSerializer.Serialize(Sample.Value);

                public static string Read(byte[] bytes) => global::Truffle.TruffleSerializer.Deserialize<Memo>(bytes).ToString();
            }
        }
        """;

    private readonly Type _probe;

    private AppVersion(Assembly assembly) => _probe = assembly.GetType("Contoso.App.Probe", throwOnError: true)!;

    /// <summary>Builds and loads a version whose message type is <c>Memo</c>.</summary>
    public static AppVersion Build(string declarations, string sample) =>
        new(Assemblies.Load(Assemblies.Build("Contoso.App", [], "using Truffle;\nnamespace Contoso.App;\n" + declarations + "\npublic static class Sample { public static Memo Value => " + sample + "; }", Probe)));

    /// <summary>This version's sample, serialized.</summary>
    public byte[] Write() => (byte[])Invoke("Write", null);

    /// <summary>What this version reads from <paramref name="bytes"/>, as the record prints it.</summary>
    public string Read(byte[] bytes) => (string)Invoke("Read", bytes);

    /// <summary>The decode failure this version reports for <paramref name="bytes"/>.</summary>
    public TruffleSerializationException ReadFails(byte[] bytes)
    {
        var error = Assert.Throws<TargetInvocationException>(() => Read(bytes));
        return Assert.IsType<TruffleSerializationException>(error.InnerException);
    }

    private object Invoke(string method, byte[]? bytes) =>
        _probe.GetMethod(method)!.Invoke(null, bytes is null ? [] : [bytes])!;
}
