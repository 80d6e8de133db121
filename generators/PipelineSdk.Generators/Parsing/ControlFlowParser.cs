using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using PipelineSdk.Generators.Diagnostics;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Parsing;

/// <summary>Reads the blocks of a pipeline body that become sub-DAGs: foreach loops, if/else branches and their conditions, try/finally exit handlers, lists that collect loop outputs, and the returned value.</summary>
internal sealed class ControlFlowParser(PipelineParser parser) : PipelineParserJob(parser)
{
    internal const string TaskFinalStatusType = "PipelineSdk.TaskFinalStatus";
    private const string LoopsType = "PipelineSdk.Loops";

    /// <summary>A collecting list whose use was already reported: nothing more is said about it.</summary>
    internal const int Rejected = -2;

    private const string ExitHandlerType = "PipelineSdk.ExitHandler";

    /// <summary>What keeps <paramref name="condition"/> from becoming a Kubeflow condition, and where; null when nothing does.</summary>
    private (SyntaxNode Node, string What)? ConditionProblem(IOperation condition)
    {
        var operation = ValueResolver.Unwrap(condition)!;
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

                var type = Values.RunTimeValueType(operation, out var description);
                return type is null ? (operation.Syntax, description)
                    : type.KfpType == "BOOLEAN" ? null
                    : (operation.Syntax, $"{description}, which is not a bool; compare it with a value");
        }
    }

    private (SyntaxNode Node, string What)? OperandProblem(IOperation operand, out bool isConstant)
    {
        var operation = ValueResolver.Unwrap(operand)!;
        isConstant = operation.ConstantValue.HasValue;
        if (isConstant)
        {
            return operation.ConstantValue.Value is null ? (operation.Syntax, "null, which a Kubeflow parameter never is")
                : JsonLiteral.From(operation.ConstantValue.Value) is null ? (operation.Syntax, "a constant with no JSON form") : null;
        }

        var type = Values.RunTimeValueType(operation, out var description);
        if (type is null)
        {
            return (operation.Syntax, description);
        }

        return type.KfpType is "NUMBER_INTEGER" or "NUMBER_DOUBLE" or "BOOLEAN" or "STRING" ? null
            : (operation.Syntax, $"{description} of type '{operation.Type?.ToDisplayString()}'; only single values can be compared");
    }

    private int AddScope(ScopeModel scope)
    {
        State.Scopes.Add(scope);
        return State.Scopes.Count - 1;
    }

    /// <summary>Parses a block (or single statement) in <paramref name="scope"/>; false when it called no step.</summary>
    private bool ParseBody(StatementSyntax body, int scope)
    {
        var outer = State.Scope;
        var callsBefore = State.StepCallsSeen;
        State.Scope = scope;
        var statements = body is BlockSyntax block ? block.Statements : new SyntaxList<StatementSyntax>(body);
        foreach (var statement in statements)
        {
            Body.ParseStatement(statement, isLast: false);
        }

        State.Scope = outer;
        return State.StepCallsSeen > callsBefore;
    }

    internal void ParseForEach(ForEachStatementSyntax loop)
    {
        if (State.SemanticModel.GetOperation(loop, State.CancellationToken) is not IForEachLoopOperation operation
            || operation.Collection.DescendantsAndSelf().Any(o => o is IInvalidOperation)
            || State.SemanticModel.GetDeclaredSymbol(loop, State.CancellationToken) is not ILocalSymbol item)
        {
            State.Unresolved = true;
            return;
        }

        // `foreach (var x in items.WithParallelism(2))` limits how many iterations run at once.
        var source = ValueResolver.Unwrap(operation.Collection)!;
        var limit = State.PipelineLoopParallelism;
        if (source is IInvocationOperation { TargetMethod.Name: "WithParallelism" } limited && limited.TargetMethod.ContainingType?.ToDisplayString() == LoopsType)
        {
            var given = limited.Arguments.Length == 2 ? limited.Arguments[1].Value.ConstantValue : default;
            if (!given.HasValue || given.Value is not int n || n < 1)
            {
                State.Report(DiagnosticCatalog.UnsupportedLoopSource, limited.Arguments[limited.Arguments.Length - 1].Syntax.GetLocation(), State.Name,
                    "a list with a parallelism limit that is not a constant of at least 1 (write a number, like `.WithParallelism(4)`)");
                return;
            }

            limit = n;
            source = ValueResolver.Unwrap(limited.Arguments[0].Value)!;
        }

        var elementType = State.SemanticModel.GetForEachStatementInfo(loop).ElementType;
        if (elementType is not null && !SymbolEqualityComparer.Default.Equals(elementType, item.Type))
        {
            State.Report(DiagnosticCatalog.UnsupportedLoopSource, loop.Type.GetLocation(), State.Name,
                $"items of type '{elementType.ToDisplayString()}' converted to '{item.Type.ToDisplayString()}'; declare the loop variable as '{elementType.ToDisplayString()}' or var");
            return;
        }

        var items = LoopItems(source, out var problem);
        var itemType = Values.LoopItemType(item, items);
        if (items is null && Values.MentionsRejected(source))
        {
            return;
        }

        if (items is null || itemType is null || itemType.IsArtifact && items.Source != ArgumentSource.Collected)
        {
            State.Report(DiagnosticCatalog.UnsupportedLoopSource, loop.Expression.GetLocation(), State.Name,
                problem ?? $"items of type '{item.Type.ToDisplayString()}', which are not Kubeflow parameters");
            return;
        }

        var scope = AddScope(new ScopeModel(State.Scope, ScopeKind.Loop, null, new LoopModel(items, itemType, limit)));
        State.LoopItems[item] = scope;
        if (!ParseBody(loop.Statement, scope))
        {
            State.ReportStatement(loop, "a foreach whose body calls no step");
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
                if (Constants.ConstantJson(element, out _) is not { } json)
                {
                    problem = "an array whose elements are not all constants";
                    return null;
                }

                elements.Add(json);
            }

            return ArgumentModel.Constant("items", "[" + string.Join(",", elements) + "]");
        }

        if (source is IInvocationOperation call && call.Syntax is InvocationExpressionSyntax callSyntax && CallSettingsParser.IsTaskCall(call))
        {
            var index = Body.ParseCall(callSyntax);
            if (index < 0)
            {
                problem = "a step call that could not be read";
                return null;
            }

            if (Values.RunTimeValueType(source, out var described) is { KfpType: "LIST" })
            {
                return ArgumentModel.TaskOutput("items", index, State.SingleOutputOf(index));
            }

            problem = $"{described}, which is not a list";
            return null;
        }

        var type = Values.RunTimeValueType(source, out var description);
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

        return Values.ValueOf(source, "items");
    }

    internal void ParseIf(IfStatementSyntax statement)
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
            var operation = State.SemanticModel.GetOperation(condition, State.CancellationToken);
            if (operation is null || operation.DescendantsAndSelf().Any(o => o is IInvalidOperation))
            {
                State.Unresolved = true;
                return;
            }

            if (Values.MentionsRejected(operation))
            {
                return; // The local's own problem is reported where it was assigned.
            }

            if (ConditionProblem(operation) is { } problem)
            {
                State.Report(DiagnosticCatalog.UnsupportedCondition, problem.Node.GetLocation(), State.Name, problem.What);
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
            ParseBranch(branches[0].Body, State.Scope, conditions[0]);
            return;
        }

        // Several branches: KFP's condition-branches group, each branch excluding the ones before it.
        var group = AddScope(new ScopeModel(State.Scope, ScopeKind.Branches, null, null));
        var outer = State.Scope;
        State.Scope = group;
        for (var i = 0; i < branches.Count; i++)
        {
            ParseBranch(branches[i].Body, group, All(conditions.Take(i).Select(Not).Concat(new[] { conditions[i] })));
        }

        if (otherwise is not null)
        {
            ParseBranch(otherwise, group, All(conditions.Select(Not)));
        }

        State.Scope = outer;
        OneOfs.CompleteOneOfs(group, branches.Count + (otherwise is null ? 0 : 1), otherwise is not null);
    }

    private void ParseBranch(StatementSyntax body, int parent, ConditionModel condition)
    {
        var scope = AddScope(new ScopeModel(parent, ScopeKind.Condition, condition, null));
        if (!ParseBody(body, scope))
        {
            State.ReportStatement(body, "a branch that calls no step");
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
        var operation = ValueResolver.Unwrap(condition)!;
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

        var unwrapped = ValueResolver.Unwrap(operand)!;
        var kfpType = Values.RunTimeValueType(unwrapped, out _)?.KfpType;
        return kfpType is not null && Values.ValueOf(unwrapped, kfpType) is { } value ? value : null;
    }

    internal void ParseTry(TryStatementSyntax attempt)
    {
        if (attempt.Catches.Count > 0 || State.Scope != 0)
        {
            if (attempt.Catches.Count > 0)
            {
                State.ReportStatement(attempt.Catches[0], "a catch clause (a failed step fails the run; use finally to run a step after the guarded ones, whatever happened)");
            }
            else
            {
                State.ReportStatement(attempt, "a try/finally inside a loop or condition (Kubeflow exit handlers guard steps at the top level of a pipeline)");
            }

            // Read the guarded steps anyway, so their own problems show and the enclosing block does not look empty.
            ParseBody(attempt.Block, State.Scope);
            return;
        }

        if (attempt.Finally is null)
        {
            State.Unresolved = true; // A try with neither catch nor finally does not compile; the compiler says so.
            return;
        }

        var statements = attempt.Finally.Block.Statements;
        if (statements.Count != 1 || statements[0] is not ExpressionStatementSyntax { Expression: var expression } || BodyWalker.Unawait(expression) is not InvocationExpressionSyntax exitCall)
        {
            State.ReportStatement(attempt.Finally, "a finally block that does not call exactly one step (write `finally { Notify(TaskFinalStatus.Current); }`)");
            return;
        }

        var guarded = AddScope(new ScopeModel(State.Scope, ScopeKind.ExitHandler, null, null));
        if (!ParseBody(attempt.Block, guarded))
        {
            State.ReportStatement(attempt.Block, "a try block that calls no step");
            return;
        }

        State.Guarding = guarded;
        Body.ParseCall(exitCall);
        State.Guarding = -1;
    }

    internal void ParseReturn(ExpressionSyntax returned)
    {
        var type = ReturnedType() is { } returnedType ? TypeMapper.Map(returnedType, State.SemanticModel.Compilation) : null;
        if (type is null || State.SemanticModel.GetOperation(returned, State.CancellationToken) is not { } operation || operation.DescendantsAndSelf().Any(o => o is IInvalidOperation))
        {
            // A void pipeline returning a value, or a type already reported: the compiler or CheckSignature says why.
            State.Unresolved = true;
            return;
        }

        if (operation is IConversionOperation { IsImplicit: true, Conversion.IsIdentity: false } conversion && conversion.Operand.Type is { } from)
        {
            State.Report(DiagnosticCatalog.ArgumentTypeMismatch, returned.GetLocation(), State.Pipeline.Name, "return value", from.ToDisplayString(), type.TypeSyntax.Replace("global::", ""));
            return;
        }

        if (ValueResolver.Unwrap(operation) is ILocalReferenceOperation local && State.Collectors.TryGetValue(local.Local, out var collector) && collector.Call < 0)
        {
            return; // Already reported at the list.
        }

        if (Values.ValueOf(ValueResolver.Unwrap(operation)!, "Output") is not { Source: ArgumentSource.TaskOutput or ArgumentSource.Collected or ArgumentSource.OneOf } source)
        {
            if (Values.MentionsRejected(operation))
            {
                return;
            }

            State.ReportStatement(returned, "a return of something other than a step output (return a local holding one, or a step call)");
            return;
        }

        State.Output = new PipelineOutputModel(type, source);
    }

    /// <summary>The type a pipeline returns (unwrapping Task&lt;T&gt;), or null for void and Task.</summary>
    internal ITypeSymbol? ReturnedType()
    {
        var type = State.Pipeline.ReturnType;
        if (State.Pipeline.ReturnsVoid || type.ToDisplayString() is "System.Threading.Tasks.Task" or "System.Threading.Tasks.ValueTask")
        {
            return null;
        }

        return type is INamedTypeSymbol { IsGenericType: true } task && task.ConstructedFrom.ToDisplayString() is "System.Threading.Tasks.Task<TResult>" or "System.Threading.Tasks.ValueTask<TResult>"
            ? task.TypeArguments[0]
            : type;
    }

    /// <summary><c>var results = new List&lt;T&gt;();</c>: a list that collects one step output per loop iteration.</summary>
    internal bool TryDeclareCollector(VariableDeclaratorSyntax variable, ExpressionSyntax value)
    {
        var operation = ValueResolver.Unwrap(State.SemanticModel.GetOperation(value, State.CancellationToken));
        var isEmptyList = operation switch
        {
            IObjectCreationOperation { Arguments.Length: 0, Initializer: null } creation => IsList(creation.Type),
            ICollectionExpressionOperation { Elements.Length: 0 } collection => IsList(collection.Type),
            _ => false,
        };
        if (!isEmptyList || State.SemanticModel.GetDeclaredSymbol(variable, State.CancellationToken) is not ILocalSymbol local)
        {
            return false;
        }

        var type = TypeMapper.Map(local.Type, State.SemanticModel.Compilation);
        if (type is null)
        {
            State.Report(DiagnosticCatalog.UnsupportedValueType, value.GetLocation(), $"The list '{local.Name}'", State.Name, local.Type.ToDisplayString());
            State.RejectedLocals.Add(local);
            return true;
        }

        State.Collectors[local] = new Collector(State.Scope, type, variable.Identifier);
        return true;

        static bool IsList(ITypeSymbol? type) =>
            type is INamedTypeSymbol { IsGenericType: true } named && named.ConstructedFrom.ToDisplayString() == "System.Collections.Generic.List<T>";
    }

    internal bool IsCollectorAdd(InvocationExpressionSyntax invocation) =>
        invocation.Expression is MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax receiver, Name.Identifier.ValueText: "Add" }
        && State.SemanticModel.GetSymbolInfo(receiver, State.CancellationToken).Symbol is ILocalSymbol local
        && State.Collectors.ContainsKey(local);

    internal void ParseCollect(InvocationExpressionSyntax invocation)
    {
        var receiver = (IdentifierNameSyntax)((MemberAccessExpressionSyntax)invocation.Expression).Expression;
        var collector = State.Collectors[State.SemanticModel.GetSymbolInfo(receiver, State.CancellationToken).Symbol!];
        if (State.SemanticModel.GetOperation(invocation, State.CancellationToken) is not IInvocationOperation { Arguments.Length: 1 } operation)
        {
            State.Unresolved = true;
            return;
        }

        // The added value first: a step call in it is part of the loop body whatever else is wrong.
        var argument = operation.Arguments[0];
        var reported = State.Diagnostics.Count;
        var source = Values.ValueOf(argument.Value, "item");
        var name = receiver.Identifier.ValueText;
        if (collector.Call >= 0)
        {
            Reject($"a second Add to '{name}' (a list collects one step output per loop iteration)");
        }
        else if (State.Scopes[State.Scope].Kind != ScopeKind.Loop || State.Scopes[State.Scope].Parent != collector.Scope)
        {
            Reject($"an Add to '{name}' outside the body of a foreach next to it (declare the list just before the loop and add to it in the loop body)");
        }
        else if (argument.Value is IConversionOperation { IsImplicit: true, Conversion.IsIdentity: false } conversion)
        {
            State.Report(DiagnosticCatalog.ArgumentTypeMismatch, argument.Syntax.GetLocation(), "List.Add", "item", conversion.Operand.Type?.ToDisplayString() ?? "?", conversion.Type?.ToDisplayString() ?? "?");
            collector.Call = Rejected;
        }
        else if (source is null && (State.Diagnostics.Count > reported || Values.MentionsRejected(argument.Value)))
        {
            collector.Call = Rejected;
        }
        else if (source is not { Source: ArgumentSource.TaskOutput } || State.Calls[source.Call].Scope != State.Scope)
        {
            Reject($"an Add to '{name}' of something other than a step output from this loop body");
        }

        if (collector.Call == Rejected || source is null)
        {
            return;
        }

        collector.Call = source.Call;
        collector.Output = source.Reference;
        collector.Loop = State.Scope;

        void Reject(string what)
        {
            State.ReportStatement(invocation, what);
            collector.Call = Rejected;
        }
    }

    /// <summary>Lists declared to collect a loop's outputs that nothing was added to.</summary>
    internal void CheckCollectors()
    {
        foreach (var collector in State.Collectors.Values.Where(c => c.Call == -1))
        {
            State.ReportStatement(collector.Identifier.Parent!, $"a list '{collector.Identifier.ValueText}' that collects nothing (add one step output to it in the body of a foreach, or remove it)");
        }
    }

    internal sealed class Collector(int scope, ValueTypeModel type, SyntaxToken identifier)
    {
        public int Scope { get; } = scope;
        public ValueTypeModel Type { get; } = type;
        public SyntaxToken Identifier { get; } = identifier;
        public int Call { get; set; } = -1;
        public string? Output { get; set; }
        public int Loop { get; set; } = -1;
    }

    /// <summary>True when <paramref name="source"/> is a collecting list or a list of artifacts: its items, or why not.</summary>
    private bool TryCollectedLoopItems(IOperation source, out ArgumentModel? items, out string? problem)
    {
        items = null;
        problem = null;
        if (source is ILocalReferenceOperation local && State.Collectors.TryGetValue(local.Local, out var collector))
        {
            if (collector.Call < 0)
            {
                problem = $"'{local.Local.Name}' before a loop added anything to it (loop over it after the loop that fills it)";
                return true;
            }

            for (var scope = State.Scope; scope >= 0; scope = State.Scopes[scope].Parent)
            {
                if (scope == collector.Loop)
                {
                    problem = $"'{local.Local.Name}' inside the loop that fills it (loop over it after that loop)";
                    return true;
                }
            }

            items = ArgumentModel.Collected("items", collector.Call, collector.Output);
            return true;
        }

        if (Values.RunTimeValueType(source, out var description) is { IsArtifactList: true })
        {
            // A called pipeline's returned artifact list: its items' stored copies are not kept one by one.
            problem = $"{description}, a list of artifacts a called pipeline returns; loop over the list inside that pipeline, or collect the artifacts in this one";
            return true;
        }

        return false;
    }

    internal static bool IsExitHandlerName(IMethodSymbol method) => method.Name == "Name" && method.ContainingType?.ToDisplayString() == ExitHandlerType;

    internal void ParseExitHandlerName(InvocationExpressionSyntax invocation, IInvocationOperation operation)
    {
        var isFirstInGuardedBlock = State.Scopes[State.Scope].Kind == ScopeKind.ExitHandler
            && invocation.Parent is ExpressionStatementSyntax statement
            && statement.Parent is BlockSyntax { Parent: TryStatementSyntax, Statements.Count: > 0 } block
            && block.Statements[0] == statement;
        if (!isFirstInGuardedBlock)
        {
            State.Report(DiagnosticCatalog.InvalidExitHandlerName, invocation.GetLocation(), State.Name,
                "is not the first statement of a try block that has a finally; write it there, to name that exit handler");
            return;
        }

        var argument = operation.Arguments.Length == 1 ? operation.Arguments[0] : null;
        if (argument?.Value.ConstantValue is not { HasValue: true, Value: string displayName })
        {
            State.Report(DiagnosticCatalog.InvalidExitHandlerName, (argument?.Syntax ?? invocation).GetLocation(), State.Name,
                "is not given a constant string; the name is fixed when the pipeline is compiled, so write it as a literal");
            return;
        }

        if (SettingsParser.ValidateDisplayName(displayName, problem => State.Report(DiagnosticCatalog.InvalidExitHandlerName, argument.Syntax.GetLocation(), State.Name, "is given a name that " + problem)) is { } valid)
        {
            State.Scopes[State.Scope] = State.Scopes[State.Scope] with { DisplayName = valid };
        }
    }
}
