using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Truffle.Generators.Model;
using Xunit;

namespace Truffle.Generators.Tests;

/// <summary>
/// Step reasons across two runs of one driver: edits that do not change an annotated type leave every model and
/// every source output cached; a real change regenerates. Also checks that the models are plain values.
/// </summary>
public sealed class IncrementalTests
{
    private const string Messages = """
        using System.Collections.Generic;
        using Truffle;

        namespace Contoso.Chat;

        [TruffleMessage("chat")]
        public partial record ChatMessage(string Author, string Text);

        [TruffleMessage("chat")]
        public partial record Typing(string Author, bool IsTyping);

        [TruffleMessage("chat")]
        public partial record History(int Count) : IRequest<List<ChatMessage>>;

        [SyncedSlice("presence")]
        public partial record Presence(string Name, bool Online);
        """;

    private const string Notes = """
        using Truffle;

        namespace Contoso.Notes;

        public static partial class Api
        {
            [TruffleMessage("notes")]
            public partial record Note(string Title, string Body);
        }
        """;

    // A contracts library whose chat messages join the app's bus.Chat.
    private const string Library = """
        using Truffle;

        namespace Contoso.Shared;

        /// <summary>Someone joined.</summary>
        [TruffleMessage("chat")]
        public partial record Joined(string Who);
        """;

    private static readonly string[] s_cachedSteps =
        [TrackingNames.Models, TrackingNames.References, TrackingNames.NamespaceApis, TrackingNames.NamespaceApiImports, TrackingNames.Resolver];

    [Fact]
    public void Second_run_with_no_change_is_entirely_cached()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(Messages, Notes);
        GeneratorRun first = GeneratorHarness.Run(compilation);
        GeneratorRun second = GeneratorHarness.Run(first.Driver, compilation);

        AssertNothingRegenerated(first, second);
    }

    [Fact]
    public void Unrelated_class_in_another_file_regenerates_nothing()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(Messages, Notes);
        GeneratorRun first = GeneratorHarness.Run(compilation);
        GeneratorRun second = GeneratorHarness.Run(first.Driver, WithUnrelatedFile(compilation));

        AssertNothingRegenerated(first, second);
    }

    [Fact]
    public void Unrelated_class_in_the_same_file_regenerates_nothing()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(Messages, Notes);
        GeneratorRun first = GeneratorHarness.Run(compilation);
        GeneratorRun second = GeneratorHarness.Run(first.Driver, Edit(compilation, 0, Messages + "\npublic class Clock\n{\n    public int Ticks { get; set; }\n}\n"));

        AssertNothingRegenerated(first, second);
    }

    [Fact]
    public void Comment_above_an_annotated_type_regenerates_nothing()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(Messages, Notes);
        GeneratorRun first = GeneratorHarness.Run(compilation);
        string commented = Replace(Messages, "[TruffleMessage(\"chat\")]\npublic partial record ChatMessage", "// What people say.\n[TruffleMessage(\"chat\")]\npublic partial record ChatMessage");
        GeneratorRun second = GeneratorHarness.Run(first.Driver, Edit(compilation, 0, commented));

        AssertNothingRegenerated(first, second);
    }

    [Fact]
    public void Reordering_two_annotated_types_in_a_file_regenerates_nothing()
    {
        (GeneratorRun first, GeneratorRun second) = RunBeforeAndAfterReordering();

        AssertNothingRegenerated(first, second);
    }

    [Fact]
    public void Adding_a_member_to_a_message_regenerates_its_source()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(Messages, Notes);
        GeneratorRun first = GeneratorHarness.Run(compilation);
        string edited = Replace(Messages, "ChatMessage(string Author, string Text)", "ChatMessage(string Author, string Text, bool Edited)");
        GeneratorRun second = GeneratorHarness.Run(first.Driver, Edit(compilation, 0, edited));

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second, TrackingNames.Models));
        Assert.Contains(IncrementalStepRunReason.Modified, second.Generator.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason));
        Assert.NotEqual(first.Source("Contoso.Chat.ChatMessage.g.cs"), second.Source("Contoso.Chat.ChatMessage.g.cs"));
        Assert.Contains("value.Edited", second.Source("Contoso.Chat.ChatMessage.g.cs"), StringComparison.Ordinal);
        Assert.Equal(first.Source("Contoso.Chat.Typing.g.cs"), second.Source("Contoso.Chat.Typing.g.cs"));
        GeneratorHarness.AssertValid(second);
    }

    [Fact]
    public void Moving_a_message_to_another_namespace_rebuilds_the_namespace_apis()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(Messages, Notes);
        GeneratorRun first = GeneratorHarness.Run(compilation);
        string edited = Replace(Messages, "[TruffleMessage(\"chat\")]\npublic partial record Typing", "[TruffleMessage(\"status\")]\npublic partial record Typing");
        GeneratorRun second = GeneratorHarness.Run(first.Driver, Edit(compilation, 0, edited));

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second, TrackingNames.NamespaceApis));
        Assert.Contains("Truffle.StatusBus.g.cs", second.Generator.GeneratedSources.Select(s => s.HintName));
        Assert.DoesNotContain("Typing", second.Source("Truffle.ChatBus.g.cs"), StringComparison.Ordinal);
    }

    [Fact]
    public void Unrelated_edit_in_an_app_that_references_a_contracts_library_regenerates_nothing()
    {
        BuiltAssembly contracts = Assemblies.Build("Contoso.Shared", [], Library);
        CSharpCompilation compilation = GeneratorHarness.Compile(GeneratorHarness.AssemblyName, GeneratorHarness.Latest, [contracts.Reference], Messages, Notes);
        GeneratorRun first = GeneratorHarness.Run(compilation);
        GeneratorRun second = GeneratorHarness.Run(first.Driver, WithUnrelatedFile(compilation));

        Assert.Contains("global::Contoso.Shared.Joined", second.Source("Truffle.ChatBus.g.cs"), StringComparison.Ordinal);
        AssertNothingRegenerated(first, second);
    }

    [Fact]
    public void A_new_message_in_a_referenced_library_rebuilds_the_namespace_api_and_nothing_else()
    {
        BuiltAssembly before = Assemblies.Build("Contoso.Shared", [], Library);
        BuiltAssembly after = Assemblies.Build("Contoso.Shared", [], Library + """


            /// <summary>Someone left.</summary>
            [TruffleMessage("chat")]
            public partial record Left(string Who);
            """);
        CSharpCompilation compilation = GeneratorHarness.Compile(GeneratorHarness.AssemblyName, GeneratorHarness.Latest, [before.Reference], Messages, Notes);
        GeneratorRun first = GeneratorHarness.Run(compilation);
        GeneratorRun second = GeneratorHarness.Run(first.Driver, compilation.ReplaceReference(before.Reference, after.Reference));

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second, TrackingNames.References));
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second, TrackingNames.NamespaceApis));
        Assert.Contains("global::Contoso.Shared.Left message", second.Source("Truffle.ChatBus.g.cs"), StringComparison.Ordinal);
        Assert.Equal(first.Source("Truffle.NotesBus.g.cs"), second.Source("Truffle.NotesBus.g.cs"));
        Assert.All(Reasons(second, TrackingNames.Models), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
        GeneratorHarness.AssertValid(second);
    }

    [Fact]
    public void Models_hold_no_symbols_or_compilations()
    {
        BuiltAssembly contracts = Assemblies.Build("Contoso.Shared", [], Library);
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.Compile(GeneratorHarness.AssemblyName, GeneratorHarness.Latest, [contracts.Reference], Messages, Notes));
        GeneratorHarness.AssertValid(run);

        string[] steps =
        [
            TrackingNames.Models, TrackingNames.References, TrackingNames.NamespaceApis, TrackingNames.NamespaceApiImports,
            TrackingNames.Resolver, TrackingNames.CompilationInfo,
        ];
        foreach (string step in steps)
        {
            object?[] values = OutputValues(run, step);
            Assert.NotEmpty(values);
            Assert.Empty(RoslynObjectsIn(values, step));
        }

        var references = Assert.IsType<ReferencedContracts>(Assert.Single(OutputValues(run, TrackingNames.References)));
        Assert.NotEmpty(references.Messages);
        Assert.NotEmpty(references.Claims);
    }

    [Fact]
    public void Known_types_are_resolved_once_per_compilation_not_once_per_type()
    {
        GeneratorRun run = GeneratorHarness.Run(Messages, Notes);

        Assert.Single(OutputValues(run, TrackingNames.KnownTypes));
        Assert.Equal(4, OutputValues(run, TrackingNames.ParseMessages).Length);
    }

    [Fact]
    public void Tracking_names_do_not_collide_with_roslyn_input_names()
    {
        string[] roslyn = typeof(WellKnownGeneratorInputs).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (string)f.GetValue(null)!)
            .ToArray();
        string[] ours = typeof(TrackingNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (string)f.GetValue(null)!)
            .ToArray();

        Assert.NotEmpty(roslyn);
        Assert.Empty(ours.Intersect(roslyn, StringComparer.Ordinal));
    }

    [Fact]
    public void Model_walk_finds_the_locations_that_parse_results_carry()
    {
        // ParseResult keeps real locations for the diagnostics output: the walk must see them, or it proves nothing.
        GeneratorRun run = GeneratorHarness.Run(Messages, Notes);

        Assert.NotEmpty(RoslynObjectsIn(OutputValues(run, TrackingNames.ParseMessages), TrackingNames.ParseMessages));
    }

    [Fact]
    public void Same_source_twice_gives_equal_but_distinct_models()
    {
        GeneratorRun first = GeneratorHarness.Run(Messages, Notes);
        GeneratorRun second = GeneratorHarness.Run(Messages, Notes);

        foreach (string step in new[] { TrackingNames.Models, TrackingNames.NamespaceApis, TrackingNames.Resolver })
        {
            object?[] left = OutputValues(first, step);
            object?[] right = OutputValues(second, step);
            Assert.Equal(left.Length, right.Length);
            for (int i = 0; i < left.Length; i++)
            {
                Assert.NotNull(left[i]);
                Assert.NotSame(left[i], right[i]);
                Assert.Equal(left[i], right[i]);
                Assert.Equal(left[i]!.GetHashCode(), right[i]!.GetHashCode());
            }
        }
    }

    [Fact]
    public void Models_of_different_sources_are_not_equal()
    {
        object?[] left = OutputValues(GeneratorHarness.Run(Messages), TrackingNames.Models);
        object?[] right = OutputValues(GeneratorHarness.Run(Replace(Messages, "string Author, string Text)", "string Author, string Body)")), TrackingNames.Models);

        Assert.NotEqual(left[0], right[0]);
        Assert.Equal(left[1], right[1]);
    }

    private static (GeneratorRun First, GeneratorRun Second) RunBeforeAndAfterReordering()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(Messages, Notes);
        GeneratorRun first = GeneratorHarness.Run(compilation);
        const string ChatMessage = "[TruffleMessage(\"chat\")]\npublic partial record ChatMessage(string Author, string Text);\n\n";
        const string Typing = "[TruffleMessage(\"chat\")]\npublic partial record Typing(string Author, bool IsTyping);\n\n";
        string reordered = Replace(Messages, ChatMessage + Typing, Typing + ChatMessage);
        return (first, GeneratorHarness.Run(first.Driver, Edit(compilation, 0, reordered)));
    }

    private static void AssertNothingRegenerated(GeneratorRun first, GeneratorRun second)
    {
        foreach (string step in s_cachedSteps)
        {
            IncrementalStepRunReason[] reasons = Reasons(second, step);
            Assert.NotEmpty(reasons);
            Assert.All(reasons, reason => Assert.True(
                reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                $"Step {step} has an output {reason}: {string.Join(", ", reasons)}"));
        }

        IncrementalStepRunReason[] outputs = second.Generator.TrackedOutputSteps
            .SelectMany(s => s.Value)
            .SelectMany(s => s.Outputs)
            .Select(o => o.Reason)
            .ToArray();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, reason => Assert.True(
            reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
            $"A source output step is {reason}: {string.Join(", ", outputs)}"));

        Assert.Equal(Sources(first), Sources(second));
    }

    private static IncrementalStepRunReason[] Reasons(GeneratorRun run, string step) =>
        run.Generator.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();

    private static object?[] OutputValues(GeneratorRun run, string step) =>
        run.Generator.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Value).ToArray();

    private static Dictionary<string, string> Sources(GeneratorRun run) =>
        run.Generator.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString(), StringComparer.Ordinal);

    private static CSharpCompilation WithUnrelatedFile(CSharpCompilation compilation) =>
        compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "namespace Contoso.Other;\n\npublic class Clock\n{\n    public int Ticks { get; set; }\n}\n",
            (CSharpParseOptions)compilation.SyntaxTrees[0].Options,
            path: "Unrelated.cs"));

    private static CSharpCompilation Edit(CSharpCompilation compilation, int file, string text)
    {
        SyntaxTree old = compilation.SyntaxTrees[file];
        return compilation.ReplaceSyntaxTree(old, old.WithChangedText(SourceText.From(text)));
    }

    private static string Replace(string text, string oldValue, string newValue)
    {
        Assert.Contains(oldValue, text, StringComparison.Ordinal);
        return text.Replace(oldValue, newValue, StringComparison.Ordinal);
    }

    /// <summary>
    /// Paths to every symbol, compilation, semantic model, syntax node or tree, or location reachable from
    /// <paramref name="root"/> through fields, properties (of the generator's own types) and enumerables.
    /// </summary>
    private static List<string> RoslynObjectsIn(object? root, string name)
    {
        var found = new List<string>();
        Walk(root, name, found, new HashSet<object>(ReferenceEqualityComparer.Instance));
        return found;
    }

    private static void Walk(object? node, string path, List<string> found, HashSet<object> visited)
    {
        if (node is null)
        {
            return;
        }

        if (node is ISymbol or Compilation or SemanticModel or SyntaxNode or SyntaxTree or Location)
        {
            found.Add($"{path}: {node.GetType().Name}");
            return;
        }

        Type type = node.GetType();
        if (type.IsPrimitive || type.IsEnum || type.IsPointer || node is string or decimal or Type or MemberInfo || (!type.IsValueType && !visited.Add(node)))
        {
            return;
        }

        if (node is IEnumerable items)
        {
            int index = 0;
            foreach (object? item in items)
            {
                Walk(item, $"{path}[{index++}]", found, visited);
            }
        }

        for (Type? t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                Walk(field.GetValue(node), $"{path}.{field.Name}", found, visited);
            }
        }

        // Properties of the generator's own models too (computed ones would escape a field walk); not of framework
        // types, whose getters may throw on default values.
        if (type.Assembly == typeof(TruffleGenerator).Assembly)
        {
            foreach (PropertyInfo property in type.GetProperties(BindingFlags.Instance | BindingFlags.Public))
            {
                if (property.GetIndexParameters().Length == 0 && property.Name != "EqualityContract")
                {
                    Walk(property.GetValue(node), $"{path}.{property.Name}", found, visited);
                }
            }
        }
    }
}
