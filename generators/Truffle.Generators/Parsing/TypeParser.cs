using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Truffle.Generators.Diagnostics;
using Truffle.Generators.Helpers;
using Truffle.Generators.Model;

namespace Truffle.Generators.Parsing;

/// <summary>
/// Turns one annotated type into a <see cref="TypeModel"/> and its diagnostics. The only place that touches symbols.
/// </summary>
internal static class TypeParser
{
    private const string RequestInterface = "IRequest`1";

    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, bool fromSlicePipeline, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not TypeDeclarationSyntax node)
        {
            return ParseResult.Skipped;
        }

        AttributeData? messageAttribute = SymbolFacts.FindAttribute(type, ShapeParser.MessageAttribute);
        AttributeData? sliceAttribute = SymbolFacts.FindAttribute(type, ShapeParser.SliceAttribute);
        if (fromSlicePipeline && messageAttribute is not null)
        {
            // A type with both attributes is parsed once, by the message pipeline.
            return ParseResult.Skipped;
        }

        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        var wireKeys = ImmutableArray.CreateBuilder<string>();
        Location identifier = node.Identifier.GetLocation();
        string displayName = type.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat);

        CheckPartial(node, diagnostics);
        if (SymbolFacts.UnsupportedReason(type) is { } reason)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.UnsupportedDeclaration, identifier, displayName, reason));
        }

        MessageInfo? message = null;
        if (messageAttribute is not null)
        {
            message = ParseMessage(type, node, messageAttribute, diagnostics, wireKeys, cancellationToken);
        }

        string? storeId = null;
        if (sliceAttribute is not null)
        {
            storeId = ParseStoreId(sliceAttribute, diagnostics, wireKeys, cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        List<MemberCollector.Candidate> candidates = MemberCollector.Collect(type);
        IMethodSymbol? constructor = MemberCollector.ChooseConstructor(type, candidates);
        if (constructor is null && SymbolFacts.UnsupportedReason(type) is null)
        {
            diagnostics.Add(Diagnostic.Create(
                DiagnosticDescriptors.UnsupportedDeclaration,
                identifier,
                displayName,
                "it has no constructor whose parameters all match its public members (or have defaults)"));
        }

        var inConstructor = new Dictionary<int, IParameterSymbol>();
        if (constructor is not null)
        {
            foreach (IParameterSymbol parameter in constructor.Parameters)
            {
                int index = MemberCollector.FindMember(candidates, parameter);
                if (index >= 0)
                {
                    inConstructor[index] = parameter;
                }
            }
        }

        var members = new List<MemberModel>();
        var memberIndexByCandidate = new Dictionary<int, int>();
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        int unsupported = 0;
        for (int i = 0; i < candidates.Count; i++)
        {
            MemberCollector.Candidate candidate = candidates[i];
            bool viaConstructor = inConstructor.TryGetValue(i, out IParameterSymbol? parameter);
            if (!viaConstructor && !candidate.IsSettable)
            {
                continue; // Computed: nothing could set it on the way back in.
            }

            TypeShape? shape = ShapeParser.Parse(candidate.Type, context.SemanticModel.Compilation.Assembly);
            if (shape is null)
            {
                diagnostics.Add(Diagnostic.Create(
                    DiagnosticDescriptors.UnsupportedMemberType,
                    MemberCollector.TypeLocation(candidate.Symbol) ?? identifier,
                    candidate.Symbol is IFieldSymbol ? "Field" : "Property",
                    candidate.Symbol.Name,
                    candidate.Type.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)));
                unsupported++;
                continue;
            }

            string key = WireNames.ToCamelCase(candidate.Symbol.Name);
            if (keys.TryGetValue(key, out string? other))
            {
                diagnostics.Add(Diagnostic.Create(
                    DiagnosticDescriptors.DuplicateKey,
                    MemberCollector.TypeLocation(candidate.Symbol) ?? identifier,
                    other,
                    candidate.Symbol.Name,
                    displayName,
                    key));
                continue;
            }

            keys[key] = candidate.Symbol.Name;
            memberIndexByCandidate[i] = members.Count;
            string? defaultValue = parameter is not null ? DefaultValues.Format(parameter, shape) : null;
            members.Add(new MemberModel(candidate.Symbol.Name, key, shape, candidate.IsSettable, candidate.MustInitialize, defaultValue));
        }

        if (storeId is not null)
        {
            if (members.Count == 0 && unsupported == 0)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.SliceWithoutMembers, identifier, displayName));
            }
            else if (members.Count > 64)
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.TooManySliceMembers, identifier, displayName, members.Count));
            }
        }

        TypeModel? model = null;
        if (diagnostics.Count == 0 && constructor is not null)
        {
            var arguments = constructor.Parameters
                .Select(p => MemberCollector.FindMember(candidates, p) is var c && c >= 0 && memberIndexByCandidate.TryGetValue(c, out int m)
                    ? new ConstructorArgument(m, null)
                    : new ConstructorArgument(-1, DefaultValues.Format(p, null) ?? "default!"))
                .ToEquatableArray();

            model = new TypeModel(
                type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                type.Name,
                type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", string.Empty),
                SymbolFacts.ContainingTypes(type),
                SymbolFacts.Keyword(type),
                type.IsValueType,
                SymbolFacts.IsEffectivelyPublic(type),
                message,
                storeId,
                members.ToEquatableArray(),
                arguments,
                SymbolFacts.HintName(type),
                SymbolFacts.HasAnnotatedBase(type));
        }

        return new ParseResult(model, diagnostics.ToImmutable(), wireKeys.ToImmutable(), displayName, identifier);
    }

    private static MessageInfo? ParseMessage(
        INamedTypeSymbol type,
        TypeDeclarationSyntax node,
        AttributeData attribute,
        ImmutableArray<Diagnostic>.Builder diagnostics,
        ImmutableArray<string>.Builder wireKeys,
        CancellationToken cancellationToken)
    {
        var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        string? ns = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
        string? explicitType = null;
        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
        {
            if (named.Key == "Type")
            {
                explicitType = named.Value.Value as string;
            }
        }

        bool valid = true;
        string? nsProblem = WireNames.Validate(ns) ?? (WireNames.IsReserved(ns!) ? "is reserved for Truffle itself (truffle, mesh and sync are reserved)" : null);
        if (nsProblem is not null)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.InvalidWireName, ArgumentLocation(syntax, null), "Namespace", ns ?? string.Empty, nsProblem));
            valid = false;
        }

        string wireType = explicitType ?? WireNames.ToKebabCase(type.Name);
        if (WireNames.Validate(wireType) is { } typeProblem)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.InvalidWireName, ArgumentLocation(syntax, "Type"), "Type", wireType, typeProblem));
            valid = false;
        }

        TypeShape? reply = null;
        bool replyIsPublic = true;
        foreach (INamedTypeSymbol candidate in type.AllInterfaces)
        {
            if (candidate.MetadataName == RequestInterface && candidate.ContainingNamespace?.ToDisplayString() == "Truffle")
            {
                ITypeSymbol replyType = candidate.TypeArguments[0];
                reply = ShapeParser.Parse(replyType, type.ContainingAssembly);
                replyIsPublic = SymbolFacts.IsPublicType(replyType);
                if (reply is null)
                {
                    diagnostics.Add(Diagnostic.Create(
                        DiagnosticDescriptors.UnsupportedMemberType,
                        RequestLocation(node) ?? node.Identifier.GetLocation(),
                        "Reply of",
                        type.Name,
                        replyType.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)));
                }

                break;
            }
        }

        if (!valid)
        {
            return null;
        }

        wireKeys.Add($"message {ns}/{wireType}");
        return new MessageInfo(ns!, wireType, reply, replyIsPublic);
    }

    private static string? ParseStoreId(AttributeData attribute, ImmutableArray<Diagnostic>.Builder diagnostics, ImmutableArray<string>.Builder wireKeys, CancellationToken cancellationToken)
    {
        var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        string? storeId = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
        if (WireNames.Validate(storeId) is { } problem)
        {
            diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.InvalidWireName, ArgumentLocation(syntax, null), "Store id", storeId ?? string.Empty, problem));
            return null;
        }

        wireKeys.Add($"store {storeId}");
        return storeId;
    }

    private static void CheckPartial(TypeDeclarationSyntax node, ImmutableArray<Diagnostic>.Builder diagnostics)
    {
        for (SyntaxNode? current = node; current is TypeDeclarationSyntax declaration; current = current.Parent)
        {
            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.NotPartial, declaration.Identifier.GetLocation(), declaration.Identifier.Text));
            }
        }
    }

    private static Location? ArgumentLocation(AttributeSyntax? syntax, string? name)
    {
        if (syntax?.ArgumentList is not { } list)
        {
            return syntax?.GetLocation();
        }

        foreach (AttributeArgumentSyntax argument in list.Arguments)
        {
            bool isNamed = argument.NameEquals is not null;
            if ((name is null && !isNamed) || (name is not null && argument.NameEquals?.Name.Identifier.Text == name))
            {
                return argument.GetLocation();
            }
        }

        return syntax.GetLocation();
    }

    private static Location? RequestLocation(TypeDeclarationSyntax node)
    {
        foreach (BaseTypeSyntax baseType in node.BaseList?.Types ?? default)
        {
            if (baseType.Type.ToString().Contains("IRequest"))
            {
                return baseType.GetLocation();
            }
        }

        return null;
    }

}
