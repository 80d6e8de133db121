using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PipelineSdk.Generators.Diagnostics;
using PipelineSdk.Generators.Emitting;
using PipelineSdk.Generators.Graph;
using PipelineSdk.Generators.Model;
using PipelineSdk.Generators.Parsing;

namespace PipelineSdk.Generators;

/// <summary>
/// Turns <c>[Pipeline]</c> methods into a typed DAG, a typed runner and a Kubeflow v2 spec. Wiring only: parsing,
/// graph building and emitting live in their own folders; the analyzers in Diagnostics/Analyzers report the checks.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class PipelineGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names, so tests can check which stages re-ran.</summary>
    public static class TrackingNames
    {
        /// <summary>Parsed pipelines: the model and the links the checks across pipelines need.</summary>
        public const string Pipelines = nameof(Pipelines);

        /// <summary>Pipeline graphs with Kubeflow names assigned.</summary>
        public const string Graphs = nameof(Graphs);

        /// <summary>Graphs paired with the program's name and kind, ready to emit.</summary>
        public const string Outputs = nameof(Outputs);

        /// <summary>What the checks across pipelines need from each pipeline.</summary>
        public const string Links = nameof(Links);

        /// <summary>Registrars of referenced PipelineSdk extensions.</summary>
        public const string Extensions = nameof(Extensions);

        /// <summary>Steps with their code fingerprints, each emitted once for every pipeline that calls it.</summary>
        public const string Steps = nameof(Steps);

        /// <summary>The <c>[ContainerStep]</c> partial methods whose bodies the generator writes.</summary>
        public const string ContainerSteps = nameof(ContainerSteps);
    }

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var program = context.CompilationProvider
            .Select((compilation, _) => compilation.AssemblyName ?? "App")
            .Combine(context.AnalyzerConfigOptionsProvider.Select((options, _) =>
                options.GlobalOptions.TryGetValue("build_property.PublishAot", out var aot) && string.Equals(aot, "true", StringComparison.OrdinalIgnoreCase)))
            .Select((pair, _) => new ProgramInfo(pair.Left, pair.Right));

        // One transform reads each pipeline: its model and what the checks across pipelines need, with one semantic model.
        var parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(AttributeReader.Pipeline, (node, _) => node is MethodDeclarationSyntax, PipelineParser.Parse)
            .WithTrackingName(TrackingNames.Pipelines);

        // The link holds the syntax tree its diagnostics point into; the graph depends on the model alone.
        var graphs = parsed
            .Select(static (pipeline, _) => pipeline.Model)
            .Select(static (pipeline, _) => PipelineGraphBuilder.Build(pipeline))
            .WithTrackingName(TrackingNames.Graphs);

        // Checks across pipelines: they need every pipeline at once, so the generator makes them (see CrossPipelineChecks).
        var links = parsed
            .Select(static (pipeline, _) => pipeline.Link)
            .WithTrackingName(TrackingNames.Links)
            .Collect();

        context.RegisterSourceOutput(links, static (output, links) =>
        {
            foreach (var diagnostic in CrossPipelineChecks.Check(links))
            {
                output.ReportDiagnostic(diagnostic);
            }
        });

        // Each step once, in a file of its own that the pipelines calling it refer to: its code fingerprint is computed
        // here alone, and an edit to its body regenerates that file and no pipeline.
        var steps = Steps(context, AttributeReader.Step);
        var containerStepModels = Steps(context, AttributeReader.ContainerStep);
        // A method declared twice (CS0111, which the compiler reports) would give two files of one name, which Roslyn refuses.
        var duplicates = steps.Collect().Combine(containerStepModels.Collect())
            .Select(static (all, _) => all.Left.Concat(all.Right).GroupBy(s => s!.HintName).Where(g => g.Count() > 1).Select(g => g.Key).ToEquatableArray());
        context.RegisterSourceOutput(steps.Combine(duplicates), static (output, pair) => EmitStep(output, pair.Left!, pair.Right));
        context.RegisterSourceOutput(containerStepModels.Combine(duplicates), static (output, pair) => EmitStep(output, pair.Left!, pair.Right));

        var emitContext = program
            .Combine(links.Select(static (links, _) => CrossPipelineChecks.Blocked(links)))
            .Select(static (pair, _) => new EmitContext(pair.Left, pair.Right));

        // Diagnostics of one pipeline or step are the analyzers' (Diagnostics/Analyzers): they show while typing,
        // and reporting them here as well would show each twice. A pipeline with errors simply emits nothing.
        context.RegisterSourceOutput(graphs.Combine(emitContext).WithTrackingName(TrackingNames.Outputs), static (output, pair) =>
        {
            var (graph, emit) = pair;
            if (!graph.CanEmit || emit.Blocked.Contains(graph.Pipeline.HintName))
            {
                return;
            }

            string source;
            try
            {
                source = CSharpEmitter.Emit(graph, SpecEmitter.Emit(graph, emit.Program));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A bug of ours: say so instead of failing the user's whole build with CS8785.
                output.ReportDiagnostic(Diagnostic.Create(DiagnosticCatalog.InternalError, Location.None, graph.Pipeline.MethodDisplayName, e.GetType().Name + ": " + e.Message));
                return;
            }

            output.AddSource(graph.Pipeline.HintName, source);
        });

        // A [ContainerStep] is a partial method without a body: it gets one that says where the step runs.
        var containerSteps = context.SyntaxProvider
            .ForAttributeWithMetadataName(AttributeReader.ContainerStep, (node, _) => node is MethodDeclarationSyntax, ContainerStubParser.Parse)
            .Where(static stub => stub is not null)
            .WithTrackingName(TrackingNames.ContainerSteps);
        context.RegisterSourceOutput(containerSteps, static (output, stub) => output.AddSource(stub!.HintName, ContainerStubEmitter.Emit(stub)));

        // Referenced extensions (PipelineSdk.Gcp, ...) register their flavors when the program starts.
        var extensions = context.CompilationProvider
            .Select(static (compilation, cancellationToken) => ExtensionFinder.Find(compilation, cancellationToken))
            .WithTrackingName(TrackingNames.Extensions);
        context.RegisterSourceOutput(extensions, static (output, registrars) =>
        {
            if (registrars.Count > 0)
            {
                output.AddSource("PipelineSdkExtensions.g.cs", CSharpEmitter.EmitExtensionRegistration(registrars));
            }
        });
    }

    private static IncrementalValuesProvider<SharedStepModel?> Steps(IncrementalGeneratorInitializationContext context, string attributeName) =>
        context.SyntaxProvider
            .ForAttributeWithMetadataName(attributeName, (node, _) => node is MethodDeclarationSyntax, StepParser.ParseShared)
            .WithTrackingName(TrackingNames.Steps)
            .Where(static step => step is not null);

    private static void EmitStep(SourceProductionContext output, SharedStepModel shared, EquatableArray<string> duplicates)
    {
        if (shared.Step is null)
        {
            output.ReportDiagnostic(Diagnostic.Create(DiagnosticCatalog.InternalError, Location.None, shared.HintName, shared.InternalError));
            return;
        }

        if (duplicates.Contains(shared.HintName))
        {
            return;
        }

        string source;
        try
        {
            source = StepEmitter.Emit(shared.Step);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            output.ReportDiagnostic(Diagnostic.Create(DiagnosticCatalog.InternalError, Location.None, shared.Step.MethodDisplayName, e.GetType().Name + ": " + e.Message));
            return;
        }

        output.AddSource(shared.HintName, source);
    }

    /// <summary>What emitting needs besides the graph: the program and the pipelines that must not emit.</summary>
    internal sealed record EmitContext(ProgramInfo Program, EquatableArray<string> Blocked);
}
