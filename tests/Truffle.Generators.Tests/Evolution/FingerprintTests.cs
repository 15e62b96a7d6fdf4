using System.Text.RegularExpressions;
using Xunit;

namespace Truffle.Generators.Tests.Evolution;

/// <summary>
/// The fingerprint each assembly registers per wire namespace: equal for builds whose messages look the same on the
/// wire, whatever their C# names, and different when a member's key or wire type changes.
/// </summary>
public sealed partial class FingerprintTests
{
    private const string V1 = """[TruffleMessage("notes")] public sealed partial record Memo(string Id, int Stars);""";

    [Fact]
    public void The_resolver_registers_each_namespace_with_its_message_types()
    {
        string resolver = Resolver(V1 + "\n[TruffleMessage(\"chat\")] public sealed partial record Line(string Text);\n[SyncedSlice(\"presence\")] public sealed partial record Presence(string Status);");

        Assert.Matches("""WireSchemas.Register\("chat", "[0-9a-f]{8}", "line"\);""", resolver);
        Assert.Matches("""WireSchemas.Register\("notes", "[0-9a-f]{8}", "memo"\);""", resolver);
        Assert.DoesNotContain("\"presence\"", resolver, StringComparison.Ordinal);
    }

    [Fact]
    public void Renaming_in_CSharp_only_keeps_the_fingerprint_and_a_wire_change_changes_it()
    {
        string v1 = Fingerprint(V1);

        Assert.Equal(v1, Fingerprint("""[TruffleMessage("notes")] public sealed partial record Memo([TruffleName("id")] string Key, int Stars);"""));
        Assert.Equal(v1, Fingerprint("""[TruffleMessage("notes")] public sealed partial record Memo(string Id, int Stars) { public string Computed => Id; }"""));
        Assert.NotEqual(v1, Fingerprint("""[TruffleMessage("notes")] public sealed partial record Memo(string Id, long Stars);"""));
        Assert.NotEqual(v1, Fingerprint("""[TruffleMessage("notes")] public sealed partial record Memo(string Id, int Stars, string? Author);"""));
    }

    private static string Fingerprint(string declarations) =>
        RegisterLine().Match(Resolver(declarations)).Groups[1].Value;

    private static string Resolver(string declarations)
    {
        GeneratorRun run = GeneratorHarness.Run("using Truffle;\nnamespace Contoso.App;\n" + declarations);
        GeneratorHarness.AssertValid(run);
        return run.Source("Truffle.GeneratedResolver.g.cs");
    }

    [GeneratedRegex("""WireSchemas.Register\("notes", "([0-9a-f]{8})", "memo"\);""")]
    private static partial Regex RegisterLine();
}
