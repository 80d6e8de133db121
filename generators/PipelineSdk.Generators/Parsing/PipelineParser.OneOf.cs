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
/// KFP's <c>dsl.OneOf</c> in C#: a local declared without a value, assigned a step output once in every branch of the
/// if/else if/else that follows, is the output of whichever branch ran.
/// </summary>
internal sealed partial class PipelineParser
{
    private readonly Dictionary<ISymbol, PendingOneOf> _oneOfs = new(SymbolEqualityComparer.Default);
    private readonly List<OneOfModel> _oneOfModels = new();

    /// <summary><c>string result;</c>: a local the branches after it will assign.</summary>
    private bool TryDeclareOneOf(VariableDeclaratorSyntax variable)
    {
        if (_model.GetDeclaredSymbol(variable, _cancellationToken) is not ILocalSymbol local)
        {
            return false;
        }

        var type = TypeMapper.Map(local.Type, _model.Compilation);
        if (type is null || type.IsArtifactList)
        {
            Report(DiagnosticCatalog.UnsupportedValueType, variable.Identifier.GetLocation(), $"The local '{local.Name}'", _name, local.Type.ToDisplayString(),
                type is null ? TypeMapper.Explain(local.Type) : TypeMapper.ListOutputFix);
            _rejectedLocals.Add(local);
            return true;
        }

        _oneOfs[local] = new PendingOneOf(_scope, type, variable.Identifier);
        return true;
    }

    /// <summary>The index in <see cref="PipelineModel.OneOfs"/> of a completed OneOf local; -1 otherwise.</summary>
    private int OneOfIndex(ILocalSymbol local) => _oneOfs.TryGetValue(local, out var oneOf) ? oneOf.Index : -1;

    private bool IsOneOfAssignment(AssignmentExpressionSyntax assignment) =>
        assignment.IsKind(SyntaxKind.SimpleAssignmentExpression)
        && assignment.Left is IdentifierNameSyntax target
        && _model.GetSymbolInfo(target, _cancellationToken).Symbol is ILocalSymbol local
        && _oneOfs.ContainsKey(local);

    /// <summary><c>result = Step(...);</c> in one branch: the branch's value of the OneOf.</summary>
    private void ParseOneOfAssignment(AssignmentExpressionSyntax assignment)
    {
        var local = (ILocalSymbol)_model.GetSymbolInfo(assignment.Left, _cancellationToken).Symbol!;
        var oneOf = _oneOfs[local];
        if (_model.GetOperation(assignment, _cancellationToken) is not ISimpleAssignmentOperation operation || operation.Value.DescendantsAndSelf().Any(o => o is IInvalidOperation))
        {
            _unresolved = true;
            return;
        }

        // The assigned value first: a step call in it is part of the branch whatever else is wrong.
        var reported = _diagnostics.Count;
        var source = ValueOf(operation.Value, "Output");
        var scope = _scopes[_scope];
        var name = local.Name;
        if (oneOf.Rejected)
        {
            return;
        }

        if (scope.Kind == ScopeKind.Condition && scope.Parent == oneOf.Scope)
        {
            Reject($"an assignment to '{name}' in an if without an else (a OneOf takes a step output from every branch: add an else that assigns it too)");
        }
        else if (scope.Kind != ScopeKind.Condition || _scopes[scope.Parent].Kind != ScopeKind.Branches || _scopes[scope.Parent].Parent != oneOf.Scope)
        {
            Reject($"an assignment to '{name}' outside a branch of an if/else if/else right after its declaration's block (assign it a step output once in every branch, as KFP's dsl.OneOf takes one output per branch)");
        }
        else if (oneOf.Branches.ContainsKey(_scope))
        {
            Reject($"a second assignment to '{name}' in one branch (assign it once per branch)");
        }
        else if (operation.Value is IConversionOperation { IsImplicit: true, Conversion.IsIdentity: false } conversion)
        {
            Report(DiagnosticCatalog.ArgumentTypeMismatch, assignment.Right.GetLocation(), name, "value", conversion.Operand.Type?.ToDisplayString() ?? "?", local.Type.ToDisplayString());
            oneOf.Rejected = true;
            _rejectedLocals.Add(local);
        }
        else if (source is null && (_diagnostics.Count > reported || MentionsRejected(operation.Value)))
        {
            oneOf.Rejected = true; // The value's own problem is reported.
            _rejectedLocals.Add(local);
        }
        else if (source is not { Source: ArgumentSource.TaskOutput } || _calls[source.Call].Scope != _scope)
        {
            Reject($"an assignment to '{name}' of something other than the output of a step called in this branch");
        }
        else
        {
            oneOf.Branches[_scope] = source;
        }

        void Reject(string what)
        {
            ReportStatement(assignment, what);
            oneOf.Rejected = true;
            _rejectedLocals.Add(local);
        }
    }

    /// <summary>After a branches group: each local its branches assigned becomes a OneOf when every branch assigned it and there is an else.</summary>
    private void CompleteOneOfs(int group, int branchCount, bool hasElse)
    {
        foreach (var pair in _oneOfs)
        {
            var oneOf = pair.Value;
            var assigned = oneOf.Branches.Keys.Where(b => _scopes[b].Parent == group).OrderBy(b => b).ToList();
            if (oneOf.Rejected || oneOf.Index >= 0 || assigned.Count == 0)
            {
                continue;
            }

            if (assigned.Count != branchCount || !hasElse)
            {
                ReportStatement(oneOf.Identifier.Parent!, $"'{oneOf.Identifier.ValueText}', which {(hasElse ? "some branches" : "the if without an else")} of the if/else if/else after it leave{(hasElse ? "" : "s")} unassigned; assign it a step output in every branch, and end the chain with an else");
                oneOf.Rejected = true;
                _rejectedLocals.Add(pair.Key);
                continue;
            }

            oneOf.Index = _oneOfModels.Count;
            _oneOfModels.Add(new OneOfModel(group, oneOf.Type, assigned.Select(b => oneOf.Branches[b]).ToEquatableArray()));
        }
    }

    /// <summary>Locals declared without a value that no branch assigned.</summary>
    private void CheckOneOfs()
    {
        foreach (var oneOf in _oneOfs.Values.Where(o => !o.Rejected && o.Index < 0 && o.Branches.Count == 0))
        {
            ReportStatement(oneOf.Identifier.Parent!, "a local that does not hold a step's result (declared without a value, it must be assigned a step output in every branch of the if/else if/else after it)");
        }
    }

    private sealed class PendingOneOf(int scope, ValueTypeModel type, SyntaxToken identifier)
    {
        public int Scope { get; } = scope;
        public ValueTypeModel Type { get; } = type;
        public SyntaxToken Identifier { get; } = identifier;
        public Dictionary<int, ArgumentModel> Branches { get; } = new();
        public bool Rejected { get; set; }
        public int Index { get; set; } = -1;
    }
}
