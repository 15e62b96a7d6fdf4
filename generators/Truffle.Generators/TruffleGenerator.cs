using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using Truffle.Generators.Diagnostics;
using Truffle.Generators.Emitting;
using Truffle.Generators.Helpers;
using Truffle.Generators.Model;
using Truffle.Generators.Parsing;
using Truffle.Generators.Schema;

namespace Truffle.Generators;

/// <summary>
/// Generates MessagePack formatters, the typed bus API and slice diff/apply for <c>[TruffleMessage]</c> and
/// <c>[SyncedSlice]</c> types.
/// </summary>
/// <remarks>
/// Symbols are read only by the parse steps (<see cref="TypeParser"/>); every value after them is an
/// equatable model, so edits that do not change an annotated type leave all outputs cached. Diagnostics travel on a
/// separate output with real source locations, so a moved declaration re-reports without regenerating source.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed class TruffleGenerator : IIncrementalGenerator
{
    private const int CSharp14 = 1400;

    /// <summary>The MSBuild property (made visible to the compiler by Truffle's targets) that asks for the lock to be written.</summary>
    private const string UpdateSchemaProperty = "build_property.TruffleUpdateSchema";

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValueProvider<CompilationInfo> compilation = context.CompilationProvider
            .Select(static (c, _) => new CompilationInfo(
                c.AssemblyName ?? "Assembly",
                c is CSharpCompilation cs && (int)cs.LanguageVersion >= CSharp14))
            .WithTrackingName(TrackingNames.CompilationInfo);

        IncrementalValueProvider<KnownTypeSymbols> knownTypes = context.CompilationProvider
            .Select(static (c, _) => new KnownTypeSymbols(c))
            .WithTrackingName(TrackingNames.KnownTypes);
        IncrementalValuesProvider<ParseResult> messages = ParseAnnotated(context, KnownTypeSymbols.MessageAttributeName, knownTypes, TrackingNames.ParseMessages);
        IncrementalValuesProvider<ParseResult> slices = ParseAnnotated(context, KnownTypeSymbols.SliceAttributeName, knownTypes, TrackingNames.ParseSlices);

        IncrementalValuesProvider<TypeModel> messageModels = ModelsOf(messages);
        IncrementalValuesProvider<TypeModel> sliceModels = ModelsOf(slices);

        context.RegisterSourceOutput(messageModels, static (spc, model) => Add(spc, model.HintName, TypeEmitter.Emit(model)));
        context.RegisterSourceOutput(sliceModels, static (spc, model) => Add(spc, model.HintName, TypeEmitter.Emit(model)));

        // A namespace can be declared in several assemblies: each one's API reaches the messages of its references
        // too, read from their metadata once per compilation and reduced to an equatable model.
        IncrementalValueProvider<ReferencedContracts> references = knownTypes
            .Select(static (known, ct) => ReferenceScanner.Scan(known, ct))
            .WithTrackingName(TrackingNames.References);

        IncrementalValueProvider<EquatableArray<NamespaceApiModel>> apis = messageModels
            .Collect()
            .Combine(references)
            .Combine(compilation)
            .Select(static (input, _) => NamespaceApiBuilder.Build(input.Left.Left, input.Left.Right, input.Right))
            .WithTrackingName(TrackingNames.NamespaceApis);
        context.RegisterSourceOutput(apis.SelectMany(static (list, _) => list), static (spc, api) =>
            Add(spc, NamespaceApiEmitter.HintName(api), NamespaceApiEmitter.Emit(api)));

        IncrementalValueProvider<string?> apiNamespace = apis
            .Select(static (list, _) => list.Count == 0 ? null : list[0].ApiNamespace)
            .WithTrackingName(TrackingNames.NamespaceApiImports);
        context.RegisterSourceOutput(apiNamespace, static (spc, ns) =>
        {
            if (ns is not null)
            {
                Add(spc, NamespaceApiEmitter.ImportsHintName, NamespaceApiEmitter.EmitImports(ns));
            }
        });

        IncrementalValueProvider<ResolverModel?> resolver = messageModels
            .Collect()
            .Combine(sliceModels.Collect())
            .Combine(compilation)
            .Select(static (input, _) => BuildResolver(input.Left.Left, input.Left.Right, input.Right))
            .WithTrackingName(TrackingNames.Resolver);
        context.RegisterSourceOutput(resolver, static (spc, model) =>
        {
            if (model is not null)
            {
                Add(spc, ResolverEmitter.HintName, ResolverEmitter.Emit(model));
            }
        });

        // Referenced contracts' schemas, registered from this assembly too: they must be in the hello even when nothing
        // has loaded the library yet when the node starts.
        IncrementalValueProvider<ReferencedSchemasModel?> referencedSchemas = references
            .Combine(compilation)
            .Select(static (input, _) => input.Left.Schemas.Count == 0 ? null : new ReferencedSchemasModel(input.Right.GeneratedNamespace, input.Left.Schemas))
            .WithTrackingName(TrackingNames.ReferencedSchemas);
        context.RegisterSourceOutput(referencedSchemas, static (spc, model) =>
        {
            if (model is not null)
            {
                Add(spc, ReferencedSchemasEmitter.HintName, ReferencedSchemasEmitter.Emit(model));
            }
        });

        // The schema lock: read once per change of the file, written on request, checked only by the diagnostics
        // output, so an edit of the lock never regenerates source and an edit of the code never re-reads the lock.
        IncrementalValueProvider<bool> updatingLock = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => options.GlobalOptions.TryGetValue(UpdateSchemaProperty, out string? value)
                && string.Equals(value, "true", System.StringComparison.OrdinalIgnoreCase))
            .WithTrackingName(TrackingNames.UpdateSchema);
        IncrementalValueProvider<SchemaLock?> schemaLock = context.AdditionalTextsProvider
            .Where(static file => SchemaLock.IsLockFile(file))
            .Select(static (file, ct) => SchemaLock.Read(file, ct))
            .WithTrackingName(TrackingNames.SchemaLock)
            .Collect()
            .Select(static (locks, _) => locks.IsEmpty ? null : locks[0]);

        IncrementalValueProvider<SchemaModel?> schema = messageModels
            .Collect()
            .Combine(sliceModels.Collect())
            .Combine(updatingLock)
            .Select(static (input, _) => input.Right ? SchemaBuilder.Build(input.Left.Left.Concat(input.Left.Right)) : null)
            .WithTrackingName(TrackingNames.Schema);
        context.RegisterSourceOutput(schema, static (spc, model) =>
        {
            if (model is not null)
            {
                Add(spc, SchemaEmitter.HintName, SchemaEmitter.Emit(model));
            }
        });

        context.RegisterSourceOutput(messages.Collect().Combine(slices.Collect()).Combine(references).Combine(schemaLock.Combine(updatingLock)), static (spc, all) =>
        {
            ImmutableArray<ParseResult> results = all.Left.Left.Left.AddRange(all.Left.Left.Right);
            DiagnosticReporter.Report(spc, results, all.Left.Right);
            SchemaChecker.Report(spc, results, all.Left.Right, all.Right.Right ? null : all.Right.Left);
        });
    }

    // The parse runs after the combine with the known types (resolved once per compilation, as System.Text.Json's
    // generator does), not in the attribute transform, which would resolve them again for every type.
    private static IncrementalValuesProvider<ParseResult> ParseAnnotated(
        IncrementalGeneratorInitializationContext context,
        string attribute,
        IncrementalValueProvider<KnownTypeSymbols> knownTypes,
        string trackingName)
    {
        bool fromSlicePipeline = attribute == KnownTypeSymbols.SliceAttributeName;
        return context.SyntaxProvider
            .ForAttributeWithMetadataName(attribute, static (node, _) => node is TypeDeclarationSyntax, static (ctx, _) => ctx)
            .Combine(knownTypes)
            .Select((input, ct) => TypeParser.Parse(input.Left, input.Right, fromSlicePipeline, ct))
            .WithTrackingName(trackingName);
    }

    // Sorted by name through Collect/SelectMany: the outputs are then compared by type rather than by position, so
    // reordering declarations in a file leaves every model (and file) unchanged.
    private static IncrementalValuesProvider<TypeModel> ModelsOf(IncrementalValuesProvider<ParseResult> results) =>
        results
            .Select(static (result, _) => result.Model)
            .Where(static model => model is not null)
            .Collect()
            .SelectMany(static (models, _) => models.OrderBy(m => m!.FullyQualifiedName, System.StringComparer.Ordinal))
            .WithTrackingName(TrackingNames.Models)!;

    private static void Add(SourceProductionContext context, string hintName, string source) =>
        context.AddSource(hintName, SourceText.From(source, System.Text.Encoding.UTF8));

    private static ResolverModel? BuildResolver(ImmutableArray<TypeModel> messages, ImmutableArray<TypeModel> slices, CompilationInfo compilation)
    {
        if (messages.IsEmpty && slices.IsEmpty)
        {
            return null;
        }

        EquatableArray<string> types = messages.Concat(slices)
            .Select(m => m.FullyQualifiedName)
            .Distinct()
            .OrderBy(n => n, System.StringComparer.Ordinal)
            .ToEquatableArray();
        return new ResolverModel(compilation.GeneratedNamespace, types, Fingerprints.Of(messages));
    }
}
