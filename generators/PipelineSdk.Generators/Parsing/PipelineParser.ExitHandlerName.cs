using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using PipelineSdk.Generators.Diagnostics;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Parsing;

/// <summary><c>ExitHandler.Name("...")</c> as the first statement of a try block: the exit handler group's display name.</summary>
internal sealed partial class PipelineParser
{
    private const string ExitHandlerType = "PipelineSdk.ExitHandler";

    private static bool IsExitHandlerName(IMethodSymbol method) => method.Name == "Name" && method.ContainingType?.ToDisplayString() == ExitHandlerType;

    private void ParseExitHandlerName(InvocationExpressionSyntax invocation, IInvocationOperation operation)
    {
        var isFirstInGuardedBlock = _scopes[_scope].Kind == ScopeKind.ExitHandler
            && invocation.Parent is ExpressionStatementSyntax statement
            && statement.Parent is BlockSyntax { Parent: TryStatementSyntax, Statements.Count: > 0 } block
            && block.Statements[0] == statement;
        if (!isFirstInGuardedBlock)
        {
            Report(DiagnosticCatalog.InvalidExitHandlerName, invocation.GetLocation(), _name,
                "is not the first statement of a try block that has a finally; write it there, to name that exit handler");
            return;
        }

        var argument = operation.Arguments.Length == 1 ? operation.Arguments[0] : null;
        if (argument?.Value.ConstantValue is not { HasValue: true, Value: string displayName })
        {
            Report(DiagnosticCatalog.InvalidExitHandlerName, (argument?.Syntax ?? invocation).GetLocation(), _name,
                "is not given a constant string; the name is fixed when the pipeline is compiled, so write it as a literal");
            return;
        }

        if (SettingsParser.ValidateDisplayName(displayName, problem => Report(DiagnosticCatalog.InvalidExitHandlerName, argument.Syntax.GetLocation(), _name, "is given a name that " + problem)) is { } valid)
        {
            _scopes[_scope] = _scopes[_scope] with { DisplayName = valid };
        }
    }
}
