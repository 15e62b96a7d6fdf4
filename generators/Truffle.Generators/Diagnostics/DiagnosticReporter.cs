using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Truffle.Generators.Model;
using Truffle.Generators.Parsing;

namespace Truffle.Generators.Diagnostics;

/// <summary>
/// Reports what parsing found, and the one check that needs every type at once: duplicate wire names (TRF004), among
/// this compilation's types and against those of the assemblies it references.
/// </summary>
internal static class DiagnosticReporter
{
    public static void Report(SourceProductionContext context, ImmutableArray<ParseResult> results, ReferencedContracts references)
    {
        foreach (ParseResult result in results)
        {
            foreach (Diagnostic diagnostic in result.Diagnostics)
            {
                context.ReportDiagnostic(diagnostic);
            }
        }

        ILookup<string, WireClaim> referenced = references.Claims.ToLookup(c => c.Key, System.StringComparer.Ordinal);
        IEnumerable<IGrouping<string, ParseResult>> local = results
            .SelectMany(r => r.WireKeys.Select(k => (Key: k, Result: r)))
            .GroupBy(c => c.Key, c => c.Result, System.StringComparer.Ordinal);
        var reported = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (IGrouping<string, ParseResult> claim in local)
        {
            reported.Add(claim.Key);
            ParseResult[] owners = claim
                .OrderBy(r => r.Location?.SourceTree?.FilePath, System.StringComparer.Ordinal)
                .ThenBy(r => r.Location?.SourceSpan.Start)
                .ToArray();

            // A referenced type came first: every local type is the second one. Otherwise the first local one is.
            string? first = referenced[claim.Key].Select(c => c.Owner).FirstOrDefault();
            for (int i = first is null ? 1 : 0; i < owners.Length; i++)
            {
                Report(context, owners[i].Location, Quoted(owners[i].TypeName), first ?? Quoted(owners[0].TypeName), claim.Key);
            }
        }

        // Two referenced assemblies that clash meet first here, where no type of either can be pointed at.
        foreach (IGrouping<string, WireClaim> claim in referenced.Where(c => !reported.Contains(c.Key)))
        {
            WireClaim[] owners = claim.ToArray();
            for (int i = 1; i < owners.Length; i++)
            {
                Report(context, Location.None, owners[i].Owner, owners[0].Owner, claim.Key);
            }
        }
    }

    private static void Report(SourceProductionContext context, Location? location, string type, string other, string key) =>
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DuplicateWireName, location, type, other, key));

    private static string Quoted(string typeName) => $"'{typeName}'";
}
