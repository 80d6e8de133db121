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
internal sealed class PipelineParser
{
    public const string PipelineAttributeName = "PipelineSdk.PipelineAttribute";

    private readonly IMethodSymbol _pipeline;
    private readonly MethodDeclarationSyntax _declaration;
    private readonly SemanticModel _model;
    private readonly CancellationToken _cancellationToken;
    private readonly string _name;
    private readonly List<DiagnosticInfo> _diagnostics = new();
    private readonly List<CallModel> _calls = new();
    private readonly Dictionary<ISymbol, LocalBinding> _locals = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<IMethodSymbol, StepModel?> _steps = new(SymbolEqualityComparer.Default);
    private bool _unresolved;

    private PipelineParser(IMethodSymbol pipeline, MethodDeclarationSyntax declaration, SemanticModel model, CancellationToken cancellationToken)
    {
        _pipeline = pipeline;
        _declaration = declaration;
        _model = model;
        _cancellationToken = cancellationToken;
        _name = pipeline.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat);
    }

    public static PipelineModel Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var method = (IMethodSymbol)context.TargetSymbol;
        var declaration = (MethodDeclarationSyntax)context.TargetNode;
        try
        {
            return new PipelineParser(method, declaration, context.SemanticModel, cancellationToken).Parse();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var failure = DiagnosticInfo.Create(DiagnosticCatalog.InternalError, declaration.Identifier.GetLocation(), method.Name, e.GetType().Name + ": " + e.Message);
            return new PipelineModel(HintName(method), null, method.Name, method.Name, method.Name, false, null,
                EquatableArray<PipelineParameterModel>.Empty, EquatableArray<CallModel>.Empty, new[] { failure }.ToEquatableArray());
        }
    }

    private PipelineModel Parse()
    {
        CheckSignature();
        var pipelineName = NameOf(_pipeline);
        if (Naming.Validate(pipelineName, Naming.MaxPipelineNameLength) is { } invalid)
        {
            Report(DiagnosticCatalog.InvalidName, StepParser.AttributeLocation(_pipeline, _declaration), "pipeline", pipelineName, invalid);
        }

        var parameters = ParseParameters();
        if (_declaration.ExpressionBody is { } expressionBody)
        {
            ParseExpressionStatement(expressionBody.Expression);
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

        if (_calls.Count == 0 && _diagnostics.Count == 0 && !_unresolved)
        {
            Report(DiagnosticCatalog.PipelineHasNoSteps, _declaration.Identifier.GetLocation(), _name);
        }

        var containingNamespace = _pipeline.ContainingType.ContainingNamespace;
        return new PipelineModel(
            HintName(_pipeline),
            containingNamespace.IsGlobalNamespace ? null : containingNamespace.ToDisplayString(),
            _pipeline.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat.WithMemberOptions(SymbolDisplayMemberOptions.IncludeContainingType)),
            _pipeline.Name,
            pipelineName,
            IsPublic(_pipeline),
            StepParser.NamedBool(_pipeline, PipelineAttributeName, "EnableCache"),
            parameters.ToEquatableArray(),
            // A pipeline whose code does not compile yields no calls, so nothing is emitted for it.
            _unresolved ? EquatableArray<CallModel>.Empty : _calls.ToEquatableArray(),
            _diagnostics.ToEquatableArray());
    }

    /// <summary>The pipeline name: the attribute's <c>Name</c>, else the method name in kebab-case.</summary>
    public static string NameOf(IMethodSymbol pipeline) =>
        StepParser.NamedString(pipeline, PipelineAttributeName, "Name") ?? Naming.ToKebabCase(pipeline.Name);

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

        var returnType = _pipeline.ReturnType.ToDisplayString();
        if (!_pipeline.ReturnsVoid && returnType is not ("System.Threading.Tasks.Task" or "System.Threading.Tasks.ValueTask"))
        {
            Report(DiagnosticCatalog.PipelineSignature, _declaration.ReturnType.GetLocation(), _name,
                "must return void, or Task when it awaits async steps; its body describes the graph and step outputs are read from the run result");
        }
    }

    private List<PipelineParameterModel> ParseParameters()
    {
        var parameters = new List<PipelineParameterModel>();
        for (var i = 0; i < _pipeline.Parameters.Length; i++)
        {
            var parameter = _pipeline.Parameters[i];
            var syntax = _declaration.ParameterList.Parameters[i];
            if (parameter.RefKind != RefKind.None)
            {
                Report(DiagnosticCatalog.PipelineSignature, syntax.GetLocation(), _name, $"has a by-reference parameter '{parameter.Name}'; pipeline parameters are values, so remove the modifier");
                continue;
            }

            var type = TypeMapper.Map(parameter.Type);
            if (type is null)
            {
                Report(DiagnosticCatalog.UnsupportedValueType, syntax.Type!.GetLocation(), $"Parameter '{parameter.Name}'", _name, parameter.Type.ToDisplayString());
                continue;
            }

            string? defaultJson = null;
            string? defaultCSharp = null;
            if (parameter.HasExplicitDefaultValue)
            {
                defaultJson = JsonLiteral.From(parameter.ExplicitDefaultValue);
                if (defaultJson is null)
                {
                    Report(DiagnosticCatalog.UnsupportedArgument, syntax.Default!.Value.GetLocation(), _name, parameter.Name, "a default value with no JSON form (NaN or infinity)");
                    continue;
                }

                defaultCSharp = CSharpLiteral(parameter.ExplicitDefaultValue);
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
                    if (Unawait(variable.Initializer?.Value) is not InvocationExpressionSyntax invocation)
                    {
                        ReportStatement(variable, "a local that does not hold a step's result");
                        continue;
                    }

                    var call = ParseCall(invocation);
                    if (call >= 0 && _model.GetDeclaredSymbol(variable, _cancellationToken) is { } local)
                    {
                        _locals[local] = new LocalBinding(call, null);
                    }
                }

                break;
            case ReturnStatementSyntax { Expression: null } when isLast:
            case EmptyStatementSyntax:
                break;
            default:
                ReportStatement(statement, Describe(statement));
                break;
        }
    }

    private void ParseExpressionStatement(ExpressionSyntax expression)
    {
        switch (Unawait(expression))
        {
            case InvocationExpressionSyntax invocation:
                ParseCall(invocation);
                break;
            case AssignmentExpressionSyntax { Left: DeclarationExpressionSyntax or TupleExpressionSyntax } deconstruction
                when deconstruction.IsKind(SyntaxKind.SimpleAssignmentExpression) && Unawait(deconstruction.Right) is InvocationExpressionSyntax invocation:
                ParseDeconstruction(deconstruction.Left, invocation);
                break;
            default:
                ReportStatement(expression, expression is AssignmentExpressionSyntax ? "an assignment" : "an expression that is not a step call");
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
                _locals[symbol] = new LocalBinding(call, step.Outputs[i].Name);
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

        var method = operation.TargetMethod;
        if (!StepParser.IsStep(method))
        {
            var what = method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == PipelineAttributeName)
                ? $"a call to pipeline '{method.Name}' (calling a pipeline from a pipeline is not supported yet)"
                : $"a call to '{method.ContainingType.Name}.{method.Name}', which is not a [Step] method";
            ReportStatement(invocation, what);
            return -1;
        }

        if (!_steps.TryGetValue(method, out var step))
        {
            if (method.DeclaringSyntaxReferences.Length == 0)
            {
                ReportStatement(invocation, $"a call to step '{method.Name}' from another assembly (steps must be declared in the pipeline's project for now)");
                _steps[method] = null;
                return -1;
            }

            // Problems with the step itself are reported once, at the step, by the step pass.
            step = StepParser.Parse(method, _model.Compilation, new List<DiagnosticInfo>(), _cancellationToken);
            _steps[method] = step;
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
            if (stepParameter.IsCancellationToken)
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

        if (arguments.Count != step.Parameters.Count(p => !p.IsCancellationToken))
        {
            return -1;
        }

        _calls.Add(new CallModel(step, arguments.ToEquatableArray()));
        return _calls.Count - 1;
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

            return new ArgumentModel(parameter.Name, ArgumentSource.Constant, -1, null, json);
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

                return new ArgumentModel(parameter.Name, ArgumentSource.TaskOutput, binding.Call, binding.OutputName ?? StepParser.SingleOutputName, null);
            case IFieldReferenceOperation { Field.CorrespondingTupleField: { } element, Instance: ILocalReferenceOperation tupleLocal }
                when _locals.TryGetValue(tupleLocal.Local, out var tupleBinding) && tupleBinding.OutputName is null:
                var tupleProducer = _calls[tupleBinding.Call].Step;
                var output = tupleProducer.Outputs.FirstOrDefault(o => o.Name == element.Name)
                    ?? tupleProducer.Outputs[((IFieldSymbol)element).TupleElementIndex()];
                return new ArgumentModel(parameter.Name, ArgumentSource.TaskOutput, tupleBinding.Call, output.Name, null);
            case IParameterReferenceOperation reference when SymbolEqualityComparer.Default.Equals(reference.Parameter.ContainingSymbol, _pipeline):
                return new ArgumentModel(parameter.Name, ArgumentSource.PipelineParameter, -1, reference.Parameter.Name, null);
            case IInvocationOperation nested when value.Syntax is InvocationExpressionSyntax nestedSyntax && StepParser.IsStep(nested.TargetMethod):
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

                return new ArgumentModel(parameter.Name, ArgumentSource.TaskOutput, nestedCall, StepParser.SingleOutputName, null);
            case IInvalidOperation:
                _unresolved = true;
                return null;
            default:
                ReportArgument(step, parameter, argument, DescribeValue(value));
                return null;
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
        ForEachStatementSyntax => "a foreach loop (not supported yet)",
        IfStatementSyntax => "an if statement (not supported yet)",
        TryStatementSyntax => "a try statement (not supported yet)",
        GotoStatementSyntax => "a goto",
        LabeledStatementSyntax => "a label",
        LockStatementSyntax => "a lock",
        SwitchStatementSyntax => "a switch",
        UsingStatementSyntax => "a using statement",
        ReturnStatementSyntax => "a return statement",
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

    private static string HintName(IMethodSymbol method)
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
