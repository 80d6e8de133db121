using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using PipelineSdk.Generators.Model;
using PipelineSdk.Generators.Parsing;

namespace PipelineSdk.Generators.Diagnostics.Analyzers;

/// <summary>
/// Reports the problems of a <c>[Step]</c> method's declaration while the user types, using the same
/// <see cref="StepParser"/> the generator builds its models with.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class StepAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticCatalog.StepMustBeStatic,
        DiagnosticCatalog.StepNotAccessible,
        DiagnosticCatalog.StepIsGeneric,
        DiagnosticCatalog.StepParameterByReference,
        DiagnosticCatalog.UnsupportedValueType,
        DiagnosticCatalog.IntegrationPackageMissing,
        DiagnosticCatalog.InvalidName,
        DiagnosticCatalog.InvalidNamedArtifact,
        DiagnosticCatalog.InvalidRetry,
        DiagnosticCatalog.InvalidResources,
        DiagnosticCatalog.UnknownAccelerator,
        DiagnosticCatalog.InvalidEnvironmentVariable,
        DiagnosticCatalog.InvalidImage,
        DiagnosticCatalog.InvalidDisplayName,
        DiagnosticCatalog.InvalidTimeout,
        DiagnosticCatalog.SettingOnNonStep,
        DiagnosticCatalog.InvalidContainerStep,
        DiagnosticCatalog.InvalidContainerPlaceholder,
        DiagnosticCatalog.InternalError);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        // A [ContainerStep] counts as generated code once the generator has written its body; its declaration is the user's.
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.Analyze | GeneratedCodeAnalysisFlags.ReportDiagnostics);
        context.RegisterSymbolAction(AnalyzeMethod, SymbolKind.Method);
    }

    private static void AnalyzeMethod(SymbolAnalysisContext context)
    {
        var method = (IMethodSymbol)context.Symbol;
        if (method.PartialDefinitionPart is not null)
        {
            // The implementing part of a partial method (a [ContainerStep]'s generated body): its declaration is checked.
            return;
        }
        if (!StepParser.IsStep(method))
        {
            foreach (var misplaced in SettingsParser.MisplacedSettings(method, context.CancellationToken))
            {
                context.ReportDiagnostic(misplaced.ToDiagnostic());
            }

            return;
        }

        // A method that is also a pipeline gets one error (PSDK0018) from the pipeline analyzer instead.
        if (PipelineParser.IsPipeline(method))
        {
            return;
        }

        var diagnostics = new List<DiagnosticInfo>();
        try
        {
            StepParser.Parse(method, context.Compilation, diagnostics, context.CancellationToken, computeFingerprint: false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(context.CancellationToken) is MethodDeclarationSyntax declaration)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticCatalog.InternalError, declaration.Identifier.GetLocation(), method.Name, e.GetType().Name + ": " + e.Message));
            }
        }

        foreach (var diagnostic in diagnostics)
        {
            context.ReportDiagnostic(diagnostic.ToDiagnostic());
        }
    }
}
