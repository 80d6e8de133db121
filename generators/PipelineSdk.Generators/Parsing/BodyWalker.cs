using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using PipelineSdk.Generators.Diagnostics;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Parsing;

/// <summary>Walks the pipeline body statement by statement: step calls, the locals that carry their outputs, deconstructions and calls of other pipelines.</summary>
internal sealed class BodyWalker(PipelineParser parser) : PipelineParserJob(parser)
{
    internal void ParseStatement(StatementSyntax statement, bool isLast)
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
                Flow.ParseForEach(loop);
                break;
            case IfStatementSyntax condition:
                Flow.ParseIf(condition);
                break;
            case TryStatementSyntax attempt:
                Flow.ParseTry(attempt);
                break;
            case ReturnStatementSyntax { Expression: { } returned } when isLast && State.Scope == 0:
                Flow.ParseReturn(returned);
                break;
            case ReturnStatementSyntax { Expression: null } when isLast && State.Scope == 0:
            case EmptyStatementSyntax:
                break;
            default:
                State.ReportStatement(statement, Describe(statement));
                break;
        }
    }

    private void ParseLocal(VariableDeclaratorSyntax variable)
    {
        var value = variable.Initializer?.Value;
        if (value is null)
        {
            if (!OneOfs.TryDeclareOneOf(variable))
            {
                State.ReportStatement(variable, "a local that does not hold a step's result");
            }

            return;
        }

        if (Flow.TryDeclareCollector(variable, value))
        {
            return;
        }

        if (Unawait(value) is InvocationExpressionSyntax invocation)
        {
            var call = ParseCall(invocation);
            if (call >= 0 && State.SemanticModel.GetDeclaredSymbol(variable, State.CancellationToken) is { } local)
            {
                Bind(local, variable.Identifier, new LocalBinding(call, null));
            }
            else if (call < 0 && State.SemanticModel.GetDeclaredSymbol(variable, State.CancellationToken) is { } failed)
            {
                State.RejectedLocals.Add(failed); // The call's problem is reported there; uses of its output say nothing more.
            }

            return;
        }

        // `var same = output;` is another name for the same output.
        if (State.SemanticModel.GetOperation(value, State.CancellationToken) is ILocalReferenceOperation reference
            && State.Locals.TryGetValue(reference.Local, out var alias)
            && State.SemanticModel.GetDeclaredSymbol(variable, State.CancellationToken) is { } aliasLocal)
        {
            Bind(aliasLocal, variable.Identifier, alias);
            return;
        }

        // The local's uses would only repeat the error reported here.
        if (State.SemanticModel.GetDeclaredSymbol(variable, State.CancellationToken) is { } rejected)
        {
            State.RejectedLocals.Add(rejected);
        }

        if (Values.RunTimeValueIn(value) is { } used)
        {
            State.Report(DiagnosticCatalog.RunTimeValueInExpression, value.GetLocation(), State.Name, used, Values.DescribeUse(value));
            return;
        }

        State.ReportStatement(variable, "a local that does not hold a step's result");
    }

    private void Bind(ISymbol local, SyntaxToken identifier, LocalBinding binding)
    {
        State.Locals[local] = binding;
        var step = State.Calls[binding.Call].Step;
        if (step.Outputs.Count > 0)
        {
            State.OutputLocals.Add((identifier, step.MethodName));
        }
    }

    internal void ParseExpressionStatement(ExpressionSyntax expression)
    {
        switch (Unawait(expression))
        {
            case InvocationExpressionSyntax invocation when Flow.IsCollectorAdd(invocation):
                Flow.ParseCollect(invocation);
                break;
            case InvocationExpressionSyntax invocation:
                ParseCall(invocation);
                break;
            case AssignmentExpressionSyntax { Left: DeclarationExpressionSyntax or TupleExpressionSyntax } deconstruction
                when deconstruction.IsKind(SyntaxKind.SimpleAssignmentExpression) && Unawait(deconstruction.Right) is InvocationExpressionSyntax invocation:
                ParseDeconstruction(deconstruction.Left, invocation);
                break;
            case AssignmentExpressionSyntax assignment when OneOfs.IsOneOfAssignment(assignment):
                OneOfs.ParseOneOfAssignment(assignment);
                break;
            case AssignmentExpressionSyntax:
                State.ReportStatement(expression, "an assignment (keep each step output in a new local: `var x = Step(...);`)");
                break;
            default:
                if (Values.RunTimeValueIn(expression) is { } used)
                {
                    State.Report(DiagnosticCatalog.RunTimeValueInExpression, expression.GetLocation(), State.Name, used, Values.DescribeUse(expression));
                    break;
                }

                State.ReportStatement(expression, "an expression that is not a step call");
                break;
        }
    }

    /// <summary>An async step is awaited in the pipeline body (<c>await Fit(x)</c>); the call is what matters.</summary>
    internal static ExpressionSyntax? Unawait(ExpressionSyntax? expression) =>
        expression is AwaitExpressionSyntax awaited ? awaited.Expression : expression;

    private void ParseDeconstruction(ExpressionSyntax left, InvocationExpressionSyntax invocation)
    {
        var call = ParseCall(invocation);
        if (call < 0)
        {
            RejectDeconstructed(left);
            return;
        }

        var step = State.Calls[call].Step;
        var targets = left switch
        {
            DeclarationExpressionSyntax { Designation: ParenthesizedVariableDesignationSyntax designation } => designation.Variables.Select(v => (SyntaxNode)v).ToList(),
            TupleExpressionSyntax tuple => tuple.Arguments.Select(a => (SyntaxNode)a.Expression).ToList(),
            _ => new List<SyntaxNode>(),
        };
        if (step.ReturnShape != ReturnShape.Tuple || targets.Count != step.Outputs.Count)
        {
            State.ReportStatement(left, "a deconstruction that does not match the step's outputs");
            return;
        }

        for (var i = 0; i < targets.Count; i++)
        {
            var target = targets[i];
            var symbol = target switch
            {
                SingleVariableDesignationSyntax single => State.SemanticModel.GetDeclaredSymbol(single, State.CancellationToken),
                DeclarationExpressionSyntax { Designation: SingleVariableDesignationSyntax single } => State.SemanticModel.GetDeclaredSymbol(single, State.CancellationToken),
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
            State.ReportStatement(target, "an assignment to an existing variable");
            return null;
        }
    }

    /// <summary>Parses a step call; returns its index in <see cref="State.Calls"/>, or -1 when it is not a usable step call.</summary>
    internal int ParseCall(InvocationExpressionSyntax invocation)
    {
        if (State.SemanticModel.GetOperation(invocation, State.CancellationToken) is not IInvocationOperation operation)
        {
            State.Unresolved = true;
            return -1;
        }

        if (CallSettingsParser.IsCallSetting(operation.TargetMethod) || CallSettingsParser.IsStepCallOf(operation.TargetMethod))
        {
            return Settings.ParseConfiguredCall(operation);
        }

        if (ControlFlowParser.IsExitHandlerName(operation.TargetMethod))
        {
            Flow.ParseExitHandlerName(invocation, operation);
            return -1;
        }

        // Only the finally block's own call is the exit task; step calls nested in its arguments are ordinary tasks.
        var guards = State.Guarding;
        State.Guarding = -1;
        var outerFinalStatusScope = State.FinalStatusScope;
        State.FinalStatusScope = guards;
        try
        {
            return ParseCall(invocation, operation, guards);
        }
        finally
        {
            State.FinalStatusScope = outerFinalStatusScope;
        }
    }

    internal int ParseCall(InvocationExpressionSyntax invocation, IInvocationOperation operation, int guards)
    {
        var method = operation.TargetMethod;
        if (ImporterParser.IsImporter(method))
        {
            return Importers.ParseImporter(invocation, operation, guards);
        }

        StepModel? step;
        PipelineModel? inner = null;
        if (StepParser.IsStep(method) || PipelineParser.IsPipeline(method))
        {
            State.StepCallsSeen++;
        }

        if (PipelineParser.IsPipeline(method))
        {
            inner = ParseInnerPipeline(method);
            if (inner is null)
            {
                State.InnerBroken = true;
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
            State.Unresolved = true;
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
                State.Unresolved = true;
                return -1;
            }

            var bound = Values.ParseArgument(method, parameter, argument);
            if (bound is not null)
            {
                arguments.Add(bound);
            }
        }

        if (arguments.Count != step.Parameters.Count(p => !p.IsInjected))
        {
            return -1;
        }

        State.Calls.Add(new CallModel(step, arguments.ToEquatableArray(), State.Scope, guards, inner));
        State.CallSyntax.Add(invocation);
        return State.Calls.Count - 1;
    }

    /// <summary>The parsed step behind a call; false (with a diagnostic) when the method is not a usable step.</summary>
    private bool TryGetStep(IMethodSymbol method, InvocationExpressionSyntax invocation, out StepModel? step)
    {
        if (!StepParser.IsStep(method))
        {
            var what = $"a call to '{method.ContainingType?.Name}.{method.Name}', which is not a [Step] method";
            if (Values.RunTimeValueIn(invocation) is { } used)
            {
                State.Report(DiagnosticCatalog.RunTimeValueInExpression, invocation.GetLocation(), State.Name, used, what);
            }
            else
            {
                State.ReportStatement(invocation, what);
            }

            step = null;
            return false;
        }

        if (!State.Steps.TryGetValue(method, out step))
        {
            if (method.DeclaringSyntaxReferences.Length == 0)
            {
                State.ReportStatement(invocation, $"a call to step '{method.Name}' from another assembly (steps must be declared in the pipeline's project for now)");
                State.Steps[method] = null;
                return false;
            }

            // Problems with the step itself are reported once, at the step, by the step pass.
            step = StepParser.Parse(method, State.SemanticModel.Compilation, new List<DiagnosticInfo>(), State.CancellationToken, computeFingerprint: false);
            State.Steps[method] = step;
        }

        return true;
    }

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

    /// <summary>The locals of a deconstruction whose call was unusable: their uses say nothing more.</summary>
    private void RejectDeconstructed(ExpressionSyntax left)
    {
        foreach (var designation in left.DescendantNodesAndSelf().OfType<SingleVariableDesignationSyntax>())
        {
            if (State.SemanticModel.GetDeclaredSymbol(designation, State.CancellationToken) is { } local)
            {
                State.RejectedLocals.Add(local);
            }
        }
    }

    /// <summary>Parses a called pipeline; null when it cannot be part of this one (its own diagnostics, or a cycle, say why).</summary>
    private PipelineModel? ParseInnerPipeline(IMethodSymbol method)
    {
        if (State.Callers.Contains(PipelineParser.Key(method)))
        {
            return null;
        }

        if (method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(State.CancellationToken) is not MethodDeclarationSyntax declaration)
        {
            State.ReportStatement(State.Declaration, $"a call to pipeline '{method.Name}' from another assembly");
            return null;
        }

        var model = declaration.SyntaxTree == State.Declaration.SyntaxTree ? State.SemanticModel : State.SemanticModel.Compilation.GetSemanticModel(declaration.SyntaxTree);
        var inner = PipelineParser.Run(method, declaration, model, new HashSet<string>(State.Callers), State.CancellationToken).Model;
        return inner.HasErrors ? null : inner;
    }

    /// <summary>A called pipeline seen as a step: its parameters are inputs, its returned value the output.</summary>
    private static StepModel InterfaceOf(PipelineModel inner, IMethodSymbol method) => new(
        inner.MethodDisplayName,
        method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
        method.Name,
        inner.PipelineName,
        inner.Parameters.Select(p => new StepParameterModel(p.Name, p.Type, IsCancellationToken: false)).ToEquatableArray(),
        inner.Output is null ? EquatableArray<PortModel>.Empty : new[] { new PortModel(StepParser.SingleOutputName, inner.Output.Type) }.ToEquatableArray(),
        inner.Output is null ? ReturnShape.None : ReturnShape.Single,
        AsyncShape.None,
        inner.Output?.Type.TypeSyntax,
        inner.EnableCache,
        EquatableArray<CodePartModel>.Empty,
        "",
        StepSettingsModel.None);
}
