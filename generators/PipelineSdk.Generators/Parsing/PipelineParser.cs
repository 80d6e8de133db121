using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using PipelineSdk.Generators.Diagnostics;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Parsing;

/// <summary>
/// Reads a <c>[Pipeline]</c> method body as a graph description: step calls, locals that carry their outputs,
/// pipeline parameters and constants. Anything else becomes a diagnostic at its exact location.
/// </summary>
internal sealed partial class PipelineParser
{
    private static readonly SymbolDisplayFormat KeyFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .WithMemberOptions(SymbolDisplayMemberOptions.IncludeContainingType | SymbolDisplayMemberOptions.IncludeParameters);

    // Members of the generated runner class `Pipelines.<method>`; a pipeline method with one of these names would clash with them.
    private static readonly HashSet<string> RunnerMembers = new() { "Pipelines", "Name", "SpecJson", "Descriptor", "RunAsync", "Result" };

    private readonly IMethodSymbol _pipeline;
    private readonly MethodDeclarationSyntax _declaration;
    private readonly SemanticModel _model;
    private readonly CancellationToken _cancellationToken;
    private readonly string _name;
    private readonly List<DiagnosticInfo> _diagnostics = new();
    private readonly List<CallModel> _calls = new();
    private readonly List<InvocationExpressionSyntax> _callSyntax = new();
    private readonly Dictionary<ISymbol, LocalBinding> _locals = new(SymbolEqualityComparer.Default);
    private readonly List<(SyntaxToken Identifier, string Step)> _outputLocals = new();
    private readonly HashSet<ISymbol> _rejectedLocals = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<IMethodSymbol, StepModel?> _steps = new(SymbolEqualityComparer.Default);
    private readonly List<ScopeModel> _scopes = new() { new ScopeModel(-1, ScopeKind.Root, null, null) };
    private readonly Dictionary<ISymbol, int> _loopItems = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<ISymbol, Collector> _collectors = new(SymbolEqualityComparer.Default);
    private readonly HashSet<string> _callers;
    private int _scope;
    private int _guarding = -1;

    /// <summary>While the arguments of a finally block's call are parsed: its try block's scope (for <c>TaskFinalStatus.Current</c>).</summary>
    private int _finalStatusScope = -1;
    private PipelineOutputModel? _output;
    private bool _unresolved;
    private bool _innerBroken;

    /// <summary>The parallelism limit of loops that set none (<c>[Pipeline(LoopParallelism = n)]</c>).</summary>
    private int? _pipelineLoopParallelism => AttributeReader.NamedInt(_pipeline, AttributeReader.Pipeline, "LoopParallelism") is > 0 and var limit ? limit : null;

    private PipelineParser(IMethodSymbol pipeline, MethodDeclarationSyntax declaration, SemanticModel model, HashSet<string> callers, CancellationToken cancellationToken)
    {
        _callers = callers;
        _pipeline = pipeline;
        _declaration = declaration;
        _model = model;
        _cancellationToken = cancellationToken;
        _name = pipeline.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat);
    }

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

    private static (PipelineModel Model, List<DiagnosticInfo> Diagnostics) Run(IMethodSymbol method, MethodDeclarationSyntax declaration, SemanticModel model, HashSet<string> callers, CancellationToken cancellationToken)
    {
        try
        {
            (method, declaration) = ImplementingHalf(method, declaration, cancellationToken);
            var parser = new PipelineParser(method, declaration, model, callers, cancellationToken);
            return (parser.Parse(), parser._diagnostics);
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
        if (_declaration.Body is null && _declaration.ExpressionBody is null && _pipeline.PartialImplementationPart is not null)
        {
            Report(DiagnosticCatalog.PipelineSignature, _declaration.Identifier.GetLocation(), _name,
                "is a partial method whose body is in another file; write the body in the file that declares it [Pipeline]");
            return Model(EquatableArray<PipelineParameterModel>.Empty, hasErrors: true);
        }

        if (StepParser.IsStep(_pipeline))
        {
            // Reading a step's body as a graph would only add noise: one clear error is enough.
            Report(DiagnosticCatalog.StepAndPipeline, _declaration.Identifier.GetLocation(), _name);
            return Model(EquatableArray<PipelineParameterModel>.Empty, hasErrors: true);
        }

        CheckSignature();
        var pipelineName = NameOf(_pipeline);
        if (Naming.Validate(pipelineName, Naming.MaxPipelineNameLength) is { } invalid)
        {
            Report(DiagnosticCatalog.InvalidName, AttributeReader.AttributeLocation(_pipeline, _declaration), "pipeline", pipelineName, invalid);
        }
        else if (pipelineName.Length > Naming.MaxLabelLength)
        {
            Report(DiagnosticCatalog.NameTooLongForLabel, AttributeReader.AttributeLocation(_pipeline, _declaration), pipelineName, pipelineName.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var experiment = AttributeReader.NamedString(_pipeline, AttributeReader.Pipeline, "Experiment");
        if (experiment is not null && Naming.Validate(experiment, Naming.MaxPipelineNameLength) is { } invalidExperiment)
        {
            Report(DiagnosticCatalog.InvalidName, AttributeReader.AttributeLocation(_pipeline, _declaration), "experiment", experiment, invalidExperiment);
        }

        var parameters = ParseParameters();
        _callers.Add(Key(_pipeline));
        if (_declaration.ExpressionBody is { } expressionBody)
        {
            if (ReturnedType() is null)
            {
                ParseExpressionStatement(expressionBody.Expression);
            }
            else
            {
                ParseReturn(expressionBody.Expression);
            }
        }
        else if (_declaration.Body is { } body)
        {
            var statements = body.Statements;
            for (var i = 0; i < statements.Count; i++)
            {
                var isLast = i == statements.Count - 1;
                ParseStatement(statements[i], isLast);
            }
        }

        CheckCollectors();
        CheckOneOfs();
        if (_calls.Count == 0 && !HasErrorDiagnostics() && !_unresolved && !_innerBroken)
        {
            Report(DiagnosticCatalog.PipelineHasNoSteps, _declaration.Identifier.GetLocation(), _name);
        }

        CheckGeneratedNames();
        CheckUnused();
        return Model(parameters.ToEquatableArray(), HasErrorDiagnostics() || _unresolved || _innerBroken);
    }

    private PipelineModel Model(EquatableArray<PipelineParameterModel> parameters, bool hasErrors)
    {
        var containingNamespace = _pipeline.ContainingType?.ContainingNamespace;
        return new PipelineModel(
            HintName(_pipeline),
            containingNamespace is null || containingNamespace.IsGlobalNamespace ? null : containingNamespace.ToDisplayString(),
            _pipeline.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat.WithMemberOptions(SymbolDisplayMemberOptions.IncludeContainingType)),
            _pipeline.Name,
            NameOf(_pipeline),
            IsPublic(_pipeline),
            AttributeReader.NamedBool(_pipeline, AttributeReader.Pipeline, "EnableCache"),
            parameters,
            // A pipeline with errors, or whose code does not compile, yields no calls, so nothing is emitted for it.
            hasErrors ? EquatableArray<CallModel>.Empty : _calls.ToEquatableArray(),
            hasErrors)
        {
            Scopes = hasErrors ? new[] { _scopes[0] }.ToEquatableArray() : _scopes.ToEquatableArray(),
            Output = hasErrors ? null : _output,
            OneOfs = hasErrors ? EquatableArray<OneOfModel>.Empty : _oneOfModels.ToEquatableArray(),
            Experiment = AttributeReader.NamedString(_pipeline, AttributeReader.Pipeline, "Experiment"),
        };
    }

    private bool HasErrorDiagnostics() =>
        _diagnostics.Any(d => DiagnosticCatalog.ById(d.Id).DefaultSeverity == DiagnosticSeverity.Error);

    /// <summary>The pipeline name: the attribute's <c>Name</c>, else the method name in kebab-case.</summary>
    public static string NameOf(IMethodSymbol pipeline) =>
        AttributeReader.NamedString(pipeline, AttributeReader.Pipeline, "Name") ?? Naming.ToKebabCase(pipeline.Name);

    private void CheckSignature()
    {
        var where = _declaration.Identifier.GetLocation();
        if (!_pipeline.IsStatic)
        {
            Report(DiagnosticCatalog.PipelineSignature, where, _name, "is an instance method; make it static");
        }

        if (_pipeline.IsGenericMethod)
        {
            Report(DiagnosticCatalog.PipelineSignature, where, _name, "is generic; a pipeline's parameter types must be fixed");
        }

        if (StepParser.Inaccessibility(_pipeline) is { } inaccessible)
        {
            Report(DiagnosticCatalog.PipelineSignature, where, _name, $"is {inaccessible}; make it and its containing types internal or public so generated code can call it");
        }

        if (ReturnedType() is { } returned && TypeMapper.Map(returned, _model.Compilation) is null && returned.TypeKind != TypeKind.Error)
        {
            Report(DiagnosticCatalog.PipelineSignature, _declaration.ReturnType.GetLocation(), _name,
                $"returns '{returned.ToDisplayString()}', which cannot pass between steps; return void, Task, or a step output of a supported type");
        }
    }

    private List<PipelineParameterModel> ParseParameters()
    {
        var parameters = new List<PipelineParameterModel>();
        var syntaxes = _declaration.ParameterList.Parameters;
        for (var i = 0; i < _pipeline.Parameters.Length && i < syntaxes.Count; i++)
        {
            var parameter = _pipeline.Parameters[i];
            var syntax = syntaxes[i];
            if (parameter.RefKind != RefKind.None || parameter.IsParams)
            {
                var what = parameter.IsParams ? "a params parameter" : "a by-reference parameter";
                Report(DiagnosticCatalog.PipelineSignature, syntax.GetLocation(), _name, $"has {what} '{parameter.Name}'; pipeline parameters are plain values, so remove the modifier");
                continue;
            }

            var type = TypeMapper.Map(parameter.Type, _model.Compilation);
            if (type is null or { IsArtifact: true })
            {
                if (parameter.Type.TypeKind == TypeKind.Error)
                {
                    _unresolved = true;
                    continue;
                }

                Report(DiagnosticCatalog.UnsupportedValueType, (syntax.Type ?? (SyntaxNode)syntax).GetLocation(), $"Parameter '{parameter.Name}'", _name, parameter.Type.ToDisplayString(), type is null ? TypeMapper.Explain(parameter.Type) : TypeMapper.PipelineParameterFix);
                continue;
            }

            if (CollectionDefault(parameter, syntax, type) is { } collectionDefault)
            {
                if (collectionDefault.Json is not null)
                {
                    // The typed runner takes null for "the spec's default".
                    parameters.Add(new PipelineParameterModel(parameter.Name, type.TypeSyntax.EndsWith("?") ? type : type with { TypeSyntax = type.TypeSyntax + "?" }, collectionDefault.Json, "null"));
                }

                continue;
            }

            string? defaultJson = null;
            string? defaultCSharp = null;
            if (parameter.HasExplicitDefaultValue)
            {
                defaultJson = JsonLiteral.From(parameter.ExplicitDefaultValue);
                if (defaultJson is null)
                {
                    Report(DiagnosticCatalog.UnsupportedArgument, (syntax.Default?.Value ?? (SyntaxNode)syntax).GetLocation(), _name, parameter.Name, "a default value with no JSON form (NaN or infinity)");
                    continue;
                }

                defaultCSharp = CSharpLiteral(parameter.ExplicitDefaultValue);
            }
            else if (syntax.Default is not null)
            {
                // A default that is not a constant does not compile; the compiler says why.
                _unresolved = true;
            }

            parameters.Add(new PipelineParameterModel(parameter.Name, type, defaultJson, defaultCSharp));
        }

        return parameters;
    }

    private void ParseStatement(StatementSyntax statement, bool isLast)
    {
        switch (statement)
        {
            case ExpressionStatementSyntax expressionStatement:
                ParseExpressionStatement(expressionStatement.Expression);
                break;
            case LocalDeclarationStatementSyntax { IsConst: false, UsingKeyword.RawKind: 0, AwaitKeyword.RawKind: 0 } declaration:
                foreach (var variable in declaration.Declaration.Variables)
                {
                    ParseLocal(variable);
                }

                break;
            case ForEachStatementSyntax { AwaitKeyword.RawKind: 0 } loop:
                ParseForEach(loop);
                break;
            case IfStatementSyntax condition:
                ParseIf(condition);
                break;
            case TryStatementSyntax attempt:
                ParseTry(attempt);
                break;
            case ReturnStatementSyntax { Expression: { } returned } when isLast && _scope == 0:
                ParseReturn(returned);
                break;
            case ReturnStatementSyntax { Expression: null } when isLast && _scope == 0:
            case EmptyStatementSyntax:
                break;
            default:
                ReportStatement(statement, Describe(statement));
                break;
        }
    }

    private void ParseLocal(VariableDeclaratorSyntax variable)
    {
        var value = variable.Initializer?.Value;
        if (value is null)
        {
            if (!TryDeclareOneOf(variable))
            {
                ReportStatement(variable, "a local that does not hold a step's result");
            }

            return;
        }

        if (TryDeclareCollector(variable, value))
        {
            return;
        }

        if (Unawait(value) is InvocationExpressionSyntax invocation)
        {
            var call = ParseCall(invocation);
            if (call >= 0 && _model.GetDeclaredSymbol(variable, _cancellationToken) is { } local)
            {
                Bind(local, variable.Identifier, new LocalBinding(call, null));
            }
            else if (call < 0 && _model.GetDeclaredSymbol(variable, _cancellationToken) is { } failed)
            {
                _rejectedLocals.Add(failed); // The call's problem is reported there; uses of its output say nothing more.
            }

            return;
        }

        // `var same = output;` is another name for the same output.
        if (_model.GetOperation(value, _cancellationToken) is ILocalReferenceOperation reference
            && _locals.TryGetValue(reference.Local, out var alias)
            && _model.GetDeclaredSymbol(variable, _cancellationToken) is { } aliasLocal)
        {
            Bind(aliasLocal, variable.Identifier, alias);
            return;
        }

        // The local's uses would only repeat the error reported here.
        if (_model.GetDeclaredSymbol(variable, _cancellationToken) is { } rejected)
        {
            _rejectedLocals.Add(rejected);
        }

        if (RunTimeValueIn(value) is { } used)
        {
            Report(DiagnosticCatalog.RunTimeValueInExpression, value.GetLocation(), _name, used, DescribeUse(value));
            return;
        }

        ReportStatement(variable, "a local that does not hold a step's result");
    }

    private void Bind(ISymbol local, SyntaxToken identifier, LocalBinding binding)
    {
        _locals[local] = binding;
        var step = _calls[binding.Call].Step;
        if (step.Outputs.Count > 0)
        {
            _outputLocals.Add((identifier, step.MethodName));
        }
    }

    private void ParseExpressionStatement(ExpressionSyntax expression)
    {
        switch (Unawait(expression))
        {
            case InvocationExpressionSyntax invocation when IsCollectorAdd(invocation):
                ParseCollect(invocation);
                break;
            case InvocationExpressionSyntax invocation:
                ParseCall(invocation);
                break;
            case AssignmentExpressionSyntax { Left: DeclarationExpressionSyntax or TupleExpressionSyntax } deconstruction
                when deconstruction.IsKind(SyntaxKind.SimpleAssignmentExpression) && Unawait(deconstruction.Right) is InvocationExpressionSyntax invocation:
                ParseDeconstruction(deconstruction.Left, invocation);
                break;
            case AssignmentExpressionSyntax assignment when IsOneOfAssignment(assignment):
                ParseOneOfAssignment(assignment);
                break;
            case AssignmentExpressionSyntax:
                ReportStatement(expression, "an assignment (keep each step output in a new local: `var x = Step(...);`)");
                break;
            default:
                if (RunTimeValueIn(expression) is { } used)
                {
                    Report(DiagnosticCatalog.RunTimeValueInExpression, expression.GetLocation(), _name, used, DescribeUse(expression));
                    break;
                }

                ReportStatement(expression, "an expression that is not a step call");
                break;
        }
    }

    /// <summary>An async step is awaited in the pipeline body (<c>await Fit(x)</c>); the call is what matters.</summary>
    private static ExpressionSyntax? Unawait(ExpressionSyntax? expression) =>
        expression is AwaitExpressionSyntax awaited ? awaited.Expression : expression;

    private void ParseDeconstruction(ExpressionSyntax left, InvocationExpressionSyntax invocation)
    {
        var call = ParseCall(invocation);
        if (call < 0)
        {
            RejectDeconstructed(left);
            return;
        }

        var step = _calls[call].Step;
        var targets = left switch
        {
            DeclarationExpressionSyntax { Designation: ParenthesizedVariableDesignationSyntax designation } => designation.Variables.Select(v => (SyntaxNode)v).ToList(),
            TupleExpressionSyntax tuple => tuple.Arguments.Select(a => (SyntaxNode)a.Expression).ToList(),
            _ => new List<SyntaxNode>(),
        };
        if (step.ReturnShape != ReturnShape.Tuple || targets.Count != step.Outputs.Count)
        {
            ReportStatement(left, "a deconstruction that does not match the step's outputs");
            return;
        }

        for (var i = 0; i < targets.Count; i++)
        {
            var target = targets[i];
            var symbol = target switch
            {
                SingleVariableDesignationSyntax single => _model.GetDeclaredSymbol(single, _cancellationToken),
                DeclarationExpressionSyntax { Designation: SingleVariableDesignationSyntax single } => _model.GetDeclaredSymbol(single, _cancellationToken),
                DiscardDesignationSyntax or IdentifierNameSyntax { Identifier.ValueText: "_" } => null,
                _ => Unsupported(target),
            };
            if (symbol is not null)
            {
                Bind(symbol, target is SingleVariableDesignationSyntax designation ? designation.Identifier
                    : ((SingleVariableDesignationSyntax)((DeclarationExpressionSyntax)target).Designation).Identifier, new LocalBinding(call, step.Outputs[i].Name));
            }
        }

        ISymbol? Unsupported(SyntaxNode target)
        {
            ReportStatement(target, "an assignment to an existing variable");
            return null;
        }
    }

    /// <summary>Parses a step call; returns its index in <see cref="_calls"/>, or -1 when it is not a usable step call.</summary>
    private int ParseCall(InvocationExpressionSyntax invocation)
    {
        if (_model.GetOperation(invocation, _cancellationToken) is not IInvocationOperation operation)
        {
            _unresolved = true;
            return -1;
        }

        if (IsCallSetting(operation.TargetMethod) || IsStepCallOf(operation.TargetMethod))
        {
            return ParseConfiguredCall(operation);
        }

        if (IsExitHandlerName(operation.TargetMethod))
        {
            ParseExitHandlerName(invocation, operation);
            return -1;
        }

        // Only the finally block's own call is the exit task; step calls nested in its arguments are ordinary tasks.
        var guards = _guarding;
        _guarding = -1;
        var outerFinalStatusScope = _finalStatusScope;
        _finalStatusScope = guards;
        try
        {
            return ParseCall(invocation, operation, guards);
        }
        finally
        {
            _finalStatusScope = outerFinalStatusScope;
        }
    }

    private int ParseCall(InvocationExpressionSyntax invocation, IInvocationOperation operation, int guards)
    {
        var method = operation.TargetMethod;
        if (IsImporter(method))
        {
            return ParseImporter(invocation, operation, guards);
        }

        StepModel? step;
        PipelineModel? inner = null;
        if (StepParser.IsStep(method) || IsPipeline(method))
        {
            _stepCallsSeen++;
        }

        if (IsPipeline(method))
        {
            inner = ParseInnerPipeline(method);
            if (inner is null)
            {
                _innerBroken = true;
                return -1;
            }

            step = InterfaceOf(inner, method);
        }
        else if (!TryGetStep(method, invocation, out step))
        {
            return -1;
        }

        if (step is null)
        {
            _unresolved = true;
            return -1;
        }

        var arguments = new List<ArgumentModel>();
        foreach (var parameter in method.Parameters)
        {
            var stepParameter = step.Parameters[parameter.Ordinal];
            if (stepParameter.IsInjected)
            {
                continue;
            }

            var argument = operation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == parameter.Ordinal);
            if (argument is null)
            {
                _unresolved = true;
                return -1;
            }

            var bound = ParseArgument(method, parameter, argument);
            if (bound is not null)
            {
                arguments.Add(bound);
            }
        }

        if (arguments.Count != step.Parameters.Count(p => !p.IsInjected))
        {
            return -1;
        }

        _calls.Add(new CallModel(step, arguments.ToEquatableArray(), _scope, guards, inner));
        _callSyntax.Add(invocation);
        return _calls.Count - 1;
    }

    /// <summary>The parsed step behind a call; false (with a diagnostic) when the method is not a usable step.</summary>
    private bool TryGetStep(IMethodSymbol method, InvocationExpressionSyntax invocation, out StepModel? step)
    {
        if (!StepParser.IsStep(method))
        {
            var what = $"a call to '{method.ContainingType?.Name}.{method.Name}', which is not a [Step] method";
            if (RunTimeValueIn(invocation) is { } used)
            {
                Report(DiagnosticCatalog.RunTimeValueInExpression, invocation.GetLocation(), _name, used, what);
            }
            else
            {
                ReportStatement(invocation, what);
            }

            step = null;
            return false;
        }

        if (!_steps.TryGetValue(method, out step))
        {
            if (method.DeclaringSyntaxReferences.Length == 0)
            {
                ReportStatement(invocation, $"a call to step '{method.Name}' from another assembly (steps must be declared in the pipeline's project for now)");
                _steps[method] = null;
                return false;
            }

            // Problems with the step itself are reported once, at the step, by the step pass.
            step = StepParser.Parse(method, _model.Compilation, new List<DiagnosticInfo>(), _cancellationToken, computeFingerprint: false);
            _steps[method] = step;
        }

        return true;
    }

    private ArgumentModel? ParseArgument(IMethodSymbol step, IParameterSymbol parameter, IArgumentOperation argument)
    {
        var value = argument.Value;
        if (argument.ArgumentKind == ArgumentKind.DefaultValue || value.ConstantValue.HasValue)
        {
            var constant = argument.ArgumentKind == ArgumentKind.DefaultValue && !value.ConstantValue.HasValue ? parameter.ExplicitDefaultValue : value.ConstantValue.Value;
            var json = JsonLiteral.From(constant);
            if (json is null)
            {
                ReportArgument(step, parameter, argument, "a constant with no JSON form");
                return null;
            }

            return ArgumentModel.Constant(parameter.Name, json);
        }

        if (TrySpecialArgument(step, parameter, argument, out var special) || TryConstantCollectionArgument(step, parameter, argument, out special))
        {
            return special;
        }

        if (value is IConversionOperation { IsImplicit: true } conversion)
        {
            if (!conversion.Conversion.IsIdentity)
            {
                Report(DiagnosticCatalog.ArgumentTypeMismatch, argument.Syntax.GetLocation(), step.Name, parameter.Name,
                    conversion.Operand.Type?.ToDisplayString() ?? "?", parameter.Type.ToDisplayString());
                return null;
            }

            value = conversion.Operand;
        }

        if (value is IAwaitOperation awaited)
        {
            value = awaited.Operation;
        }

        switch (value)
        {
            case ILocalReferenceOperation local when _locals.TryGetValue(local.Local, out var binding):
                var producer = _calls[binding.Call].Step;
                if (binding.OutputName is null && producer.ReturnShape == ReturnShape.Tuple)
                {
                    ReportArgument(step, parameter, argument, $"the whole result of '{producer.MethodName}'; pass one of its elements, like {local.Local.Name}.{producer.Outputs[0].Name}");
                    return null;
                }

                if (binding.OutputName is null && producer.ReturnShape == ReturnShape.None)
                {
                    ReportArgument(step, parameter, argument, $"the result of '{producer.MethodName}', which returns nothing");
                    return null;
                }

                return ArgumentModel.TaskOutput(parameter.Name, binding.Call, binding.OutputName ?? SingleOutputOf(binding.Call));
            case IPropertyReferenceOperation or ILocalReferenceOperation when TryLoopItemField(step, parameter, argument, value, out var field):
                return field;
            // A tuple element, a pipeline parameter or a loop item: the same sources as anywhere else in the body.
            case IFieldReferenceOperation or IParameterReferenceOperation or ILocalReferenceOperation when ValueOf(value, parameter.Name) is { } source:
                return source;
            case IInvocationOperation nested when value.Syntax is InvocationExpressionSyntax nestedSyntax && IsTaskCall(nested):
                var nestedCall = ParseCall(nestedSyntax);
                if (nestedCall < 0)
                {
                    return null;
                }

                var nestedStep = _calls[nestedCall].Step;
                if (nestedStep.ReturnShape != ReturnShape.Single)
                {
                    ReportArgument(step, parameter, argument, $"the result of '{nestedStep.MethodName}', which is not a single value; keep it in a local and pass one element");
                    return null;
                }

                return ArgumentModel.TaskOutput(parameter.Name, nestedCall, SingleOutputOf(nestedCall));
            case IInvalidOperation:
                _unresolved = true;
                return null;
            case var rejected when MentionsRejected(rejected):
                return null;
            default:
                ReportArgument(step, parameter, argument, DescribeValue(value));
                return null;
        }
    }

    /// <summary>
    /// The first value in <paramref name="node"/> that exists only at run time — a local holding a step output, a
    /// pipeline parameter, or a step call — described for a message; null when there is none.
    /// </summary>
    private string? RunTimeValueIn(SyntaxNode node)
    {
        foreach (var descendant in node.DescendantNodesAndSelf())
        {
            switch (descendant)
            {
                case IdentifierNameSyntax identifier:
                    var symbol = _model.GetSymbolInfo(identifier, _cancellationToken).Symbol;
                    if (symbol is ILocalSymbol && _locals.TryGetValue(symbol, out var binding))
                    {
                        return $"'{identifier.Identifier.ValueText}', the output of step '{_calls[binding.Call].Step.MethodName}',";
                    }

                    if (symbol is IParameterSymbol parameter && SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, _pipeline))
                    {
                        return $"the pipeline parameter '{parameter.Name}'";
                    }

                    if (symbol is ILocalSymbol item && _loopItems.ContainsKey(item))
                    {
                        return $"the loop item '{item.Name}'";
                    }

                    if (symbol is ILocalSymbol collector && _collectors.ContainsKey(collector))
                    {
                        return $"'{collector.Name}', which collects step outputs,";
                    }

                    break;
                case InvocationExpressionSyntax call when call != node:
                    if (_model.GetSymbolInfo(call, _cancellationToken).Symbol is IMethodSymbol method && StepParser.IsStep(method))
                    {
                        return $"the output of step '{method.Name}'";
                    }

                    break;
            }
        }

        return null;
    }

    private string DescribeUse(ExpressionSyntax expression) => _model.GetOperation(expression, _cancellationToken) switch
    {
        IInvocationOperation call => $"a call to '{call.TargetMethod.ContainingType?.Name}.{call.TargetMethod.Name}', which is not a [Step] method",
        IBinaryOperation or IUnaryOperation or IIncrementOrDecrementOperation or ICompoundAssignmentOperation => "arithmetic or logic",
        IInterpolatedStringOperation => "an interpolated string",
        IPropertyReferenceOperation or IFieldReferenceOperation => "a member access",
        IObjectCreationOperation or IArrayCreationOperation or ICollectionExpressionOperation => "a new object or collection",
        IConversionOperation => "a conversion",
        _ => "an expression that is not a step call",
    };

    /// <summary>What keeps <paramref name="condition"/> from becoming a Kubeflow condition, and where; null when nothing does.</summary>
    private (SyntaxNode Node, string What)? ConditionProblem(IOperation condition)
    {
        var operation = Unwrap(condition)!;
        switch (operation)
        {
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                return ConditionProblem(not.Operand);
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr } logic:
                return ConditionProblem(logic.LeftOperand) ?? ConditionProblem(logic.RightOperand);
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals or BinaryOperatorKind.LessThan
                or BinaryOperatorKind.LessThanOrEqual or BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual } comparison:
                var left = OperandProblem(comparison.LeftOperand, out var leftIsConstant);
                var right = OperandProblem(comparison.RightOperand, out var rightIsConstant);
                if ((left ?? right) is { } problem)
                {
                    return problem;
                }

                return leftIsConstant && rightIsConstant ? (comparison.Syntax, "a comparison of two constants, which is decided before the pipeline runs") : null;
            default:
                if (operation.ConstantValue.HasValue)
                {
                    return (operation.Syntax, "a constant, which is decided before the pipeline runs");
                }

                var type = RunTimeValueType(operation, out var description);
                return type is null ? (operation.Syntax, description)
                    : type.KfpType == "BOOLEAN" ? null
                    : (operation.Syntax, $"{description}, which is not a bool; compare it with a value");
        }
    }

    private (SyntaxNode Node, string What)? OperandProblem(IOperation operand, out bool isConstant)
    {
        var operation = Unwrap(operand)!;
        isConstant = operation.ConstantValue.HasValue;
        if (isConstant)
        {
            return operation.ConstantValue.Value is null ? (operation.Syntax, "null, which a Kubeflow parameter never is")
                : JsonLiteral.From(operation.ConstantValue.Value) is null ? (operation.Syntax, "a constant with no JSON form") : null;
        }

        var type = RunTimeValueType(operation, out var description);
        if (type is null)
        {
            return (operation.Syntax, description);
        }

        return type.KfpType is "NUMBER_INTEGER" or "NUMBER_DOUBLE" or "BOOLEAN" or "STRING" ? null
            : (operation.Syntax, $"{description} of type '{operation.Type?.ToDisplayString()}'; only single values can be compared");
    }

    /// <summary>The value type of a step output, pipeline parameter or single-value step call; otherwise null and why.</summary>
    private ValueTypeModel? RunTimeValueType(IOperation operation, out string description)
    {
        switch (operation)
        {
            case ILocalReferenceOperation local when _locals.TryGetValue(local.Local, out var binding):
                var producer = _calls[binding.Call].Step;
                description = $"'{local.Local.Name}'";
                var port = binding.OutputName is null
                    ? (producer.ReturnShape == ReturnShape.Single ? producer.Outputs[0] : null)
                    : producer.Outputs.FirstOrDefault(o => o.Name == binding.OutputName);
                if (port is null)
                {
                    description = $"the whole result of '{producer.MethodName}', which is not a single value";
                }

                return port?.Type;
            case IFieldReferenceOperation { Field.CorrespondingTupleField: { } element, Instance: ILocalReferenceOperation tupleLocal }
                when _locals.TryGetValue(tupleLocal.Local, out var tupleBinding) && tupleBinding.OutputName is null:
                var outputs = _calls[tupleBinding.Call].Step.Outputs;
                var index = ((IFieldSymbol)element).TupleElementIndex();
                description = $"'{tupleLocal.Local.Name}.{element.Name}'";
                return outputs.FirstOrDefault(o => o.Name == element.Name)?.Type ?? (index < outputs.Count ? outputs[index].Type : null);
            case IParameterReferenceOperation reference when SymbolEqualityComparer.Default.Equals(reference.Parameter.ContainingSymbol, _pipeline):
                description = $"the pipeline parameter '{reference.Parameter.Name}'";
                return TypeMapper.Map(reference.Parameter.Type, _model.Compilation);
            case ILocalReferenceOperation oneOf when OneOfIndex(oneOf.Local) >= 0:
                description = $"'{oneOf.Local.Name}'";
                return _oneOfModels[OneOfIndex(oneOf.Local)].Type;
            case ILocalReferenceOperation item when _loopItems.ContainsKey(item.Local):
                description = $"the loop item '{item.Local.Name}'";
                return TypeMapper.Map(item.Local.Type, _model.Compilation);
            case IInvocationOperation call when IsTaskCall(call):
                description = $"the result of step '{call.TargetMethod.Name}'";
                var result = call.TargetMethod.ReturnType;
                if (result is INamedTypeSymbol { IsGenericType: true } task && task.ConstructedFrom.ToDisplayString() is "System.Threading.Tasks.Task<TResult>" or "System.Threading.Tasks.ValueTask<TResult>")
                {
                    result = task.TypeArguments[0];
                }

                return TypeMapper.Map(result, _model.Compilation);
            default:
                description = DescribeValue(operation);
                return null;
        }
    }

    /// <summary>Looks through parentheses, implicit conversions and <c>await</c>.</summary>
    private static IOperation? Unwrap(IOperation? operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IParenthesizedOperation parenthesized:
                    operation = parenthesized.Operand;
                    break;
                case IConversionOperation { IsImplicit: true } conversion:
                    operation = conversion.Operand;
                    break;
                case IAwaitOperation awaited:
                    operation = awaited.Operation;
                    break;
                default:
                    return operation;
            }
        }
    }

    /// <summary>Names that would clash in the generated runner or spec.</summary>
    private void CheckGeneratedNames()
    {
        if (RunnerMembers.Contains(_pipeline.Name) || System.Text.RegularExpressions.Regex.IsMatch(_pipeline.Name, "^(s_step|InvokeStep)[0-9]+$"))
        {
            Report(DiagnosticCatalog.NameCollision, _declaration.Identifier.GetLocation(),
                $"The generated runner class 'Pipelines.{_pipeline.Name}' of pipeline '{_name}' would have a member of the same name",
                "rename the method; [Pipeline(Name = \"...\")] keeps the pipeline's name in the spec");
        }

        foreach (var collision in TaskNames.Alone(_calls).Collisions)
        {
            Report(DiagnosticCatalog.NameCollision, _callSyntax[collision.Call].GetLocation(), $"{collision.What} of pipeline '{_name}'", collision.Fix);
        }
    }

    /// <summary>Locals holding step outputs that nothing reads (info), and parameters no step receives (warning).</summary>
    private void CheckUnused()
    {
        var body = (SyntaxNode?)_declaration.Body ?? _declaration.ExpressionBody;
        var used = new HashSet<string>(
            body?.DescendantNodes().OfType<IdentifierNameSyntax>().Select(i => i.Identifier.ValueText) ?? Enumerable.Empty<string>());
        foreach (var (identifier, step) in _outputLocals)
        {
            if (!used.Contains(identifier.ValueText))
            {
                Report(DiagnosticCatalog.UnusedStepOutput, identifier.GetLocation(), identifier.ValueText, step);
            }
        }

        var parameters = _declaration.ParameterList.Parameters;
        foreach (var parameter in parameters)
        {
            if (!parameter.Identifier.IsMissing && !used.Contains(parameter.Identifier.ValueText))
            {
                Report(DiagnosticCatalog.UnusedPipelineParameter, parameter.Identifier.GetLocation(), parameter.Identifier.ValueText, _name);
            }
        }
    }

    private static string DescribeValue(IOperation value) => value switch
    {
        IBinaryOperation or IUnaryOperation or IIncrementOrDecrementOperation => "arithmetic or logic on values that exist only at run time",
        IInterpolatedStringOperation => "an interpolated string; values exist only at run time",
        IInvocationOperation call => $"a call to '{call.TargetMethod.Name}', which is not a step",
        IPropertyReferenceOperation or IFieldReferenceOperation => "a member access on a value that exists only at run time",
        ILocalReferenceOperation local => $"the local '{local.Local.Name}', which does not hold a step output",
        IObjectCreationOperation => "an object created in the pipeline body",
        _ => "an expression the pipeline graph cannot represent",
    };

    private static string Describe(StatementSyntax statement) => statement switch
    {
        WhileStatementSyntax => "a while loop",
        DoStatementSyntax => "a do-while loop",
        ForStatementSyntax => "a for loop",
        ForEachStatementSyntax => "an await foreach loop",
        ForEachVariableStatementSyntax => "a foreach that deconstructs its items (loop over single values)",
        IfStatementSyntax => "an if statement here",
        TryStatementSyntax => "a try statement here",
        GotoStatementSyntax => "a goto",
        LabeledStatementSyntax => "a label",
        LockStatementSyntax => "a lock",
        SwitchStatementSyntax => "a switch",
        UsingStatementSyntax => "a using statement",
        ReturnStatementSyntax => "a return statement before the end of the pipeline body",
        ThrowStatementSyntax => "a throw statement",
        LocalFunctionStatementSyntax => "a local function",
        LocalDeclarationStatementSyntax => "this kind of declaration",
        BlockSyntax => "a nested block",
        _ => "this statement",
    };

    private void ReportStatement(SyntaxNode node, string what) =>
        Report(DiagnosticCatalog.UnsupportedPipelineStatement, node.GetLocation(), _name, what);

    private void ReportArgument(IMethodSymbol step, IParameterSymbol parameter, IArgumentOperation argument, string what) =>
        Report(DiagnosticCatalog.UnsupportedArgument, argument.Syntax.GetLocation(), step.Name, parameter.Name, what);

    private void Report(DiagnosticDescriptor descriptor, Location location, params string[] arguments) =>
        _diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));

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

    private static string CSharpLiteral(object? value) => value switch
    {
        null => "null",
        double d => SymbolDisplay.FormatPrimitive(d, quoteStrings: false, useHexadecimalNumbers: false) + "d",
        long l => SymbolDisplay.FormatPrimitive(l, quoteStrings: false, useHexadecimalNumbers: false) + "L",
        _ => SymbolDisplay.FormatPrimitive(value, quoteStrings: true, useHexadecimalNumbers: false),
    };

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

    private sealed record LocalBinding(int Call, string? OutputName);
}

internal static class TupleFieldExtensions
{
    /// <summary>The 0-based position of a tuple element field (Item1 is 0).</summary>
    public static int TupleElementIndex(this IFieldSymbol field)
    {
        var tuple = field.ContainingType;
        for (var i = 0; i < tuple.TupleElements.Length; i++)
        {
            if (SymbolEqualityComparer.Default.Equals(tuple.TupleElements[i].CorrespondingTupleField, field.CorrespondingTupleField))
            {
                return i;
            }
        }

        return 0;
    }
}
