using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using Xunit.Sdk;

namespace Truffle.Generators.Tests;

/// <summary>The checks the other tests rely on fail when they should: a harness that cannot fail proves nothing.</summary>
public sealed class HarnessTests
{
    [Fact]
    public void Clean_build_check_fails_on_a_warning_outside_the_input()
    {
        GeneratorRun run = WithExtraTree("public class Generated { public void M() { int unused; } }");

        XunitException failure = Assert.ThrowsAny<XunitException>(() => GeneratorHarness.AssertCompilesCleanly(run));
        Assert.Contains("CS0168", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Clean_build_check_fails_on_a_nullable_warning_outside_the_input()
    {
        GeneratorRun run = WithExtraTree("public class Generated { public string Name { get; set; } }");

        XunitException failure = Assert.ThrowsAny<XunitException>(() => GeneratorHarness.AssertCompilesCleanly(run));
        Assert.Contains("CS8618", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Clean_build_check_ignores_warnings_in_the_input_but_not_errors()
    {
        GeneratorHarness.AssertCompilesCleanly(GeneratorHarness.Run("public class Input { public void M() { int unused; } }"));

        Assert.ThrowsAny<XunitException>(() => GeneratorHarness.AssertCompilesCleanly(GeneratorHarness.Run("public class Input { int M() { } }")));
    }

    [Fact]
    public void Generator_diagnostic_check_fails_on_any_diagnostic()
    {
        GeneratorRun run = GeneratorHarness.Run("[Truffle.TruffleMessage(\"chat\")] public record NotPartial(string Text);");

        Assert.ThrowsAny<XunitException>(() => GeneratorHarness.AssertNoGeneratorDiagnostics(run));
    }

    [Fact]
    public void Compilations_use_the_requested_language_version()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(LanguageVersion.CSharp12, "public class A { }");

        Assert.Equal(LanguageVersion.CSharp12, compilation.LanguageVersion);
        Assert.Equal(GeneratorHarness.Latest, GeneratorHarness.Compile("public class A { }").LanguageVersion);
    }

    [Fact]
    public void Snapshot_difference_names_the_first_differing_line()
    {
        string? difference = SnapshotAssert.FirstDifference("a\nb\nc\n", "a\nB\nc\n");

        Assert.NotNull(difference);
        Assert.Contains("at line 2", difference, StringComparison.Ordinal);
        Assert.Contains("-  b", difference, StringComparison.Ordinal);
        Assert.Contains("+  B", difference, StringComparison.Ordinal);
    }

    [Fact]
    public void Snapshot_difference_sees_a_missing_last_line()
    {
        Assert.Contains("<end of file>", SnapshotAssert.FirstDifference("a\nb", "a\nb\nc"), StringComparison.Ordinal);
        Assert.Null(SnapshotAssert.FirstDifference("a\nb\n", "a\nb\n"));
    }

    [Fact]
    public void Snapshot_text_ignores_a_byte_order_mark_and_windows_line_endings()
    {
        Assert.Equal("a\nb\n", SnapshotAssert.Normalize("\uFEFFa\r\nb\r\n"));
    }

    private static GeneratorRun WithExtraTree(string source)
    {
        CSharpCompilation input = GeneratorHarness.Compile("public class Input { }");
        SyntaxTree extra = CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions(), path: "Extra.cs");
        return new GeneratorRun(GeneratorHarness.CreateDriver(GeneratorHarness.ParseOptions()), input, input.AddSyntaxTrees(extra));
    }
}
