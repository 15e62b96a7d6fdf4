using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Truffle.Generators.Parsing;

namespace Truffle.Generators.Diagnostics;

/// <summary>Reports what parsing found, and the one check that needs every type at once: duplicate wire names.</summary>
internal static class DiagnosticReporter
{
    public static void Report(SourceProductionContext context, ImmutableArray<ParseResult> results)
    {
        foreach (ParseResult result in results)
        {
            foreach (Diagnostic diagnostic in result.Diagnostics)
            {
                context.ReportDiagnostic(diagnostic);
            }
        }

        IEnumerable<IGrouping<string, ParseResult>> claims = results
            .SelectMany(r => r.WireKeys.Select(k => (Key: k, Result: r)))
            .GroupBy(c => c.Key, c => c.Result, System.StringComparer.Ordinal);
        foreach (IGrouping<string, ParseResult> claim in claims)
        {
            ParseResult[] owners = claim
                .OrderBy(r => r.Location?.SourceTree?.FilePath, System.StringComparer.Ordinal)
                .ThenBy(r => r.Location?.SourceSpan.Start)
                .ToArray();
            for (int i = 1; i < owners.Length; i++)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.DuplicateWireName,
                    owners[i].Location,
                    owners[i].TypeName,
                    owners[0].TypeName,
                    claim.Key));
            }
        }
    }
}
