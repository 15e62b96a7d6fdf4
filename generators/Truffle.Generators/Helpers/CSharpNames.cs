using Microsoft.CodeAnalysis.CSharp;

namespace Truffle.Generators.Helpers;

/// <summary>How names and strings are written in C# source.</summary>
internal static class CSharpNames
{
    /// <summary>A name as a C# identifier: <c>class</c> becomes <c>@class</c>.</summary>
    public static string Escape(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary>A C# string literal.</summary>
    public static string Literal(string value) => SymbolDisplay.FormatLiteral(value, quote: true);

    /// <summary>The UTF-8 bytes of a string as a <c>u8</c> literal.</summary>
    public static string Utf8Literal(string value) => Literal(value) + "u8";
}
