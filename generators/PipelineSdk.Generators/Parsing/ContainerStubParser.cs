using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Parsing;

/// <summary>
/// Reads what the implementing part of a <c>[ContainerStep]</c> partial method must repeat: its namespace, the enclosing
/// type declarations and its signature. A declaration that cannot take one (not partial, has a body, in a type that is
/// not partial) gets none: the step analyzer or the compiler already says why.
/// </summary>
internal static class ContainerStubParser
{
    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat.WithMiscellaneousOptions(
        SymbolDisplayMiscellaneousOptions.UseSpecialTypes | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier | SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers);

    public static ContainerStubModel? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetNode is not MethodDeclarationSyntax declaration || context.TargetSymbol is not IMethodSymbol method
            || !declaration.Modifiers.Any(SyntaxKind.PartialKeyword) || declaration.Body is not null || declaration.ExpressionBody is not null
            || method.PartialImplementationPart is not null)
        {
            return null;
        }

        var types = new List<string>();
        for (var node = declaration.Parent; node is TypeDeclarationSyntax type; node = node.Parent)
        {
            if (!type.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                return null;
            }

            var keyword = type is RecordDeclarationSyntax record
                ? "record" + (record.ClassOrStructKeyword.IsKind(SyntaxKind.None) ? "" : " " + record.ClassOrStructKeyword.Text)
                : type.Keyword.Text;
            types.Insert(0, $"partial {keyword} {type.Identifier.Text}{type.TypeParameterList?.ToString() ?? ""}");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var parameters = method.Parameters.Select(p => $"{p.Type.ToDisplayString(TypeFormat)} {SyntaxFacts.GetKeywordKind(p.Name) switch { SyntaxKind.None => p.Name, _ => "@" + p.Name }}");
        var modifiers = string.Join(" ", declaration.Modifiers.Select(m => m.Text));
        var signature = $"{modifiers} {method.ReturnType.ToDisplayString(TypeFormat)} {declaration.Identifier.Text}({string.Join(", ", parameters)})";
        var ns = method.ContainingNamespace is { IsGlobalNamespace: false } containing ? containing.ToDisplayString() : null;
        return new ContainerStubModel("ContainerStep." + PipelineParser.HintName(method), ns, types.ToEquatableArray(), signature, method.Name);
    }
}
