using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using PipelineSdk.Generators.Parsing;

namespace PipelineSdk.Generators.Diagnostics.Analyzers;

/// <summary>
/// Reports the problems of one <c>[Pipeline]</c> method while the user types. It runs <see cref="PipelineParser"/>,
/// the code the generator builds its models with, so both always agree on what is wrong; the generator reports
/// only what needs all pipelines at once (<see cref="CrossPipelineChecks"/>).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PipelineAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticCatalog.UnsupportedValueType,
        DiagnosticCatalog.UnsupportedPipelineStatement,
        DiagnosticCatalog.UnsupportedArgument,
        DiagnosticCatalog.PipelineSignature,
        DiagnosticCatalog.InvalidName,
        DiagnosticCatalog.PipelineHasNoSteps,
        DiagnosticCatalog.ArgumentTypeMismatch,
        DiagnosticCatalog.NameCollision,
        DiagnosticCatalog.RunTimeValueInExpression,
        DiagnosticCatalog.UnsupportedLoopSource,
        DiagnosticCatalog.UnsupportedCondition,
        DiagnosticCatalog.StepAndPipeline,
        DiagnosticCatalog.NameTooLongForLabel,
        DiagnosticCatalog.UnusedStepOutput,
        DiagnosticCatalog.UnusedPipelineParameter,
        DiagnosticCatalog.InvalidCallSetting,
        DiagnosticCatalog.InvalidExitHandlerName,
        DiagnosticCatalog.InvalidImporter,
        DiagnosticCatalog.UnknownAccelerator,
        DiagnosticCatalog.InternalError);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        // A syntax node action sees exactly what the generator's ForAttributeWithMetadataName sees: method
        // declarations, with the semantic model of their own tree.
        context.RegisterSyntaxNodeAction(AnalyzeMethod, SyntaxKind.MethodDeclaration);
    }

    /// <summary>
    /// Whether <c>[Pipeline]</c> is written on this declaration. The halves of a partial method share their attributes;
    /// like the generator, the analyzer reads the pipeline once, from the half that carries the attribute.
    /// </summary>
    private static bool WritesPipelineAttribute(MethodDeclarationSyntax declaration, IMethodSymbol method) =>
        method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == AttributeReader.Pipeline
            && a.ApplicationSyntaxReference is { } reference
            && reference.SyntaxTree == declaration.SyntaxTree
            && declaration.Span.Contains(reference.Span));

    private static void AnalyzeMethod(SyntaxNodeAnalysisContext context)
    {
        var declaration = (MethodDeclarationSyntax)context.Node;
        if (declaration.AttributeLists.Count == 0
            || context.SemanticModel.GetDeclaredSymbol(declaration, context.CancellationToken) is not { } method
            || !PipelineParser.IsPipeline(method)
            || !WritesPipelineAttribute(declaration, method))
        {
            return;
        }

        foreach (var diagnostic in PipelineParser.Analyze(method, declaration, context.SemanticModel, context.CancellationToken))
        {
            context.ReportDiagnostic(diagnostic.ToDiagnostic());
        }
    }
}
