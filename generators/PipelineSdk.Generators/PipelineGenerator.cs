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
        /// <summary>Parsed pipeline models.</summary>
        public const string Pipelines = nameof(Pipelines);

        /// <summary>Pipeline graphs with Kubeflow names assigned.</summary>
        public const string Graphs = nameof(Graphs);

        /// <summary>Graphs paired with the assembly name, ready to emit.</summary>
        public const string Outputs = nameof(Outputs);

        /// <summary>What the checks across pipelines need from each pipeline.</summary>
        public const string Links = nameof(Links);
    }

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var assemblyName = context.CompilationProvider.Select((compilation, _) => compilation.AssemblyName ?? "App");

        var pipelines = context.SyntaxProvider
            .ForAttributeWithMetadataName(PipelineParser.PipelineAttributeName, (node, _) => node is MethodDeclarationSyntax, PipelineParser.Parse)
            .WithTrackingName(TrackingNames.Pipelines);

        var graphs = pipelines
            .Select((pipeline, _) => PipelineGraphBuilder.Build(pipeline))
            .WithTrackingName(TrackingNames.Graphs);

        // Checks across pipelines: they need every pipeline at once, so the generator makes them (see CrossPipelineChecks).
        var links = context.SyntaxProvider
            .ForAttributeWithMetadataName(PipelineParser.PipelineAttributeName, (node, _) => node is MethodDeclarationSyntax, PipelineLinkParser.Parse)
            .WithTrackingName(TrackingNames.Links)
            .Collect();

        context.RegisterSourceOutput(links, static (output, links) =>
        {
            foreach (var diagnostic in CrossPipelineChecks.Check(links))
            {
                output.ReportDiagnostic(diagnostic);
            }
        });

        var emitContext = assemblyName
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
                source = CSharpEmitter.Emit(graph, SpecEmitter.Emit(graph, emit.AssemblyName));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A bug of ours: say so instead of failing the user's whole build with CS8785.
                output.ReportDiagnostic(Diagnostic.Create(DiagnosticCatalog.InternalError, Location.None, graph.Pipeline.MethodDisplayName, e.GetType().Name + ": " + e.Message));
                return;
            }

            output.AddSource(graph.Pipeline.HintName, source);
        });
    }

    /// <summary>What emitting needs besides the graph: the assembly name and the pipelines that must not emit.</summary>
    internal sealed record EmitContext(string AssemblyName, EquatableArray<string> Blocked);
}
