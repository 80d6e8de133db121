using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PipelineSdk.Generators.Diagnostics;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Parsing;

/// <summary>
/// Reads a <c>[Pipeline]</c> method body as a graph description: step calls, locals that carry their outputs,
/// pipeline parameters and constants. Anything else becomes a diagnostic at its exact location. The entry points and
/// the walk's outline live here; each job is a class of its own sharing one <see cref="PipelineParseState"/>.
/// </summary>
internal sealed class PipelineParser
{
    private static readonly SymbolDisplayFormat KeyFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .WithMemberOptions(SymbolDisplayMemberOptions.IncludeContainingType | SymbolDisplayMemberOptions.IncludeParameters);

    private PipelineParser(IMethodSymbol pipeline, MethodDeclarationSyntax declaration, SemanticModel model, HashSet<string> callers, CancellationToken cancellationToken)
    {
        State = new PipelineParseState(pipeline, declaration, model, callers, cancellationToken);
        Body = new BodyWalker(this);
        Flow = new ControlFlowParser(this);
        Values = new ValueResolver(this);
        Constants = new ConstantCollectionReader(this);
        Settings = new CallSettingsParser(this);
        Importers = new ImporterParser(this);
        OneOfs = new OneOfParser(this);
        Checks = new PipelineChecks(this);
    }

    public PipelineParseState State { get; }

    public BodyWalker Body { get; }

    public ControlFlowParser Flow { get; }

    public ValueResolver Values { get; }

    public ConstantCollectionReader Constants { get; }

    public CallSettingsParser Settings { get; }

    public ImporterParser Importers { get; }

    public OneOfParser OneOfs { get; }

    public PipelineChecks Checks { get; }

    /// <summary>
    /// The generator's entry: the model to emit from, and what the checks across pipelines need, read with one semantic
    /// model. Steps are read without their code fingerprints: each step's own stage computes that once (see
    /// <see cref="StepParser.ParseShared"/>). Its diagnostics are the analyzer's to report.
    /// </summary>
    public static ParsedPipeline Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken) =>
        new(Run((IMethodSymbol)context.TargetSymbol, (MethodDeclarationSyntax)context.TargetNode, context.SemanticModel, new HashSet<string>(), cancellationToken).Model,
            PipelineLinkParser.Parse(context, cancellationToken));

    /// <summary>The analyzer's entry: every problem this one pipeline has, found by the same code the generator runs.</summary>
    public static IReadOnlyList<DiagnosticInfo> Analyze(IMethodSymbol method, MethodDeclarationSyntax declaration, SemanticModel model, CancellationToken cancellationToken) =>
        Run(method, declaration, model, new HashSet<string>(), cancellationToken).Diagnostics;

    /// <summary>Identifies a pipeline method across passes (stable, overload-aware).</summary>
    public static string Key(IMethodSymbol method) => method.OriginalDefinition.ToDisplayString(KeyFormat);

    /// <summary>
    /// For the declaring half of a partial method, the implementing half when it is in the same file (its body is the
    /// graph, and one semantic model serves both); otherwise the method as given.
    /// </summary>
    public static (IMethodSymbol Method, MethodDeclarationSyntax Declaration) ImplementingHalf(IMethodSymbol method, MethodDeclarationSyntax declaration, CancellationToken cancellationToken) =>
        declaration.Body is null && declaration.ExpressionBody is null
            && method.PartialImplementationPart is { } implementation
            && implementation.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is MethodDeclarationSyntax body
            && body.SyntaxTree == declaration.SyntaxTree
            ? (implementation, body)
            : (method, declaration);

    /// <summary>Calls to <c>[Pipeline]</c> methods anywhere in a pipeline's body; the generator checks them across pipelines.</summary>
    public static List<(IMethodSymbol Callee, InvocationExpressionSyntax Call)> PipelineCallsIn(MethodDeclarationSyntax declaration, SemanticModel model, CancellationToken cancellationToken)
    {
        var calls = new List<(IMethodSymbol, InvocationExpressionSyntax)>();
        var body = (SyntaxNode?)declaration.Body ?? declaration.ExpressionBody;
        foreach (var invocation in body?.DescendantNodes().OfType<InvocationExpressionSyntax>() ?? Enumerable.Empty<InvocationExpressionSyntax>())
        {
            if (model.GetSymbolInfo(invocation, cancellationToken).Symbol is IMethodSymbol method && IsPipeline(method))
            {
                calls.Add((method, invocation));
            }
        }

        return calls;
    }

    public static bool IsPipeline(IMethodSymbol method) =>
        AttributeReader.Has(method, AttributeReader.Pipeline);

    internal static (PipelineModel Model, List<DiagnosticInfo> Diagnostics) Run(IMethodSymbol method, MethodDeclarationSyntax declaration, SemanticModel model, HashSet<string> callers, CancellationToken cancellationToken)
    {
        try
        {
            (method, declaration) = ImplementingHalf(method, declaration, cancellationToken);
            var parser = new PipelineParser(method, declaration, model, callers, cancellationToken);
            return (parser.Parse(), parser.State.Diagnostics);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var failure = DiagnosticInfo.Create(DiagnosticCatalog.InternalError, declaration.Identifier.GetLocation(), method.Name, e.GetType().Name + ": " + e.Message);
            var broken = new PipelineModel(HintName(method), null, method.Name, method.Name, method.Name, false, null,
                EquatableArray<PipelineParameterModel>.Empty, EquatableArray<CallModel>.Empty, HasErrors: true);
            return (broken, new List<DiagnosticInfo> { failure });
        }
    }

    private PipelineModel Parse()
    {
        if (State.Declaration.Body is null && State.Declaration.ExpressionBody is null && State.Pipeline.PartialImplementationPart is not null)
        {
            State.Report(DiagnosticCatalog.PipelineSignature, State.Declaration.Identifier.GetLocation(), State.Name,
                "is a partial method whose body is in another file; write the body in the file that declares it [Pipeline]");
            return Model(EquatableArray<PipelineParameterModel>.Empty, hasErrors: true);
        }

        if (StepParser.IsStep(State.Pipeline))
        {
            // Reading a step's body as a graph would only add noise: one clear error is enough.
            State.Report(DiagnosticCatalog.StepAndPipeline, State.Declaration.Identifier.GetLocation(), State.Name);
            return Model(EquatableArray<PipelineParameterModel>.Empty, hasErrors: true);
        }

        Checks.CheckSignature();
        var pipelineName = NameOf(State.Pipeline);
        if (Naming.Validate(pipelineName, Naming.MaxPipelineNameLength) is { } invalid)
        {
            State.Report(DiagnosticCatalog.InvalidName, AttributeReader.AttributeLocation(State.Pipeline, State.Declaration), "pipeline", pipelineName, invalid);
        }
        else if (pipelineName.Length > Naming.MaxLabelLength)
        {
            State.Report(DiagnosticCatalog.NameTooLongForLabel, AttributeReader.AttributeLocation(State.Pipeline, State.Declaration), pipelineName, pipelineName.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var experiment = AttributeReader.NamedString(State.Pipeline, AttributeReader.Pipeline, "Experiment");
        if (experiment is not null && Naming.Validate(experiment, Naming.MaxPipelineNameLength) is { } invalidExperiment)
        {
            State.Report(DiagnosticCatalog.InvalidName, AttributeReader.AttributeLocation(State.Pipeline, State.Declaration), "experiment", experiment, invalidExperiment);
        }

        var parameters = Checks.ParseParameters();
        State.Callers.Add(Key(State.Pipeline));
        if (State.Declaration.ExpressionBody is { } expressionBody)
        {
            if (Flow.ReturnedType() is null)
            {
                Body.ParseExpressionStatement(expressionBody.Expression);
            }
            else
            {
                Flow.ParseReturn(expressionBody.Expression);
            }
        }
        else if (State.Declaration.Body is { } body)
        {
            var statements = body.Statements;
            for (var i = 0; i < statements.Count; i++)
            {
                var isLast = i == statements.Count - 1;
                Body.ParseStatement(statements[i], isLast);
            }
        }

        Flow.CheckCollectors();
        OneOfs.CheckOneOfs();
        if (State.Calls.Count == 0 && !State.HasErrorDiagnostics() && !State.Unresolved && !State.InnerBroken)
        {
            State.Report(DiagnosticCatalog.PipelineHasNoSteps, State.Declaration.Identifier.GetLocation(), State.Name);
        }

        Checks.CheckGeneratedNames();
        Checks.CheckUnused();
        return Model(parameters.ToEquatableArray(), State.HasErrorDiagnostics() || State.Unresolved || State.InnerBroken);
    }

    private PipelineModel Model(EquatableArray<PipelineParameterModel> parameters, bool hasErrors)
    {
        var containingNamespace = State.Pipeline.ContainingType?.ContainingNamespace;
        return new PipelineModel(
            HintName(State.Pipeline),
            containingNamespace is null || containingNamespace.IsGlobalNamespace ? null : containingNamespace.ToDisplayString(),
            State.Pipeline.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat.WithMemberOptions(SymbolDisplayMemberOptions.IncludeContainingType)),
            State.Pipeline.Name,
            NameOf(State.Pipeline),
            IsPublic(State.Pipeline),
            AttributeReader.NamedBool(State.Pipeline, AttributeReader.Pipeline, "EnableCache"),
            parameters,
            // A pipeline with errors, or whose code does not compile, yields no calls, so nothing is emitted for it.
            hasErrors ? EquatableArray<CallModel>.Empty : State.Calls.ToEquatableArray(),
            hasErrors)
        {
            Scopes = hasErrors ? new[] { State.Scopes[0] }.ToEquatableArray() : State.Scopes.ToEquatableArray(),
            Output = hasErrors ? null : State.Output,
            OneOfs = hasErrors ? EquatableArray<OneOfModel>.Empty : State.OneOfModels.ToEquatableArray(),
            Experiment = AttributeReader.NamedString(State.Pipeline, AttributeReader.Pipeline, "Experiment"),
        };
    }

    /// <summary>The pipeline name: the attribute's <c>Name</c>, else the method name in kebab-case.</summary>
    public static string NameOf(IMethodSymbol pipeline) =>
        AttributeReader.NamedString(pipeline, AttributeReader.Pipeline, "Name") ?? Naming.ToKebabCase(pipeline.Name);

    private static bool IsPublic(IMethodSymbol method)
    {
        for (ISymbol? symbol = method; symbol is not null and not INamespaceSymbol; symbol = symbol.ContainingSymbol)
        {
            if (symbol.DeclaredAccessibility != Accessibility.Public)
            {
                return false;
            }
        }

        return true;
    }

    public static string HintName(IMethodSymbol method)
    {
        var signature = method.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(signature));
        var suffix = string.Concat(hash.Take(4).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        var typeName = method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", "");
        var safe = new string((typeName + "." + method.Name).Select(c => char.IsLetterOrDigit(c) || c == '.' || c == '_' ? c : '_').ToArray());
        return $"{safe}.{suffix}.g.cs";
    }
}
