using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace PipelineSdk.CodeFixes;

/// <summary>
/// A pipeline calls a method of the user's own code that is not a step (PSDK0006, PSDK0007, PSDK0014): marks that
/// method <c>[Step]</c>, so the call becomes a task.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddStepAttributeCodeFix)), Shared]
public sealed class AddStepAttributeCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(DiagnosticIds.UnsupportedPipelineStatement, DiagnosticIds.UnsupportedArgument, DiagnosticIds.RunTimeValueInExpression);

    /// <inheritdoc />
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            var invocation = (node as ArgumentSyntax)?.Expression as InvocationExpressionSyntax ?? node as InvocationExpressionSyntax;
            if (invocation is null
                || model.GetSymbolInfo(invocation, context.CancellationToken).Symbol is not IMethodSymbol { MethodKind: MethodKind.Ordinary } method
                || Attributes.Has(method, DiagnosticIds.StepAttribute)
                || Attributes.Has(method, DiagnosticIds.PipelineAttribute))
            {
                continue;
            }

            var definition = method.OriginalDefinition;
            var reference = definition.DeclaringSyntaxReferences.FirstOrDefault();
            var target = reference is null ? null : context.Document.Project.Solution.GetDocument(reference.SyntaxTree);
            if (target is null)
            {
                // Declared in another assembly: nothing to edit.
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create($"Add [Step] to '{definition.Name}'", c => AddStepAsync(target, reference!, c), nameof(AddStepAttributeCodeFix)),
                diagnostic);
        }
    }

    private static async Task<Solution> AddStepAsync(Document document, SyntaxReference reference, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || root.FindNode(reference.Span) is not MethodDeclarationSyntax method)
        {
            return document.Project.Solution;
        }

        var marked = Attributes.AddOnOwnLine(method, Attributes.StepAttributeList(), Attributes.EndOfLineOf(root)).WithAdditionalAnnotations(Formatter.Annotation);
        return document.WithSyntaxRoot(root.ReplaceNode(method, marked)).Project.Solution;
    }
}
