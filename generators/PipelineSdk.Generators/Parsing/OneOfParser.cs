using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using PipelineSdk.Generators.Diagnostics;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Parsing;

/// <summary>Reads a local assigned a step output in every branch of an if/else if/else (KFP's <c>dsl.OneOf</c>).</summary>
internal sealed class OneOfParser(PipelineParser parser) : PipelineParserJob(parser)
{
    /// <summary><c>string result;</c>: a local the branches after it will assign.</summary>
    internal bool TryDeclareOneOf(VariableDeclaratorSyntax variable)
    {
        if (State.SemanticModel.GetDeclaredSymbol(variable, State.CancellationToken) is not ILocalSymbol local)
        {
            return false;
        }

        var type = TypeMapper.Map(local.Type, State.SemanticModel.Compilation);
        if (type is null || type.IsArtifactList)
        {
            State.Report(DiagnosticCatalog.UnsupportedValueType, variable.Identifier.GetLocation(), $"The local '{local.Name}'", State.Name, local.Type.ToDisplayString(),
                type is null ? TypeMapper.Explain(local.Type) : TypeMapper.ListOutputFix);
            State.RejectedLocals.Add(local);
            return true;
        }

        State.OneOfs[local] = new PendingOneOf(State.Scope, type, variable.Identifier);
        return true;
    }

    /// <summary>The index in <see cref="PipelineModel.OneOfs"/> of a completed OneOf local; -1 otherwise.</summary>
    internal int OneOfIndex(ILocalSymbol local) => State.OneOfs.TryGetValue(local, out var oneOf) ? oneOf.Index : -1;

    internal bool IsOneOfAssignment(AssignmentExpressionSyntax assignment) =>
        assignment.IsKind(SyntaxKind.SimpleAssignmentExpression)
        && assignment.Left is IdentifierNameSyntax target
        && State.SemanticModel.GetSymbolInfo(target, State.CancellationToken).Symbol is ILocalSymbol local
        && State.OneOfs.ContainsKey(local);

    /// <summary><c>result = Step(...);</c> in one branch: the branch's value of the OneOf.</summary>
    internal void ParseOneOfAssignment(AssignmentExpressionSyntax assignment)
    {
        var local = (ILocalSymbol)State.SemanticModel.GetSymbolInfo(assignment.Left, State.CancellationToken).Symbol!;
        var oneOf = State.OneOfs[local];
        if (State.SemanticModel.GetOperation(assignment, State.CancellationToken) is not ISimpleAssignmentOperation operation || operation.Value.DescendantsAndSelf().Any(o => o is IInvalidOperation))
        {
            State.Unresolved = true;
            return;
        }

        // The assigned value first: a step call in it is part of the branch whatever else is wrong.
        var reported = State.Diagnostics.Count;
        var source = Values.ValueOf(operation.Value, "Output");
        var scope = State.Scopes[State.Scope];
        var name = local.Name;
        if (oneOf.Rejected)
        {
            return;
        }

        if (scope.Kind == ScopeKind.Condition && scope.Parent == oneOf.Scope)
        {
            Reject($"an assignment to '{name}' in an if without an else (a OneOf takes a step output from every branch: add an else that assigns it too)");
        }
        else if (scope.Kind != ScopeKind.Condition || State.Scopes[scope.Parent].Kind != ScopeKind.Branches || State.Scopes[scope.Parent].Parent != oneOf.Scope)
        {
            Reject($"an assignment to '{name}' outside a branch of an if/else if/else right after its declaration's block (assign it a step output once in every branch, as KFP's dsl.OneOf takes one output per branch)");
        }
        else if (oneOf.Branches.ContainsKey(State.Scope))
        {
            Reject($"a second assignment to '{name}' in one branch (assign it once per branch)");
        }
        else if (operation.Value is IConversionOperation { IsImplicit: true, Conversion.IsIdentity: false } conversion)
        {
            State.Report(DiagnosticCatalog.ArgumentTypeMismatch, assignment.Right.GetLocation(), name, "value", conversion.Operand.Type?.ToDisplayString() ?? "?", local.Type.ToDisplayString());
            oneOf.Rejected = true;
            State.RejectedLocals.Add(local);
        }
        else if (source is null && (State.Diagnostics.Count > reported || Values.MentionsRejected(operation.Value)))
        {
            oneOf.Rejected = true; // The value's own problem is reported.
            State.RejectedLocals.Add(local);
        }
        else if (source is not { Source: ArgumentSource.TaskOutput } || State.Calls[source.Call].Scope != State.Scope)
        {
            Reject($"an assignment to '{name}' of something other than the output of a step called in this branch");
        }
        else
        {
            oneOf.Branches[State.Scope] = source;
        }

        void Reject(string what)
        {
            State.ReportStatement(assignment, what);
            oneOf.Rejected = true;
            State.RejectedLocals.Add(local);
        }
    }

    /// <summary>After a branches group: each local its branches assigned becomes a OneOf when every branch assigned it and there is an else.</summary>
    internal void CompleteOneOfs(int group, int branchCount, bool hasElse)
    {
        foreach (var pair in State.OneOfs)
        {
            var oneOf = pair.Value;
            var assigned = oneOf.Branches.Keys.Where(b => State.Scopes[b].Parent == group).OrderBy(b => b).ToList();
            if (oneOf.Rejected || oneOf.Index >= 0 || assigned.Count == 0)
            {
                continue;
            }

            if (assigned.Count != branchCount || !hasElse)
            {
                State.ReportStatement(oneOf.Identifier.Parent!, $"'{oneOf.Identifier.ValueText}', which {(hasElse ? "some branches" : "the if without an else")} of the if/else if/else after it leave{(hasElse ? "" : "s")} unassigned; assign it a step output in every branch, and end the chain with an else");
                oneOf.Rejected = true;
                State.RejectedLocals.Add(pair.Key);
                continue;
            }

            oneOf.Index = State.OneOfModels.Count;
            State.OneOfModels.Add(new OneOfModel(group, oneOf.Type, assigned.Select(b => oneOf.Branches[b]).ToEquatableArray()));
        }
    }

    /// <summary>Locals declared without a value that no branch assigned.</summary>
    internal void CheckOneOfs()
    {
        foreach (var oneOf in State.OneOfs.Values.Where(o => !o.Rejected && o.Index < 0 && o.Branches.Count == 0))
        {
            State.ReportStatement(oneOf.Identifier.Parent!, "a local that does not hold a step's result (declared without a value, it must be assigned a step output in every branch of the if/else if/else after it)");
        }
    }

    internal sealed class PendingOneOf(int scope, ValueTypeModel type, SyntaxToken identifier)
    {
        public int Scope { get; } = scope;
        public ValueTypeModel Type { get; } = type;
        public SyntaxToken Identifier { get; } = identifier;
        public Dictionary<int, ArgumentModel> Branches { get; } = new();
        public bool Rejected { get; set; }
        public int Index { get; set; } = -1;
    }
}
