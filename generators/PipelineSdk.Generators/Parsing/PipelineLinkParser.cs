using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Parsing;

/// <summary>One <c>[Pipeline]</c> method as the generator reads it: the model to emit from and its links to other pipelines.</summary>
internal sealed record ParsedPipeline(PipelineModel Model, PipelineLink Link);

internal static class PipelineLinkParser
{
    public static PipelineLink Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var method = (IMethodSymbol)context.TargetSymbol;
        var declaration = (MethodDeclarationSyntax)context.TargetNode;
        var display = method.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat);
        var containingNamespace = method.ContainingType?.ContainingNamespace;
        var prefix = containingNamespace is null || containingNamespace.IsGlobalNamespace ? "" : containingNamespace.ToDisplayString() + ".";

        // The generator's own `Pipelines` classes are not in the compilation it sees, so any type found here is the user's.
        var clashing = containingNamespace?.GetTypeMembers("Pipelines").FirstOrDefault();
        var calls = PipelineParser.PipelineCallsIn(PipelineParser.ImplementingHalf(method, declaration, cancellationToken).Declaration, context.SemanticModel, cancellationToken)
            .Select(c => new PipelineCallLink(PipelineParser.Key(c.Callee), c.Callee.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat), SourceSpan.From(c.Call)))
            .ToEquatableArray();
        return new PipelineLink(
            PipelineParser.Key(method),
            display,
            PipelineParser.HintName(method),
            PipelineParser.NameOf(method),
            prefix + "Pipelines." + method.Name,
            clashing?.ToDisplayString(),
            SourceSpan.From(declaration.Identifier),
            calls);
    }
}
