using System.Globalization;
using Microsoft.CodeAnalysis;
using Truffle.Generators.Schema;
using Xunit;

namespace Truffle.Generators.Tests;

/// <summary>
/// The lock's checks of what C# names do not show on the wire: a message type the code no longer declares (TRF014),
/// and an enum whose recorded values changed their numbers or went away (TRF015).
/// </summary>
public sealed class SchemaLockRemovalTests
{
    private const string V1 = """
        using System.Collections.Generic;
        using Truffle;

        namespace Contoso.App;

        public enum Mood { Calm, Happy, Angry = 5 }

        public enum Level : ulong { Low = 1, High = ulong.MaxValue }

        [TruffleMessage("notes")]
        public partial record Memo(string Id, Mood Mood, List<Mood?> History, Level Level = Level.Low);

        [TruffleMessage("notes")]
        public partial record Archive(string Id);

        [SyncedSlice("presence")]
        public partial record Presence(string Status);
        """;

    private static readonly string s_lock = SchemaHarness.WriteLock(V1);

    [Fact]
    public void The_lock_records_each_enum_with_its_values_by_number_and_round_trips()
    {
        Assert.Contains(
            "{ \"key\": \"mood\", \"name\": \"Mood\", \"type\": \"int32\", \"nullable\": false, \"required\": false, \"enum\": \"Contoso.App.Mood\", \"values\": { \"Calm\": 0, \"Happy\": 1, \"Angry\": 5 } }",
            s_lock,
            StringComparison.Ordinal);
        Assert.Contains("\"type\": \"array<int32?>\", \"nullable\": false, \"required\": true, \"enum\": \"Contoso.App.Mood\"", s_lock, StringComparison.Ordinal);
        Assert.Contains("\"values\": { \"Low\": 1, \"High\": 18446744073709551615 }", s_lock, StringComparison.Ordinal);
        Assert.Equal(s_lock, SchemaJson.Write(SchemaJson.Read(s_lock)));
        GeneratorHarness.AssertValid(SchemaHarness.RunAgainst(s_lock, V1));
    }

    [Fact]
    public void A_removed_message_type_is_TRF014_at_its_entry_in_the_lock()
    {
        GeneratorRun run = SchemaHarness.RunAgainst(s_lock, V1.Replace("[TruffleMessage(\"notes\")]\npublic partial record Archive(string Id);", string.Empty, StringComparison.Ordinal));

        Diagnostic error = Assert.Single(SchemaHarness.LockDiagnostics(run));
        Assert.Equal("TRF014", error.Id);
        FileLinePositionSpan at = error.Location.GetLineSpan();
        Assert.Equal(SchemaHarness.LockPath, at.Path);
        Assert.Equal("      \"wire\": \"message notes/archive\",", s_lock.Split('\n')[at.StartLinePosition.Line]);
        Assert.Contains("records the message notes/archive ('Contoso.App.Archive')", Message(error), StringComparison.Ordinal);
        Assert.Contains("counted as unknown", Message(error), StringComparison.Ordinal);
        Assert.Contains("[TruffleMessage(\"notes\", Type = \"archive\")]", Message(error), StringComparison.Ordinal);
        Assert.Contains("dotnet build -p:TruffleUpdateSchema=true", Message(error), StringComparison.Ordinal);
    }

    [Fact]
    public void A_renamed_message_type_is_TRF014_and_keeping_its_wire_type_passes()
    {
        GeneratorRun renamed = SchemaHarness.RunAgainst(s_lock, V1.Replace("record Archive(", "record Shelved(", StringComparison.Ordinal));
        GeneratorRun kept = SchemaHarness.RunAgainst(s_lock, V1.Replace(
            "[TruffleMessage(\"notes\")]\npublic partial record Archive(", "[TruffleMessage(\"notes\", Type = \"archive\")]\npublic partial record Shelved(", StringComparison.Ordinal));

        Assert.Equal("TRF014", Assert.Single(SchemaHarness.LockDiagnostics(renamed)).Id);
        GeneratorHarness.AssertValid(kept);
    }

    [Fact]
    public void A_message_moved_to_a_referenced_assembly_and_a_removed_slice_pass()
    {
        string withoutArchive = V1.Replace("[TruffleMessage(\"notes\")]\npublic partial record Archive(string Id);", string.Empty, StringComparison.Ordinal);
        BuiltAssembly library = Assemblies.Build(
            "Contoso.Contracts", [], "namespace Contoso.Contracts; [Truffle.TruffleMessage(\"notes\")] public partial record Archive(string Id);");
        GeneratorRun moved = GeneratorHarness.Run(
            SchemaHarness.CreateDriver(s_lock),
            GeneratorHarness.Compile("Contoso.App", GeneratorHarness.Latest, [library.Reference], withoutArchive));
        GeneratorRun noSlice = SchemaHarness.RunAgainst(s_lock, V1.Replace("[SyncedSlice(\"presence\")]\npublic partial record Presence(string Status);", string.Empty, StringComparison.Ordinal));

        GeneratorHarness.AssertValid(moved);
        GeneratorHarness.AssertValid(noSlice);
    }

    [Theory]
    [InlineData("Happy, Angry = 5", "Happy = 2, Angry = 5", "Contoso.App.Mood.Happy is 2, recorded as 1")]
    [InlineData("Calm, Happy, Angry = 5", "Calm, Happy", "Contoso.App.Mood.Angry = 5 is gone")]
    [InlineData("Calm, Happy, Angry = 5", "Calm, Glad, Angry = 5", "Contoso.App.Mood.Happy = 1 is gone")]
    [InlineData("High = ulong.MaxValue", "High = ulong.MaxValue - 1", "Contoso.App.Level.High is 18446744073709551614, recorded as 18446744073709551615")]
    public void A_renumbered_or_removed_enum_value_is_TRF015_at_each_member_that_uses_it(string before, string after, string change)
    {
        GeneratorRun run = SchemaHarness.RunAgainst(s_lock, V1.Replace(before, after, StringComparison.Ordinal));

        Diagnostic[] errors = [.. SchemaHarness.LockDiagnostics(run)];
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.Equal("TRF015", e.Id));
        Assert.All(errors, e => Assert.Contains(change, Message(e), StringComparison.Ordinal));
        Assert.All(errors, e => Assert.Contains("update the lock on purpose (dotnet build -p:TruffleUpdateSchema=true)", Message(e), StringComparison.Ordinal));
        string[] expected = after.Contains("ulong", StringComparison.Ordinal) ? ["Level"] : ["History", "Mood"];
        Assert.Equal(expected, errors.Select(Underlined).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_member_whose_enum_type_changed_is_TRF015_naming_both_enums()
    {
        string v2 = V1.Replace("Mood Mood,", "Priority Mood,", StringComparison.Ordinal) + "\npublic enum Priority { Low, High }\n";

        GeneratorRun run = SchemaHarness.RunAgainst(s_lock, v2);

        Diagnostic error = Assert.Single(SchemaHarness.LockDiagnostics(run));
        Assert.Equal(("TRF015", "Mood"), (error.Id, Underlined(error)));
        Assert.Contains("its enum is now Contoso.App.Priority, recorded as Contoso.App.Mood", Message(error), StringComparison.Ordinal);
    }

    [Fact]
    public void Added_enum_values_a_renamed_enum_with_the_same_values_and_an_enum_turned_into_its_integer_pass()
    {
        GeneratorRun added = SchemaHarness.RunAgainst(s_lock, V1.Replace("Angry = 5 }", "Angry = 5, Sad = 6 }", StringComparison.Ordinal));
        GeneratorRun renamed = SchemaHarness.RunAgainst(s_lock, V1.Replace("enum Mood ", "enum Feeling ", StringComparison.Ordinal).Replace("Mood Mood, List<Mood?>", "Feeling Mood, List<Feeling?>", StringComparison.Ordinal));
        GeneratorRun integer = SchemaHarness.RunAgainst(s_lock, V1.Replace("Mood Mood,", "int Mood,", StringComparison.Ordinal));

        GeneratorHarness.AssertValid(added);
        GeneratorHarness.AssertValid(renamed);
        GeneratorHarness.AssertValid(integer);
    }

    [Fact]
    public void A_lock_written_before_enums_were_recorded_still_passes()
    {
        string older = string.Join('\n', s_lock.Split('\n').Select(line =>
            line.IndexOf(", \"enum\":", StringComparison.Ordinal) is int at and >= 0 ? line[..at] + " }" + (line.EndsWith(',') ? "," : string.Empty) : line));

        Assert.DoesNotContain("\"enum\"", older, StringComparison.Ordinal);
        GeneratorHarness.AssertValid(SchemaHarness.RunAgainst(older, V1.Replace("Calm, Happy", "Happy, Calm", StringComparison.Ordinal)));
    }

    private static string Underlined(Diagnostic diagnostic) =>
        diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan);

    private static string Message(Diagnostic diagnostic) => diagnostic.GetMessage(CultureInfo.InvariantCulture);
}
