using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using PipelineSdk.Generators.Diagnostics;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Parsing;

/// <summary>
/// The control flow a pipeline body may use — if/else, foreach, try/finally, calls of other pipelines, lists that
/// collect a loop's outputs, and a returned output — each read into a scope that becomes a Kubeflow sub-DAG.
/// </summary>
internal sealed partial class PipelineParser
{
    private const string TaskFinalStatusType = "PipelineSdk.TaskFinalStatus";
    private const string LoopsType = "PipelineSdk.Loops";

    private int AddScope(ScopeModel scope)
    {
        _scopes.Add(scope);
        return _scopes.Count - 1;
    }

    /// <summary>Parses a block (or single statement) in <paramref name="scope"/>; false when it called no step.</summary>
    private bool ParseBody(StatementSyntax body, int scope)
    {
        var outer = _scope;
        var callsBefore = _stepCallsSeen;
        _scope = scope;
        var statements = body is BlockSyntax block ? block.Statements : new SyntaxList<StatementSyntax>(body);
        foreach (var statement in statements)
        {
            ParseStatement(statement, isLast: false);
        }

        _scope = outer;
        return _stepCallsSeen > callsBefore;
    }

    private void ParseForEach(ForEachStatementSyntax loop)
    {
        if (_model.GetOperation(loop, _cancellationToken) is not IForEachLoopOperation operation
            || operation.Collection.DescendantsAndSelf().Any(o => o is IInvalidOperation)
            || _model.GetDeclaredSymbol(loop, _cancellationToken) is not ILocalSymbol item)
        {
            _unresolved = true;
            return;
        }

        // `foreach (var x in items.WithParallelism(2))` limits how many iterations run at once.
        var source = Unwrap(operation.Collection)!;
        var limit = _pipelineLoopParallelism;
        if (source is IInvocationOperation { TargetMethod.Name: "WithParallelism" } limited && limited.TargetMethod.ContainingType?.ToDisplayString() == LoopsType)
        {
            var given = limited.Arguments.Length == 2 ? limited.Arguments[1].Value.ConstantValue : default;
            if (!given.HasValue || given.Value is not int n || n < 1)
            {
                Report(DiagnosticCatalog.UnsupportedLoopSource, limited.Arguments[limited.Arguments.Length - 1].Syntax.GetLocation(), _name,
                    "a list with a parallelism limit that is not a constant of at least 1 (write a number, like `.WithParallelism(4)`)");
                return;
            }

            limit = n;
            source = Unwrap(limited.Arguments[0].Value)!;
        }

        var elementType = _model.GetForEachStatementInfo(loop).ElementType;
        if (elementType is not null && !SymbolEqualityComparer.Default.Equals(elementType, item.Type))
        {
            Report(DiagnosticCatalog.UnsupportedLoopSource, loop.Type.GetLocation(), _name,
                $"items of type '{elementType.ToDisplayString()}' converted to '{item.Type.ToDisplayString()}'; declare the loop variable as '{elementType.ToDisplayString()}' or var");
            return;
        }

        var items = LoopItems(source, out var problem);
        var itemType = LoopItemType(item, items);
        if (items is null && MentionsRejected(source))
        {
            return;
        }

        if (items is null || itemType is null || itemType.IsArtifact && items.Source != ArgumentSource.Collected)
        {
            Report(DiagnosticCatalog.UnsupportedLoopSource, loop.Expression.GetLocation(), _name,
                problem ?? $"items of type '{item.Type.ToDisplayString()}', which are not Kubeflow parameters");
            return;
        }

        var scope = AddScope(new ScopeModel(_scope, ScopeKind.Loop, null, new LoopModel(items, itemType, limit)));
        _loopItems[item] = scope;
        if (!ParseBody(loop.Statement, scope))
        {
            ReportStatement(loop, "a foreach whose body calls no step");
        }
    }

    /// <summary>What a loop iterates over: a list step output or parameter, a constant array, or an outer loop's item.</summary>
    private ArgumentModel? LoopItems(IOperation source, out string? problem)
    {
        if (TryCollectedLoopItems(source, out var collected, out problem))
        {
            return collected;
        }

        if (source is IArrayCreationOperation { Initializer: { } initializer })
        {
            var elements = new List<string>();
            foreach (var element in initializer.ElementValues)
            {
                if (ConstantJson(element, out _) is not { } json)
                {
                    problem = "an array whose elements are not all constants";
                    return null;
                }

                elements.Add(json);
            }

            return ArgumentModel.Constant("items", "[" + string.Join(",", elements) + "]");
        }

        if (source is IInvocationOperation call && call.Syntax is InvocationExpressionSyntax callSyntax && IsTaskCall(call))
        {
            var index = ParseCall(callSyntax);
            if (index < 0)
            {
                problem = "a step call that could not be read";
                return null;
            }

            if (RunTimeValueType(source, out var described) is { KfpType: "LIST" })
            {
                return ArgumentModel.TaskOutput("items", index, SingleOutputOf(index));
            }

            problem = $"{described}, which is not a list";
            return null;
        }

        var type = RunTimeValueType(source, out var description);
        if (type is null)
        {
            problem = description;
            return null;
        }

        if (type.KfpType != "LIST")
        {
            problem = $"{description} of type '{source.Type?.ToDisplayString()}', which is not a list";
            return null;
        }

        return ValueOf(source, "items");
    }

    /// <summary>A run-time value (step output, parameter, loop item) as an argument; null when it is none of them.</summary>
    private ArgumentModel? ValueOf(IOperation operation, string name)
    {
        switch (Unwrap(operation))
        {
            case ILocalReferenceOperation local when _locals.TryGetValue(local.Local, out var binding):
                var producer = _calls[binding.Call].Step;
                return binding.OutputName is null && producer.ReturnShape != ReturnShape.Single
                    ? null
                    : ArgumentModel.TaskOutput(name, binding.Call, binding.OutputName ?? SingleOutputOf(binding.Call));
            case IFieldReferenceOperation { Field.CorrespondingTupleField: { } element, Instance: ILocalReferenceOperation tupleLocal }
                when _locals.TryGetValue(tupleLocal.Local, out var tupleBinding) && tupleBinding.OutputName is null:
                var outputs = _calls[tupleBinding.Call].Step.Outputs;
                var port = outputs.FirstOrDefault(o => o.Name == element.Name) ?? outputs[((IFieldSymbol)element).TupleElementIndex()];
                return ArgumentModel.TaskOutput(name, tupleBinding.Call, port.Name);
            case IParameterReferenceOperation reference when SymbolEqualityComparer.Default.Equals(reference.Parameter.ContainingSymbol, _pipeline):
                return ArgumentModel.Parameter(name, reference.Parameter.Name);
            case ILocalReferenceOperation item when _loopItems.TryGetValue(item.Local, out var loop):
                return ArgumentModel.LoopItem(name, loop, null);
            case ILocalReferenceOperation list when _collectors.TryGetValue(list.Local, out var collector) && collector.Call >= 0:
                return ArgumentModel.Collected(name, collector.Call, collector.Output);
            case ILocalReferenceOperation oneOf when OneOfIndex(oneOf.Local) is >= 0 and var oneOfIndex:
                return ArgumentModel.FromOneOf(name, oneOfIndex);
            case IInvocationOperation call when call.Syntax is InvocationExpressionSyntax callSyntax && IsTaskCall(call):
                var index = ParseCall(callSyntax);
                return index >= 0 && _calls[index].Step.ReturnShape == ReturnShape.Single
                    ? ArgumentModel.TaskOutput(name, index, SingleOutputOf(index))
                    : null;
            default:
                return null;
        }
    }

    private void ParseIf(IfStatementSyntax statement)
    {
        var branches = new List<(ExpressionSyntax Condition, StatementSyntax Body)>();
        StatementSyntax? otherwise = null;
        for (var branch = statement; branch is not null;)
        {
            branches.Add((branch.Condition, branch.Statement));
            if (branch.Else?.Statement is IfStatementSyntax next)
            {
                branch = next;
            }
            else
            {
                otherwise = branch.Else?.Statement;
                branch = null;
            }
        }

        var conditions = new List<ConditionModel>();
        foreach (var (condition, _) in branches)
        {
            var operation = _model.GetOperation(condition, _cancellationToken);
            if (operation is null || operation.DescendantsAndSelf().Any(o => o is IInvalidOperation))
            {
                _unresolved = true;
                return;
            }

            if (MentionsRejected(operation))
            {
                return; // The local's own problem is reported where it was assigned.
            }

            if (ConditionProblem(operation) is { } problem)
            {
                Report(DiagnosticCatalog.UnsupportedCondition, problem.Node.GetLocation(), _name, problem.What);
                return;
            }

            if (BuildCondition(operation) is not { } built)
            {
                return;
            }

            conditions.Add(built);
        }

        if (branches.Count == 1 && otherwise is null)
        {
            ParseBranch(branches[0].Body, _scope, conditions[0]);
            return;
        }

        // Several branches: KFP's condition-branches group, each branch excluding the ones before it.
        var group = AddScope(new ScopeModel(_scope, ScopeKind.Branches, null, null));
        var outer = _scope;
        _scope = group;
        for (var i = 0; i < branches.Count; i++)
        {
            ParseBranch(branches[i].Body, group, All(conditions.Take(i).Select(Not).Concat(new[] { conditions[i] })));
        }

        if (otherwise is not null)
        {
            ParseBranch(otherwise, group, All(conditions.Select(Not)));
        }

        _scope = outer;
        CompleteOneOfs(group, branches.Count + (otherwise is null ? 0 : 1), otherwise is not null);
    }

    private void ParseBranch(StatementSyntax body, int parent, ConditionModel condition)
    {
        var scope = AddScope(new ScopeModel(parent, ScopeKind.Condition, condition, null));
        if (!ParseBody(body, scope))
        {
            ReportStatement(body, "a branch that calls no step");
        }
    }

    private static ConditionModel Not(ConditionModel condition) =>
        new("!", new[] { condition }.ToEquatableArray(), EquatableArray<ArgumentModel>.Empty);

    private static ConditionModel All(IEnumerable<ConditionModel> conditions)
    {
        var list = conditions.ToList();
        return list.Count == 1 ? list[0] : new ConditionModel("&&", list.ToEquatableArray(), EquatableArray<ArgumentModel>.Empty);
    }

    /// <summary>The condition as a model; ConditionProblem has accepted it. Step calls in it become tasks before the branch.</summary>
    private ConditionModel? BuildCondition(IOperation condition)
    {
        var operation = Unwrap(condition)!;
        switch (operation)
        {
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                return BuildCondition(not.Operand) is { } inner ? Not(inner) : null;
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr } logic:
                var left = BuildCondition(logic.LeftOperand);
                var right = BuildCondition(logic.RightOperand);
                return left is null || right is null ? null
                    : new ConditionModel(logic.OperatorKind == BinaryOperatorKind.ConditionalAnd ? "&&" : "||", new[] { left, right }.ToEquatableArray(), EquatableArray<ArgumentModel>.Empty);
            case IBinaryOperation comparison:
                var leftValue = Operand(comparison.LeftOperand);
                var rightValue = Operand(comparison.RightOperand);
                return leftValue is null || rightValue is null ? null
                    : new ConditionModel(ComparisonOperator(comparison.OperatorKind), EquatableArray<ConditionModel>.Empty, new[] { leftValue, rightValue }.ToEquatableArray());
            default:
                return Operand(operation) is { } value
                    ? new ConditionModel("value", EquatableArray<ConditionModel>.Empty, new[] { value }.ToEquatableArray())
                    : null;
        }
    }

    private static string ComparisonOperator(BinaryOperatorKind kind) => kind switch
    {
        BinaryOperatorKind.Equals => "==",
        BinaryOperatorKind.NotEquals => "!=",
        BinaryOperatorKind.LessThan => "<",
        BinaryOperatorKind.LessThanOrEqual => "<=",
        BinaryOperatorKind.GreaterThan => ">",
        _ => ">=",
    };

    /// <summary>A compared value, its Kubeflow type in <see cref="ArgumentModel.InputName"/>.</summary>
    private ArgumentModel? Operand(IOperation operand)
    {
        if (operand.ConstantValue.HasValue)
        {
            // The converted constant: `accuracy >= 1` compares with the double 1.0, as C# does.
            var constant = operand.ConstantValue.Value;
            var type = constant switch
            {
                int or long => "NUMBER_INTEGER",
                double => "NUMBER_DOUBLE",
                bool => "BOOLEAN",
                _ => "STRING",
            };
            return ArgumentModel.Constant(type, JsonLiteral.From(constant));
        }

        var unwrapped = Unwrap(operand)!;
        var kfpType = RunTimeValueType(unwrapped, out _)?.KfpType;
        return kfpType is not null && ValueOf(unwrapped, kfpType) is { } value ? value : null;
    }

    private void ParseTry(TryStatementSyntax attempt)
    {
        if (attempt.Catches.Count > 0 || _scope != 0)
        {
            if (attempt.Catches.Count > 0)
            {
                ReportStatement(attempt.Catches[0], "a catch clause (a failed step fails the run; use finally to run a step after the guarded ones, whatever happened)");
            }
            else
            {
                ReportStatement(attempt, "a try/finally inside a loop or condition (Kubeflow exit handlers guard steps at the top level of a pipeline)");
            }

            // Read the guarded steps anyway, so their own problems show and the enclosing block does not look empty.
            ParseBody(attempt.Block, _scope);
            return;
        }

        if (attempt.Finally is null)
        {
            _unresolved = true; // A try with neither catch nor finally does not compile; the compiler says so.
            return;
        }

        var statements = attempt.Finally.Block.Statements;
        if (statements.Count != 1 || statements[0] is not ExpressionStatementSyntax { Expression: var expression } || Unawait(expression) is not InvocationExpressionSyntax exitCall)
        {
            ReportStatement(attempt.Finally, "a finally block that does not call exactly one step (write `finally { Notify(TaskFinalStatus.Current); }`)");
            return;
        }

        var guarded = AddScope(new ScopeModel(_scope, ScopeKind.ExitHandler, null, null));
        if (!ParseBody(attempt.Block, guarded))
        {
            ReportStatement(attempt.Block, "a try block that calls no step");
            return;
        }

        _guarding = guarded;
        ParseCall(exitCall);
        _guarding = -1;
    }

    private void ParseReturn(ExpressionSyntax returned)
    {
        var type = ReturnedType() is { } returnedType ? TypeMapper.Map(returnedType, _model.Compilation) : null;
        if (type is null || _model.GetOperation(returned, _cancellationToken) is not { } operation || operation.DescendantsAndSelf().Any(o => o is IInvalidOperation))
        {
            // A void pipeline returning a value, or a type already reported: the compiler or CheckSignature says why.
            _unresolved = true;
            return;
        }

        if (operation is IConversionOperation { IsImplicit: true, Conversion.IsIdentity: false } conversion && conversion.Operand.Type is { } from)
        {
            Report(DiagnosticCatalog.ArgumentTypeMismatch, returned.GetLocation(), _pipeline.Name, "return value", from.ToDisplayString(), type.TypeSyntax.Replace("global::", ""));
            return;
        }

        if (Unwrap(operation) is ILocalReferenceOperation local && _collectors.TryGetValue(local.Local, out var collector) && collector.Call < 0)
        {
            return; // Already reported at the list.
        }

        if (ValueOf(Unwrap(operation)!, "Output") is not { Source: ArgumentSource.TaskOutput or ArgumentSource.Collected or ArgumentSource.OneOf } source)
        {
            if (MentionsRejected(operation))
            {
                return;
            }

            ReportStatement(returned, "a return of something other than a step output (return a local holding one, or a step call)");
            return;
        }

        _output = new PipelineOutputModel(type, source);
    }

    /// <summary>The type a pipeline returns (unwrapping Task&lt;T&gt;), or null for void and Task.</summary>
    private ITypeSymbol? ReturnedType()
    {
        var type = _pipeline.ReturnType;
        if (_pipeline.ReturnsVoid || type.ToDisplayString() is "System.Threading.Tasks.Task" or "System.Threading.Tasks.ValueTask")
        {
            return null;
        }

        return type is INamedTypeSymbol { IsGenericType: true } task && task.ConstructedFrom.ToDisplayString() is "System.Threading.Tasks.Task<TResult>" or "System.Threading.Tasks.ValueTask<TResult>"
            ? task.TypeArguments[0]
            : type;
    }

    /// <summary>Parses a called pipeline; null when it cannot be part of this one (its own diagnostics, or a cycle, say why).</summary>
    private PipelineModel? ParseInnerPipeline(IMethodSymbol method)
    {
        if (_callers.Contains(Key(method)))
        {
            return null;
        }

        if (method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(_cancellationToken) is not MethodDeclarationSyntax declaration)
        {
            ReportStatement(_declaration, $"a call to pipeline '{method.Name}' from another assembly");
            return null;
        }

        var model = declaration.SyntaxTree == _declaration.SyntaxTree ? _model : _model.Compilation.GetSemanticModel(declaration.SyntaxTree);
        var inner = Run(method, declaration, model, new HashSet<string>(_callers), _cancellationToken).Model;
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

    /// <summary>Arguments with a meaning of their own: <c>TaskFinalStatus.Current</c> and lists that collect a loop's outputs.</summary>
    private bool TrySpecialArgument(IMethodSymbol step, IParameterSymbol parameter, IArgumentOperation argument, out ArgumentModel? model)
    {
        model = null;
        var value = Unwrap(argument.Value);
        if (value is IPropertyReferenceOperation { Property.Name: "Current" } property && property.Property.ContainingType?.ToDisplayString() == TaskFinalStatusType)
        {
            if (_finalStatusScope < 0)
            {
                ReportArgument(step, parameter, argument, "TaskFinalStatus.Current outside a finally block; only the step a pipeline's finally block calls can read the final status of the try block");
            }
            else
            {
                model = ArgumentModel.FinalStatus(parameter.Name, _finalStatusScope);
            }

            return true;
        }

        if (value is not ILocalReferenceOperation local || !_collectors.TryGetValue(local.Local, out var collector))
        {
            return false;
        }

        if (collector.Call == -1)
        {
            ReportArgument(step, parameter, argument, $"'{local.Local.Name}' before a loop added anything to it; pass it to a step after the loop that fills it");
            collector.Call = Rejected;
            return true;
        }

        if (collector.Call == Rejected)
        {
            return true; // Already reported.
        }

        for (var scope = _scope; scope >= 0; scope = _scopes[scope].Parent)
        {
            if (scope == collector.Loop)
            {
                ReportArgument(step, parameter, argument, $"'{local.Local.Name}' inside the loop that fills it; pass it to a step after the loop");
                return true;
            }
        }

        var wanted = TypeMapper.Map(parameter.Type, _model.Compilation);
        var element = _calls[collector.Call].Step.Outputs.First(o => o.Name == collector.Output).Type;
        if (wanted is null || wanted.KfpType != collector.Type.KfpType || !wanted.TypeSyntax.Contains("<" + element.TypeSyntax + ">") && !wanted.TypeSyntax.StartsWith(element.TypeSyntax + "[", System.StringComparison.Ordinal))
        {
            Report(DiagnosticCatalog.ArgumentTypeMismatch, argument.Syntax.GetLocation(), step.Name, parameter.Name, local.Local.Type.ToDisplayString(), parameter.Type.ToDisplayString());
            return true;
        }

        model = ArgumentModel.Collected(parameter.Name, collector.Call, collector.Output);
        return true;
    }

    /// <summary><c>var results = new List&lt;T&gt;();</c>: a list that collects one step output per loop iteration.</summary>
    private bool TryDeclareCollector(VariableDeclaratorSyntax variable, ExpressionSyntax value)
    {
        var operation = Unwrap(_model.GetOperation(value, _cancellationToken));
        var isEmptyList = operation switch
        {
            IObjectCreationOperation { Arguments.Length: 0, Initializer: null } creation => IsList(creation.Type),
            ICollectionExpressionOperation { Elements.Length: 0 } collection => IsList(collection.Type),
            _ => false,
        };
        if (!isEmptyList || _model.GetDeclaredSymbol(variable, _cancellationToken) is not ILocalSymbol local)
        {
            return false;
        }

        var type = TypeMapper.Map(local.Type, _model.Compilation);
        if (type is null)
        {
            Report(DiagnosticCatalog.UnsupportedValueType, value.GetLocation(), $"The list '{local.Name}'", _name, local.Type.ToDisplayString());
            _rejectedLocals.Add(local);
            return true;
        }

        _collectors[local] = new Collector(_scope, type, variable.Identifier);
        return true;

        static bool IsList(ITypeSymbol? type) =>
            type is INamedTypeSymbol { IsGenericType: true } named && named.ConstructedFrom.ToDisplayString() == "System.Collections.Generic.List<T>";
    }

    private bool IsCollectorAdd(InvocationExpressionSyntax invocation) =>
        invocation.Expression is MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax receiver, Name.Identifier.ValueText: "Add" }
        && _model.GetSymbolInfo(receiver, _cancellationToken).Symbol is ILocalSymbol local
        && _collectors.ContainsKey(local);

    private void ParseCollect(InvocationExpressionSyntax invocation)
    {
        var receiver = (IdentifierNameSyntax)((MemberAccessExpressionSyntax)invocation.Expression).Expression;
        var collector = _collectors[_model.GetSymbolInfo(receiver, _cancellationToken).Symbol!];
        if (_model.GetOperation(invocation, _cancellationToken) is not IInvocationOperation { Arguments.Length: 1 } operation)
        {
            _unresolved = true;
            return;
        }

        // The added value first: a step call in it is part of the loop body whatever else is wrong.
        var argument = operation.Arguments[0];
        var reported = _diagnostics.Count;
        var source = ValueOf(argument.Value, "item");
        var name = receiver.Identifier.ValueText;
        if (collector.Call >= 0)
        {
            Reject($"a second Add to '{name}' (a list collects one step output per loop iteration)");
        }
        else if (_scopes[_scope].Kind != ScopeKind.Loop || _scopes[_scope].Parent != collector.Scope)
        {
            Reject($"an Add to '{name}' outside the body of a foreach next to it (declare the list just before the loop and add to it in the loop body)");
        }
        else if (argument.Value is IConversionOperation { IsImplicit: true, Conversion.IsIdentity: false } conversion)
        {
            Report(DiagnosticCatalog.ArgumentTypeMismatch, argument.Syntax.GetLocation(), "List.Add", "item", conversion.Operand.Type?.ToDisplayString() ?? "?", conversion.Type?.ToDisplayString() ?? "?");
            collector.Call = Rejected;
        }
        else if (source is null && (_diagnostics.Count > reported || MentionsRejected(argument.Value)))
        {
            collector.Call = Rejected;
        }
        else if (source is not { Source: ArgumentSource.TaskOutput } || _calls[source.Call].Scope != _scope)
        {
            Reject($"an Add to '{name}' of something other than a step output from this loop body");
        }

        if (collector.Call == Rejected || source is null)
        {
            return;
        }

        collector.Call = source.Call;
        collector.Output = source.Reference;
        collector.Loop = _scope;

        void Reject(string what)
        {
            ReportStatement(invocation, what);
            collector.Call = Rejected;
        }
    }

    /// <summary>A collecting list whose use was already reported: nothing more is said about it.</summary>
    private const int Rejected = -2;

    /// <summary>Lists declared to collect a loop's outputs that nothing was added to.</summary>
    private void CheckCollectors()
    {
        foreach (var collector in _collectors.Values.Where(c => c.Call == -1))
        {
            ReportStatement(collector.Identifier.Parent!, $"a list '{collector.Identifier.ValueText}' that collects nothing (add one step output to it in the body of a foreach, or remove it)");
        }
    }

    private sealed class Collector(int scope, ValueTypeModel type, SyntaxToken identifier)
    {
        public int Scope { get; } = scope;
        public ValueTypeModel Type { get; } = type;
        public SyntaxToken Identifier { get; } = identifier;
        public int Call { get; set; } = -1;
        public string? Output { get; set; }
        public int Loop { get; set; } = -1;
    }
}
