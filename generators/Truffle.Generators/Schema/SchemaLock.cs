using System;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Truffle.Generators.Helpers;

namespace Truffle.Generators.Schema;

/// <summary>
/// The committed <c>truffle.schema.json</c>, read once per change of its text: the schema it records, or why it
/// cannot be read. A pipeline value, compared by value.
/// </summary>
/// <param name="Path">The file, for diagnostics.</param>
/// <param name="Schema">The recorded schema; null when the file cannot be read.</param>
/// <param name="Error">Why it cannot be read.</param>
/// <param name="TypeLines">The line (from 0) of each recorded type's <c>"wire"</c>, for diagnostics about a type the code no longer has.</param>
internal sealed record SchemaLock(string Path, SchemaModel? Schema, string? Error, EquatableArray<int> TypeLines = default)
{
    /// <summary>The file name the generator looks for among the additional files.</summary>
    public const string FileName = "truffle.schema.json";

    public static bool IsLockFile(AdditionalText file) =>
        string.Equals(System.IO.Path.GetFileName(file.Path), FileName, StringComparison.OrdinalIgnoreCase);

    public static SchemaLock Read(AdditionalText file, CancellationToken cancellationToken)
    {
        SourceText? text = file.GetText(cancellationToken);
        if (text is null)
        {
            return new SchemaLock(file.Path, null, "the file cannot be opened");
        }

        try
        {
            string content = text.ToString();
            SchemaModel schema = SchemaJson.Read(content);
            return new SchemaLock(file.Path, schema, null, schema.Types.Select(t => LineOf(text, content, t.Wire)).ToEquatableArray());
        }
        catch (FormatException e)
        {
            return new SchemaLock(file.Path, null, e.Message);
        }
    }

    /// <summary>Where a type's entry is in the file, to point a diagnostic at it.</summary>
    public Location LocationOf(int typeIndex)
    {
        int line = typeIndex < TypeLines.Count ? TypeLines[typeIndex] : 0;
        return Location.Create(Path, default, new LinePositionSpan(new LinePosition(line, 0), new LinePosition(line, 0)));
    }

    // The quoted wire name as the file spells it; a hand-edited file that escapes it differently points at line 1.
    private static int LineOf(SourceText text, string content, string wire)
    {
        int at = content.IndexOf("\"" + wire + "\"", StringComparison.Ordinal);
        return at < 0 ? 0 : text.Lines.GetLineFromPosition(at).LineNumber;
    }
}
