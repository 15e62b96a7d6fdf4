using Truffle.Generators.Helpers;
using Truffle.Generators.Model;

namespace Truffle.Generators.Emitting;

/// <summary>
/// Emits the assembly's formatter resolver and the module initializer that registers it with
/// <c>TruffleSerializer</c>, so no user code is needed to make the assembly's types serializable.
/// </summary>
internal static class ResolverEmitter
{
    public const string HintName = "Truffle.GeneratedResolver.g.cs";

    public static string Emit(ResolverModel model)
    {
        var w = new SourceWriter();
        w.WriteLine(KnownNames.FileHeader);
        w.WriteLine("#pragma warning disable CA2255 // Registering on load is the point: users never call it.");
        w.WriteLine();
        w.WriteLine($"namespace {model.Namespace};");
        w.WriteLine();
        w.WriteLine(KnownNames.GeneratedCode);
        w.OpenBlock("internal sealed class TruffleGeneratedResolver : global::MessagePack.IFormatterResolver");
        w.WriteLine("public static readonly TruffleGeneratedResolver Instance = new();");
        w.WriteLine();
        w.WriteLine($"public {KnownNames.FormatterInterface}<T>? GetFormatter<T>() => Cache<T>.Formatter;");
        w.WriteLine();
        w.WriteLine("[global::System.Runtime.CompilerServices.ModuleInitializer]");
        w.WriteLine("internal static void Register() => global::Truffle.TruffleSerializer.RegisterGeneratedResolver(Instance);");
        w.WriteLine();
        w.OpenBlock("private static object? Create(global::System.Type type)");
        foreach (string type in model.Types)
        {
            w.OpenBlock($"if (type == typeof({type}))");
            w.WriteLine($"return {type}.{KnownNames.FormatterClass}.Instance;");
            w.CloseBlock();
            w.WriteLine();
        }

        w.WriteLine("return null;");
        w.CloseBlock();
        w.WriteLine();
        w.OpenBlock("private static class Cache<T>");
        w.WriteLine($"public static readonly {KnownNames.FormatterInterface}<T>? Formatter = ({KnownNames.FormatterInterface}<T>?)Create(typeof(T));");
        w.CloseBlock();
        w.CloseBlock();
        return w.ToString();
    }
}
