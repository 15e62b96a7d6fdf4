using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Truffle.Generators.Diagnostics;
using Truffle.Generators.Parsing;

namespace Truffle.Generators.Analyzers;

/// <summary>
/// Reports TRF009 where code subscribes to a message through the API of another namespace (<c>bus.Chat.On&lt;Note&gt;</c>).
/// </summary>
/// <remarks>
/// A namespace API reaches messages of other assemblies too, so its <c>On&lt;T&gt;</c> and <c>ReadAll&lt;T&gt;</c>
/// accept any message type; the runtime refuses a message of another namespace when subscribing, and this analyzer
/// says so at compile time, reading the namespace from the message's <c>[TruffleMessage]</c> and the API's
/// <c>WireNamespace</c> constant.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NamespaceApiAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [DiagnosticDescriptors.MessageOfAnotherNamespace];

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var known = new KnownTypeSymbols(start.Compilation);
            if (known.MessageAttribute is not null && known.GeneratedCodeAttribute is not null)
            {
                start.RegisterOperationAction(operation => Analyze(operation, known), OperationKind.Invocation);
            }
        });
    }

    private static void Analyze(OperationAnalysisContext context, KnownTypeSymbols known)
    {
        IMethodSymbol method = ((IInvocationOperation)context.Operation).TargetMethod;
        if (method.Name is not ("On" or "ReadAll") || method.TypeArguments.Length != 1
            || known.WireNamespaceOfApi(method.IsExtensionMethod ? method.Parameters.FirstOrDefault()?.Type : method.ContainingType) is not { } apiNamespace
            || KnownTypeSymbols.FindAttribute(method.TypeArguments[0], known.MessageAttribute) is not { } attribute
            || WireAttributes.Name(attribute) is not { } messageNamespace
            || messageNamespace == apiNamespace)
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.MessageOfAnotherNamespace,
            TypeArgumentLocation(context.Operation.Syntax),
            method.TypeArguments[0].Name,
            messageNamespace,
            apiNamespace,
            WireNames.ToPascalCase(messageNamespace)));
    }

    /// <summary>The written type argument (<c>Note</c> in <c>bus.Chat.On&lt;Note&gt;</c>), else the whole call.</summary>
    private static Location TypeArgumentLocation(SyntaxNode invocation) =>
        invocation is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name: GenericNameSyntax generic } }
            ? generic.TypeArgumentList.Arguments[0].GetLocation()
            : invocation.GetLocation();
}
