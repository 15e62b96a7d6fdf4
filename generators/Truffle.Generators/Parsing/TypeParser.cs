using System.Collections.Generic;
using System.Collections.Immutable;
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
/// Turns one annotated type into a <see cref="TypeModel"/> and its diagnostics. With <see cref="ShapeParser"/> and
/// <see cref="MemberCollector"/>, the only code that touches symbols. One instance parses one type, in the steps
/// <see cref="Parse()"/> lists.
/// </summary>
internal sealed partial class TypeParser
{
    private readonly KnownTypeSymbols _known;
    private readonly ShapeParser _shapes;
    private readonly INamedTypeSymbol _type;
    private readonly TypeDeclarationSyntax _node;
    private readonly SemanticModel _semanticModel;
    private readonly CancellationToken _cancellationToken;
    private readonly Location _identifier;
    private readonly string _displayName;
    private readonly ImmutableArray<Diagnostic>.Builder _diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
    private readonly ImmutableArray<string>.Builder _wireKeys = ImmutableArray.CreateBuilder<string>();

    private TypeParser(KnownTypeSymbols known, INamedTypeSymbol type, TypeDeclarationSyntax node, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        _known = known;
        _shapes = new ShapeParser(known);
        _type = type;
        _node = node;
        _semanticModel = semanticModel;
        _cancellationToken = cancellationToken;
        _identifier = node.Identifier.GetLocation();
        _displayName = type.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat);
    }

    /// <summary>
    /// Parses the type <paramref name="context"/> found. A type with both attributes is parsed once, by the message
    /// pipeline; the slice pipeline (<paramref name="fromSlicePipeline"/>) skips it.
    /// </summary>
    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, KnownTypeSymbols known, bool fromSlicePipeline, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not TypeDeclarationSyntax node)
        {
            return ParseResult.Skipped;
        }

        bool isMessage = KnownTypeSymbols.FindAttribute(type, known.MessageAttribute) is not null;
        return fromSlicePipeline && isMessage
            ? ParseResult.Skipped
            : new TypeParser(known, type, node, context.SemanticModel, cancellationToken).Parse();
    }

    private ParseResult Parse()
    {
        CheckDeclaration();
        MessageInfo? message = KnownTypeSymbols.FindAttribute(_type, _known.MessageAttribute) is { } messageAttribute
            ? ParseMessage(messageAttribute)
            : null;
        string? storeId = KnownTypeSymbols.FindAttribute(_type, _known.SliceAttribute) is { } sliceAttribute
            ? ParseStoreId(sliceAttribute)
            : null;

        _cancellationToken.ThrowIfCancellationRequested();
        List<MemberCollector.Candidate> candidates = MemberCollector.Collect(_type, _known);
        IMethodSymbol? constructor = ChooseConstructor(candidates);
        ParsedMembers members = ParseMembers(candidates, constructor);
        if (storeId is not null)
        {
            CheckSliceSize(members);
        }

        TypeModel? model = _diagnostics.Count == 0 && constructor is not null
            ? BuildModel(message, storeId, members, ConstructorArguments(constructor, candidates, members))
            : null;
        return new ParseResult(model, _diagnostics.ToImmutable(), _wireKeys.ToImmutable(), _displayName, _identifier, members.Locations.ToImmutableArray());
    }

    /// <summary>TRF001 for every declaration that is not partial, TRF006 for a type that cannot be generated.</summary>
    private void CheckDeclaration()
    {
        for (SyntaxNode? current = _node; current is TypeDeclarationSyntax declaration; current = current.Parent)
        {
            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                _diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.NotPartial, declaration.Identifier.GetLocation(), declaration.Identifier.Text));
            }
        }

        if (SymbolFacts.UnsupportedReason(_type) is { } reason)
        {
            ReportUnsupportedDeclaration(reason);
        }
    }

    private MessageInfo? ParseMessage(AttributeData attribute)
    {
        var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken) as AttributeSyntax;
        string? ns = WireAttributes.Name(attribute);
        string wireType = WireNames.MessageType(WireAttributes.ExplicitType(attribute), _type.Name);

        bool valid = CheckWireName(syntax, null, "Namespace", ns, reservedNamespace: true);
        valid &= CheckWireName(syntax, "Type", "Type", wireType, reservedNamespace: false);
        TypeShape? reply = ParseReply();
        if (!valid)
        {
            return null;
        }

        _wireKeys.Add(WireNames.MessageKey(ns!, wireType));
        return new MessageInfo(ns!, wireType, reply);
    }

    /// <summary>The reply of an <c>IRequest&lt;TReply&gt;</c>; TRF002 when its type cannot be serialized.</summary>
    private TypeShape? ParseReply()
    {
        if (KnownTypeSymbols.FindInterface(_type, _known.Request) is not { } request)
        {
            return null;
        }

        ITypeSymbol replyType = request.TypeArguments[0];
        TypeShape? reply = _shapes.Parse(replyType);
        if (reply is null)
        {
            _diagnostics.Add(Diagnostic.Create(
                DiagnosticDescriptors.UnsupportedMemberType,
                RequestLocation() ?? _identifier,
                "Reply of",
                _type.Name,
                replyType.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)));
        }

        return reply;
    }

    private string? ParseStoreId(AttributeData attribute)
    {
        var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken) as AttributeSyntax;
        string? storeId = WireAttributes.Name(attribute);
        if (!CheckWireName(syntax, null, "Store id", storeId, reservedNamespace: false))
        {
            return null;
        }

        _wireKeys.Add(WireNames.StoreKey(storeId!));
        return storeId;
    }

    /// <summary>TRF003 unless <paramref name="name"/> is a valid wire name (and, for a namespace, not a reserved one).</summary>
    private bool CheckWireName(AttributeSyntax? syntax, string? argument, string what, string? name, bool reservedNamespace)
    {
        string? problem = WireNames.Validate(name)
            ?? (reservedNamespace && WireNames.IsReserved(name!) ? "is reserved for Truffle itself (truffle, mesh and sync are reserved)" : null);
        if (problem is not null)
        {
            _diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.InvalidWireName, ArgumentLocation(syntax, argument), what, name ?? string.Empty, problem));
        }

        return problem is null;
    }

    /// <summary>The constructor the formatter calls; TRF006 when there is none (and nothing else already explains why).</summary>
    private IMethodSymbol? ChooseConstructor(List<MemberCollector.Candidate> candidates)
    {
        IMethodSymbol? constructor = MemberCollector.ChooseConstructor(_type, candidates);
        if (constructor is null && SymbolFacts.UnsupportedReason(_type) is null)
        {
            ReportUnsupportedDeclaration("it has no constructor whose parameters all match its public members (or have defaults)");
        }

        return constructor;
    }

    /// <summary>TRF005 for a slice with nothing to sync, TRF007 for one with more members than the change mask holds.</summary>
    private void CheckSliceSize(ParsedMembers members)
    {
        if (members.Models.Count == 0 && members.Unsupported == 0)
        {
            _diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.SliceWithoutMembers, _identifier, _displayName));
        }
        else if (members.Models.Count > 64)
        {
            _diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.TooManySliceMembers, _identifier, _displayName, members.Models.Count));
        }
    }

    private TypeModel BuildModel(MessageInfo? message, string? storeId, ParsedMembers members, EquatableArray<ConstructorArgument> arguments) =>
        new(
            _type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            _type.Name,
            _type.ContainingNamespace.IsGlobalNamespace ? null : _type.ContainingNamespace.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", string.Empty),
            SymbolFacts.ContainingTypes(_type),
            SymbolFacts.Keyword(_type),
            _type.IsValueType,
            message,
            storeId,
            members.Models.ToEquatableArray(),
            arguments,
            SymbolFacts.HintName(_type),
            SymbolFacts.HasAnnotatedBase(_type, _known));

    private void ReportUnsupportedDeclaration(string reason) =>
        _diagnostics.Add(Diagnostic.Create(DiagnosticDescriptors.UnsupportedDeclaration, _identifier, _displayName, reason));

    /// <summary>The attribute argument to point at: the positional one when <paramref name="name"/> is null.</summary>
    private static Location? ArgumentLocation(AttributeSyntax? syntax, string? name)
    {
        if (syntax?.ArgumentList is not { } list)
        {
            return syntax?.GetLocation();
        }

        foreach (AttributeArgumentSyntax argument in list.Arguments)
        {
            if (argument.NameEquals?.Name.Identifier.Text == name)
            {
                return argument.GetLocation();
            }
        }

        return syntax.GetLocation();
    }

    /// <summary>The <c>IRequest&lt;…&gt;</c> entry of the type's base list, when this declaration has one.</summary>
    private Location? RequestLocation()
    {
        foreach (BaseTypeSyntax baseType in _node.BaseList?.Types ?? default)
        {
            if (KnownTypeSymbols.Is(_semanticModel.GetTypeInfo(baseType.Type, _cancellationToken).Type, _known.Request))
            {
                return baseType.GetLocation();
            }
        }

        return null;
    }
}
