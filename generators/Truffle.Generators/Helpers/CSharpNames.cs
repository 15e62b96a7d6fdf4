using Microsoft.CodeAnalysis.CSharp;

namespace Truffle.Generators.Helpers;

/// <summary>Writes a name as a C# identifier: <c>class</c> becomes <c>@class</c>.</summary>
internal static class CSharpNames
{
    public static string Escape(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None ? "@" + name : name;
}
