using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using PipelineSdk.Generators.Diagnostics;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Parsing;

/// <summary>A local that holds a step's result: the call, and the output it names (null: the whole result).</summary>
internal sealed record LocalBinding(int Call, string? OutputName);

/// <summary>
/// What the jobs of <see cref="PipelineParser"/> read and build together while they walk one pipeline body: the method,
/// the calls, scopes and values found so far, and the diagnostics.
/// </summary>
internal sealed class PipelineParseState(IMethodSymbol pipeline, MethodDeclarationSyntax declaration, SemanticModel model, HashSet<string> callers, CancellationToken cancellationToken)
{
    public readonly IMethodSymbol Pipeline = pipeline;
    public readonly MethodDeclarationSyntax Declaration = declaration;
    public readonly SemanticModel SemanticModel = model;
    public readonly CancellationToken CancellationToken = cancellationToken;

    /// <summary>The pipeline method as messages name it.</summary>
    public readonly string Name = pipeline.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat);

    public readonly List<DiagnosticInfo> Diagnostics = new();
    public readonly List<CallModel> Calls = new();

    /// <summary>Per call in <see cref="Calls"/>, where it is written.</summary>
    public readonly List<InvocationExpressionSyntax> CallSyntax = new();
    public readonly Dictionary<ISymbol, LocalBinding> Locals = new(SymbolEqualityComparer.Default);
    public readonly List<(SyntaxToken Identifier, string Step)> OutputLocals = new();
    public readonly HashSet<ISymbol> RejectedLocals = new(SymbolEqualityComparer.Default);
    public readonly Dictionary<IMethodSymbol, StepModel?> Steps = new(SymbolEqualityComparer.Default);
    public readonly List<ScopeModel> Scopes = new() { new ScopeModel(-1, ScopeKind.Root, null, null) };
    public readonly Dictionary<ISymbol, int> LoopItems = new(SymbolEqualityComparer.Default);
    public readonly Dictionary<ISymbol, ControlFlowParser.Collector> Collectors = new(SymbolEqualityComparer.Default);

    /// <summary>The pipelines being parsed that call this one (a pipeline calling another is parsed inside it).</summary>
    public readonly HashSet<string> Callers = callers;

    /// <summary>Loop variables whose items are constant records or anonymous objects (only their fields can be passed on).</summary>
    public readonly HashSet<ISymbol> StructItems = new(SymbolEqualityComparer.Default);
    public readonly Dictionary<ISymbol, OneOfParser.PendingOneOf> OneOfs = new(SymbolEqualityComparer.Default);
    public readonly List<OneOfModel> OneOfModels = new();

    /// <summary>The variables each call's <c>WithEnv</c>s set so far, by call index (a variable set twice on one call is an error).</summary>
    public readonly Dictionary<int, List<EnvVarModel>> CallEnvironment = new();

    /// <summary>The scope the walk is in (index in <see cref="Scopes"/>).</summary>
    public int Scope;

    /// <summary>While a finally block's call is parsed: its try block's scope; otherwise -1.</summary>
    public int Guarding = -1;

    /// <summary>While the arguments of a finally block's call are parsed: its try block's scope (for <c>TaskFinalStatus.Current</c>).</summary>
    public int FinalStatusScope = -1;
    public PipelineOutputModel? Output;

    /// <summary>Whether some code does not compile: the compiler reports it, and the pipeline emits nothing.</summary>
    public bool Unresolved;

    /// <summary>Whether a called pipeline has errors of its own.</summary>
    public bool InnerBroken;

    /// <summary>How many calls of steps or pipelines the body has, usable or not (a block with one does call a step).</summary>
    public int StepCallsSeen;

    /// <summary>How many importers the body has so far: each is a component of its own.</summary>
    public int Importers;

    /// <summary>The parallelism limit of loops that set none (<c>[Pipeline(LoopParallelism = n)]</c>).</summary>
    public int? PipelineLoopParallelism => AttributeReader.NamedInt(Pipeline, AttributeReader.Pipeline, "LoopParallelism") is > 0 and var limit ? limit : null;

    /// <summary>The name of the single output of the call at <paramref name="call"/>: <c>Output</c> for a step, <c>artifact</c> for an importer.</summary>
    public string SingleOutputOf(int call) => Calls[call].Step is { ReturnShape: ReturnShape.Single, Outputs.Count: 1 } step ? step.Outputs[0].Name : StepParser.SingleOutputName;

    public bool HasErrorDiagnostics() =>
        Diagnostics.Any(d => DiagnosticCatalog.ById(d.Id).DefaultSeverity == DiagnosticSeverity.Error);

    public void ReportStatement(SyntaxNode node, string what) =>
        Report(DiagnosticCatalog.UnsupportedPipelineStatement, node.GetLocation(), Name, what);

    public void ReportArgument(IMethodSymbol step, IParameterSymbol parameter, IArgumentOperation argument, string what) =>
        Report(DiagnosticCatalog.UnsupportedArgument, argument.Syntax.GetLocation(), step.Name, parameter.Name, what);

    public void Report(DiagnosticDescriptor descriptor, Location location, params string[] arguments) =>
        Diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));
}

/// <summary>One job of reading a pipeline body. The jobs share one <see cref="PipelineParseState"/> and reach each other through the parser that owns them.</summary>
internal abstract class PipelineParserJob(PipelineParser parser)
{
    protected PipelineParseState State => parser.State;

    protected BodyWalker Body => parser.Body;

    protected ControlFlowParser Flow => parser.Flow;

    protected ValueResolver Values => parser.Values;

    protected ConstantCollectionReader Constants => parser.Constants;

    protected CallSettingsParser Settings => parser.Settings;

    protected ImporterParser Importers => parser.Importers;

    protected OneOfParser OneOfs => parser.OneOfs;

    protected PipelineChecks Checks => parser.Checks;
}
