using System.Globalization;
using Microsoft.CodeAnalysis;
using Truffle.Generators.Helpers;
using Truffle.Generators.Schema;
using Xunit;

namespace Truffle.Generators.Tests;

/// <summary>
/// <c>truffle.schema.json</c>: written on request, read back as an additional file, and every breaking change against
/// it reported at the member or type that makes it, with the fix in the message; compatible changes pass.
/// </summary>
public sealed class SchemaLockTests
{
    private const string V1 = """
        using System.Collections.Generic;
        using Truffle;

        namespace Contoso.App;

        [TruffleMessage("notes")]
        public partial record Memo(string Id, int Stars, string? Tag = null, string Mood = "calm");

        [TruffleMessage("notes")]
        public partial record GetMemo(string Id) : IRequest<Memo>;

        [SyncedSlice("presence")]
        public partial record Presence(string Status, int Battery, List<string> OpenFiles);
        """;

    private static readonly string s_lock = SchemaHarness.WriteLock(V1);

    [Fact]
    public void The_lock_records_wire_names_types_nullability_defaults_replies_and_stores()
    {
        SnapshotAssert.MatchesFiles(new Dictionary<string, string> { [SchemaLock.FileName] = s_lock });
    }

    [Fact]
    public void The_lock_round_trips_and_the_unchanged_code_passes_it()
    {
        GeneratorRun run = SchemaHarness.RunAgainst(s_lock, V1);

        Assert.Equal(s_lock, SchemaJson.Write(SchemaJson.Read(s_lock)));
        Assert.Equal(SchemaJson.Read(s_lock), SchemaBuilder.Build(Models(run)));
        GeneratorHarness.AssertValid(run);
    }

    [Fact]
    public void Without_the_update_property_no_schema_is_generated()
    {
        GeneratorRun run = SchemaHarness.RunAgainst(s_lock, V1);

        Assert.DoesNotContain(run.Generator.GeneratedSources, s => s.HintName == "Truffle.Schema.g.cs");
    }

    [Fact]
    public void Compatible_changes_pass_the_lock()
    {
        string v2 = V1
            .Replace("string Mood = \"calm\"", "string Mood = \"calm\", string? Author = null, int Views = 0", StringComparison.Ordinal)
            .Replace("int Stars", "long Stars", StringComparison.Ordinal)
            .Replace("string? Tag = null, ", string.Empty, StringComparison.Ordinal)
            .Replace("List<string> OpenFiles", "string[] OpenFiles, bool Away = false", StringComparison.Ordinal)
            + "\n[TruffleMessage(\"notes\")] public partial record Archived(string Id);\n";

        GeneratorRun run = SchemaHarness.RunAgainst(s_lock, v2);

        GeneratorHarness.AssertValid(run);
    }

    [Fact]
    public void A_member_added_without_a_default_is_TRF010_at_the_member()
    {
        GeneratorRun run = SchemaHarness.RunAgainst(s_lock, V1.Replace("int Stars,", "int Stars, string Author,", StringComparison.Ordinal));

        Diagnostic error = Assert.Single(SchemaHarness.LockDiagnostics(run));
        Assert.Equal(("TRF010", "Author"), (error.Id, Underlined(error)));
        Assert.Contains("give it a default or make it nullable", Message(error), StringComparison.Ordinal);
        Assert.Contains("dotnet build -p:TruffleUpdateSchema=true", Message(error), StringComparison.Ordinal);
    }

    [Fact]
    public void A_renamed_member_is_TRF010_and_TRF011_and_keeping_its_key_passes()
    {
        GeneratorRun renamed = SchemaHarness.RunAgainst(s_lock, V1.Replace("(string Id, int Stars", "(string Key, int Stars", StringComparison.Ordinal));
        GeneratorRun kept = SchemaHarness.RunAgainst(s_lock, V1.Replace("(string Id, int Stars", "([TruffleName(\"id\")] string Key, int Stars", StringComparison.Ordinal));

        Assert.Equal(["TRF010 Key", "TRF011 Memo"], SchemaHarness.LockDiagnostics(renamed).Select(d => $"{d.Id} {Underlined(d)}").Order(StringComparer.Ordinal));
        Assert.Contains("[TruffleName(\"id\")]", Message(SchemaHarness.LockDiagnostics(renamed).Single(d => d.Id == "TRF011")), StringComparison.Ordinal);
        GeneratorHarness.AssertValid(kept);
    }

    [Fact]
    public void A_removed_member_without_a_default_is_TRF011_and_one_with_a_default_passes()
    {
        GeneratorRun required = SchemaHarness.RunAgainst(s_lock, V1.Replace("(string Status, int Battery", "(int Battery", StringComparison.Ordinal));
        GeneratorRun optional = SchemaHarness.RunAgainst(s_lock, V1.Replace(", string Mood = \"calm\"", string.Empty, StringComparison.Ordinal));

        Diagnostic error = Assert.Single(SchemaHarness.LockDiagnostics(required));
        Assert.Equal(("TRF011", "Presence"), (error.Id, Underlined(error)));
        Assert.Contains("key 'status'", Message(error), StringComparison.Ordinal);
        GeneratorHarness.AssertValid(optional);
    }

    [Theory]
    [InlineData("int Stars", "short Stars", "int16", "int32")]
    [InlineData("int Stars", "string Stars", "string", "int32")]
    [InlineData("List<string> OpenFiles", "Dictionary<string, string> OpenFiles", "map<string>", "array<string>")]
    [InlineData("List<string> OpenFiles", "List<int> OpenFiles", "array<int32>", "array<string>")]
    public void A_narrowed_or_changed_type_is_TRF012_at_the_member(string before, string after, string now, string locked)
    {
        GeneratorRun run = SchemaHarness.RunAgainst(s_lock, V1.Replace(before, after, StringComparison.Ordinal));

        Diagnostic error = Assert.Single(SchemaHarness.LockDiagnostics(run));
        Assert.Equal(("TRF012", after.Split(' ')[^1]), (error.Id, Underlined(error)));
        Assert.Contains($"is {now} on the wire, but truffle.schema.json records {locked}", Message(error), StringComparison.Ordinal);
    }

    [Fact]
    public void A_changed_reply_is_TRF012_at_the_request()
    {
        GeneratorRun run = SchemaHarness.RunAgainst(s_lock, V1.Replace("IRequest<Memo>", "IRequest<string>", StringComparison.Ordinal));

        Diagnostic error = Assert.Single(SchemaHarness.LockDiagnostics(run));
        Assert.Equal(("TRF012", "GetMemo"), (error.Id, Underlined(error)));
    }

    [Fact]
    public void A_wire_type_reused_for_a_type_of_another_shape_is_reported_at_its_members()
    {
        string v2 = V1.Replace("public partial record Memo(", "public partial record OldMemo(", StringComparison.Ordinal)
            .Replace("[TruffleMessage(\"notes\")]\npublic partial record OldMemo", "[TruffleMessage(\"notes\", Type = \"old-memo\")]\npublic partial record OldMemo", StringComparison.Ordinal)
            .Replace("IRequest<Memo>", "IRequest<OldMemo>", StringComparison.Ordinal)
            + "\n[TruffleMessage(\"notes\")] public partial record Memo(System.Guid Id, string Text);\n";

        GeneratorRun run = SchemaHarness.RunAgainst(s_lock, v2);

        Assert.Equal(
            ["TRF010 Text", "TRF012 Id"],
            SchemaHarness.LockDiagnostics(run).Select(d => $"{d.Id} {Underlined(d)}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_unreadable_lock_is_TRF013_at_the_file_with_the_line()
    {
        GeneratorRun run = SchemaHarness.RunAgainst("{\n  \"version\": 1,\n  \"types\": [ oops ]\n}\n", V1);

        Diagnostic error = Assert.Single(SchemaHarness.LockDiagnostics(run));
        Assert.Equal("TRF013", error.Id);
        Assert.Equal(SchemaHarness.LockPath, error.Location.GetLineSpan().Path);
        Assert.Contains("line 3, column 14", Message(error), StringComparison.Ordinal);
    }

    [Fact]
    public void Updating_the_lock_ignores_the_old_one_and_writes_the_new_schema()
    {
        string v2 = V1.Replace("int Stars,", "int Stars, string Author,", StringComparison.Ordinal);

        GeneratorRun run = SchemaHarness.Run(s_lock, update: true, v2);

        GeneratorHarness.AssertValid(run);
        Assert.Contains("\"key\": \"author\"", SchemaHarness.Extract(run.Source("Truffle.Schema.g.cs")), StringComparison.Ordinal);
    }

    private static IEnumerable<Model.TypeModel> Models(GeneratorRun run) =>
        run.Generator.TrackedSteps[TrackingNames.Models].SelectMany(s => s.Outputs).Select(o => (Model.TypeModel)o.Value);

    private static string Underlined(Diagnostic diagnostic) =>
        diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan);

    private static string Message(Diagnostic diagnostic) => diagnostic.GetMessage(CultureInfo.InvariantCulture);
}

/// <summary>The lock is parsed once per change of the file, and neither an edit of the code nor of the lock regenerates what did not change.</summary>
public sealed class SchemaLockIncrementalTests
{
    private const string Source = """
        using Truffle;

        namespace Contoso.App;

        [TruffleMessage("notes")]
        public partial record Memo(string Id, int Stars);
        """;

    [Fact]
    public void An_unrelated_edit_does_not_read_the_lock_again_or_regenerate_anything()
    {
        string lockText = SchemaHarness.WriteLock(Source);
        var compilation = GeneratorHarness.Compile(Source);
        GeneratorRun first = GeneratorHarness.Run(SchemaHarness.CreateDriver(lockText), compilation);
        GeneratorRun second = GeneratorHarness.Run(first.Driver, compilation.AddSyntaxTrees(
            Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("namespace Contoso.App; internal static class Unrelated { }", GeneratorHarness.ParseOptions(), path: "Unrelated.cs")));

        Assert.All(Reasons(second, TrackingNames.SchemaLock), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
        Assert.All(Reasons(second, TrackingNames.Models), reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, reason.ToString()));
        Assert.All(OutputReasons(second), reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, reason.ToString()));
    }

    [Fact]
    public void An_edited_lock_is_read_again_and_regenerates_no_source()
    {
        string lockText = SchemaHarness.WriteLock(Source);
        var compilation = GeneratorHarness.Compile(Source);
        GeneratorRun first = GeneratorHarness.Run(SchemaHarness.CreateDriver(lockText), compilation);
        GeneratorDriver edited = first.Driver.ReplaceAdditionalText(
            FirstAdditionalText(first),
            new SchemaHarness.InMemoryText(SchemaHarness.LockPath, lockText.Replace("\"int32\"", "\"string\"", StringComparison.Ordinal)));
        GeneratorRun second = GeneratorHarness.Run(edited, compilation);

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second, TrackingNames.SchemaLock));
        Assert.Equal("TRF012", Assert.Single(second.Diagnostics).Id);
        Assert.All(Reasons(second, TrackingNames.Models), reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, reason.ToString()));
        Assert.Equal(first.Generator.GeneratedSources.Select(g => g.HintName), second.Generator.GeneratedSources.Select(g => g.HintName));

        // Only the diagnostics output, which checks the lock, runs again; every source output stays cached.
        Assert.Single(OutputReasons(second), reason => reason is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
    }

    private static IncrementalStepRunReason[] Reasons(GeneratorRun run, string step) =>
        run.Generator.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();

    private static IncrementalStepRunReason[] OutputReasons(GeneratorRun run) =>
        run.Generator.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();

    private static Microsoft.CodeAnalysis.AdditionalText FirstAdditionalText(GeneratorRun run) =>
        (Microsoft.CodeAnalysis.AdditionalText)run.Generator.TrackedSteps[TrackingNames.SchemaLock].Single().Inputs[0].Source.Outputs[0].Value;
}
