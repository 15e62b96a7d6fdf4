using System;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Truffle.Generators.Schema;

/// <summary>
/// The committed <c>truffle.schema.json</c>, read once per change of its text: the schema it records, or why it
/// cannot be read. A pipeline value, compared by value.
/// </summary>
/// <param name="Path">The file, for diagnostics.</param>
/// <param name="Schema">The recorded schema; null when the file cannot be read.</param>
/// <param name="Error">Why it cannot be read.</param>
internal sealed record SchemaLock(string Path, SchemaModel? Schema, string? Error)
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
            return new SchemaLock(file.Path, SchemaJson.Read(text.ToString()), null);
        }
        catch (FormatException e)
        {
            return new SchemaLock(file.Path, null, e.Message);
        }
    }
}
