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
/// Turns <c>[Pipeline]</c> methods into a typed DAG, a typed runner and a Kubeflow v2 spec, and checks
/// <c>[Step]</c> methods. Wiring only: parsing, graph building and emitting live in their own folders.
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

        /// <summary>Graphs paired with the program's name and kind, ready to emit.</summary>
        public const string Outputs = nameof(Outputs);

        /// <summary>Registrars of referenced PipelineSdk extensions.</summary>
        public const string Extensions = nameof(Extensions);

        /// <summary>Diagnostics of step declarations.</summary>
        public const string Steps = nameof(Steps);
    }

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var program = context.CompilationProvider
            .Select((compilation, _) => compilation.AssemblyName ?? "App")
            .Combine(context.AnalyzerConfigOptionsProvider.Select((options, _) =>
                options.GlobalOptions.TryGetValue("build_property.PublishAot", out var aot) && string.Equals(aot, "true", StringComparison.OrdinalIgnoreCase)))
            .Select((pair, _) => new ProgramInfo(pair.Left, pair.Right));

        var pipelines = context.SyntaxProvider
            .ForAttributeWithMetadataName(PipelineParser.PipelineAttributeName, (node, _) => node is MethodDeclarationSyntax, PipelineParser.Parse)
            .WithTrackingName(TrackingNames.Pipelines);

        var graphs = pipelines
            .Select((pipeline, _) => PipelineGraphBuilder.Build(pipeline))
            .WithTrackingName(TrackingNames.Graphs);

        context.RegisterSourceOutput(graphs.Combine(program).WithTrackingName(TrackingNames.Outputs), static (output, pair) =>
        {
            var (graph, assembly) = pair;
            foreach (var diagnostic in graph.Pipeline.Diagnostics)
            {
                output.ReportDiagnostic(diagnostic.ToDiagnostic());
            }

            if (!graph.CanEmit)
            {
                return;
            }

            string source;
            try
            {
                source = CSharpEmitter.Emit(graph, SpecEmitter.Emit(graph, assembly));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A bug of ours: say so instead of failing the user's whole build with CS8785.
                output.ReportDiagnostic(Diagnostic.Create(DiagnosticCatalog.InternalError, Location.None, graph.Pipeline.MethodDisplayName, e.GetType().Name + ": " + e.Message));
                return;
            }

            output.AddSource(graph.Pipeline.HintName, source);
        });

        // Names are checked across pipelines in a pass of their own, so the main models stay per-pipeline.
        var names = context.SyntaxProvider
            .ForAttributeWithMetadataName(PipelineParser.PipelineAttributeName, (node, _) => node is MethodDeclarationSyntax, static (context, _) =>
                new PipelineName(
                    PipelineParser.NameOf((IMethodSymbol)context.TargetSymbol),
                    context.TargetSymbol.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat),
                    ((MethodDeclarationSyntax)context.TargetNode).Identifier.GetLocation()))
            .Collect();

        context.RegisterSourceOutput(names, static (output, names) =>
        {
            foreach (var group in names.GroupBy(n => n.Name).Where(g => g.Count() > 1))
            {
                var methods = string.Join(" and ", group.Select(n => n.Method));
                foreach (var duplicate in group)
                {
                    output.ReportDiagnostic(DiagnosticInfo.Create(DiagnosticCatalog.DuplicatePipelineName, duplicate.Location, group.Key, methods).ToDiagnostic());
                }
            }
        });

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

        var steps = context.SyntaxProvider
            .ForAttributeWithMetadataName(StepParser.StepAttributeName, (node, _) => node is MethodDeclarationSyntax, static (context, cancellationToken) =>
            {
                var diagnostics = new List<DiagnosticInfo>();
                try
                {
                    StepParser.Parse((IMethodSymbol)context.TargetSymbol, context.SemanticModel.Compilation, diagnostics, cancellationToken, computeFingerprint: false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticCatalog.InternalError, ((MethodDeclarationSyntax)context.TargetNode).Identifier.GetLocation(), context.TargetSymbol.Name, e.GetType().Name + ": " + e.Message));
                }

                return diagnostics.ToEquatableArray();
            })
            .WithTrackingName(TrackingNames.Steps);

        context.RegisterSourceOutput(steps, static (output, diagnostics) =>
        {
            foreach (var diagnostic in diagnostics)
            {
                output.ReportDiagnostic(diagnostic.ToDiagnostic());
            }
        });
    }

    private sealed record PipelineName(string Name, string Method, Location Location);
}
