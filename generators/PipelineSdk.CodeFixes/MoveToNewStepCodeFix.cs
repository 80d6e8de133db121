using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace PipelineSdk.CodeFixes;

/// <summary>
/// An expression over step outputs or pipeline parameters in a pipeline body (PSDK0007, PSDK0014): moves it into a new
/// <c>[Step]</c> method whose parameters are the values it uses, and calls that step in its place.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MoveToNewStepCodeFix)), Shared]
public sealed class MoveToNewStepCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.UnsupportedArgument, DiagnosticIds.RunTimeValueInExpression);

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
            var expression = node is ArgumentSyntax argument ? argument.Expression : node as ExpressionSyntax;
            if (expression is null || Plan(expression, model, context.CancellationToken) is not { } plan)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create($"Move '{Shorten(expression)}' into a new step", c => MoveAsync(context.Document, expression, plan, c), nameof(MoveToNewStepCodeFix)),
                diagnostic);
        }
    }

    /// <summary>What the new step looks like; null when the expression cannot move (nothing to move, or moving would change what it means).</summary>
    private static StepPlan? Plan(ExpressionSyntax expression, SemanticModel model, CancellationToken cancellationToken)
    {
        if (expression.FirstAncestorOrSelf<MethodDeclarationSyntax>() is not { } pipelineSyntax
            || model.GetDeclaredSymbol(pipelineSyntax, cancellationToken) is not { } pipeline
            || !Attributes.Has(pipeline, DiagnosticIds.PipelineAttribute)
            || expression is IdentifierNameSyntax)
        {
            return null;
        }

        foreach (var node in expression.DescendantNodesAndSelf())
        {
            switch (node)
            {
                // Awaits, assignments and out variables would change meaning once moved; steps and pipelines must stay tasks.
                case AwaitExpressionSyntax or AssignmentExpressionSyntax or DeclarationExpressionSyntax
                    or PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression }
                    or PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression }:
                    return null;
                case ArgumentSyntax { RefKindKeyword.RawKind: not 0 }:
                    return null;
                case InvocationExpressionSyntax call when model.GetSymbolInfo(call, cancellationToken).Symbol is IMethodSymbol method
                    && (Attributes.Has(method, DiagnosticIds.StepAttribute) || Attributes.Has(method, DiagnosticIds.PipelineAttribute)):
                    return null;
            }
        }

        var inputs = new List<Input>();
        var replacements = new Dictionary<SyntaxNode, string>();
        foreach (var identifier in expression.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
        {
            var symbol = model.GetSymbolInfo(identifier, cancellationToken).Symbol;
            var isPipelineValue = symbol switch
            {
                ILocalSymbol local => !expression.Span.Contains(local.Locations.FirstOrDefault()?.SourceSpan ?? default) && SymbolEqualityComparer.Default.Equals(local.ContainingSymbol, pipeline),
                IParameterSymbol parameter => SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, pipeline),
                _ => false,
            };
            if (!isPipelineValue)
            {
                continue;
            }

            // `split.Train` of a tuple-returning step is one value: it becomes one parameter.
            if (identifier.Parent is MemberAccessExpressionSyntax access && access.Expression == identifier
                && model.GetSymbolInfo(access, cancellationToken).Symbol is IFieldSymbol { CorrespondingTupleField: not null } element)
            {
                var name = Unique(Camel(element.Name), inputs);
                inputs.Add(new Input(name, element.Type, access.ToString()));
                replacements[access] = name;
                continue;
            }

            var type = symbol is ILocalSymbol l ? l.Type : ((IParameterSymbol)symbol!).Type;
            if (inputs.All(i => i.Argument != identifier.Identifier.ValueText))
            {
                inputs.Add(new Input(identifier.Identifier.ValueText, type, identifier.Identifier.ValueText));
            }
        }

        if (inputs.Count == 0 || inputs.Any(i => i.Type.TypeKind == TypeKind.Error || i.Type.IsAnonymousType))
        {
            return null;
        }

        var resultType = ResultType(expression, model, cancellationToken);
        if (resultType is { TypeKind: TypeKind.Error } || resultType is { IsAnonymousType: true })
        {
            return null;
        }

        return new StepPlan(pipelineSyntax, inputs, replacements, resultType, BaseName(expression, model, cancellationToken));
    }

    /// <summary>The type the expression's value goes to: the step parameter or local it fills, else its own; null for void.</summary>
    private static ITypeSymbol? ResultType(ExpressionSyntax expression, SemanticModel model, CancellationToken cancellationToken)
    {
        var info = model.GetTypeInfo(expression, cancellationToken);
        if (expression.Parent is EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator }
            && model.GetDeclaredSymbol(declarator, cancellationToken) is ILocalSymbol local)
        {
            return local.Type;
        }

        var type = info.ConvertedType ?? info.Type;
        return type is null || type.SpecialType == SpecialType.System_Void ? null : type;
    }

    private static string BaseName(ExpressionSyntax expression, SemanticModel model, CancellationToken cancellationToken)
    {
        switch (expression.Parent)
        {
            case EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator }:
                return "Compute" + Pascal(declarator.Identifier.ValueText);
            case ArgumentSyntax argument when model.GetOperation(argument, cancellationToken) is Microsoft.CodeAnalysis.Operations.IArgumentOperation { Parameter: { } parameter }:
                return "Compute" + Pascal(parameter.Name);
        }

        return expression is InvocationExpressionSyntax && model.GetSymbolInfo(expression, cancellationToken).Symbol is IMethodSymbol method
            ? Pascal(method.Name) + "Step"
            : "ComputeValue";
    }

    private static async Task<Document> MoveAsync(Document document, ExpressionSyntax expression, StepPlan plan, CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        var model = editor.SemanticModel;
        var containingType = model.GetDeclaredSymbol(plan.Pipeline, cancellationToken)!.ContainingType;
        var name = plan.BaseName;
        for (var i = 2; containingType.GetMembers(name).Length > 0; i++)
        {
            name = plan.BaseName + i.ToString(CultureInfo.InvariantCulture);
        }

        var body = expression.ReplaceNodes(plan.Replacements.Keys, (original, _) => SyntaxFactory.IdentifierName(plan.Replacements[original]).WithTriviaFrom(original))
            .WithoutTrivia();
        var accessibility = plan.Pipeline.Modifiers.Any(SyntaxKind.PublicKeyword) ? SyntaxKind.PublicKeyword : SyntaxKind.InternalKeyword;
        var step = SyntaxFactory.MethodDeclaration(TypeSyntaxOf(plan.ResultType), name)
            .WithAttributeLists(SyntaxFactory.SingletonList(Attributes.StepAttributeList()))
            .WithModifiers(SyntaxFactory.TokenList(SyntaxFactory.Token(accessibility), SyntaxFactory.Token(SyntaxKind.StaticKeyword)))
            .WithParameterList(SyntaxFactory.ParameterList(SyntaxFactory.SeparatedList(
                plan.Inputs.Select(input => SyntaxFactory.Parameter(SyntaxFactory.Identifier(input.Name)).WithType(TypeSyntaxOf(input.Type))))))
            .WithExpressionBody(SyntaxFactory.ArrowExpressionClause(body))
            .WithSemicolonToken(SyntaxFactory.Token(SyntaxKind.SemicolonToken))
            .WithAdditionalAnnotations(Formatter.Annotation, Simplifier.Annotation);

        var call = SyntaxFactory.InvocationExpression(
                SyntaxFactory.IdentifierName(name),
                SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(plan.Inputs.Select(input => SyntaxFactory.Argument(SyntaxFactory.ParseExpression(input.Argument))))))
            .WithTriviaFrom(expression);
        editor.ReplaceNode(expression, call);
        editor.InsertAfter(plan.Pipeline, step.WithLeadingTrivia(Attributes.EndOfLineOf(plan.Pipeline.SyntaxTree.GetRoot(cancellationToken))));
        return editor.GetChangedDocument();
    }

    private static TypeSyntax TypeSyntaxOf(ITypeSymbol? type) =>
        type is null
            ? SyntaxFactory.PredefinedType(SyntaxFactory.Token(SyntaxKind.VoidKeyword))
            : SyntaxFactory.ParseTypeName(type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithMiscellaneousOptions(
                SymbolDisplayMiscellaneousOptions.UseSpecialTypes | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier | SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers)))
                .WithAdditionalAnnotations(Simplifier.Annotation);

    private static string Unique(string name, List<Input> taken)
    {
        var candidate = name;
        for (var i = 2; taken.Any(t => t.Name == candidate); i++)
        {
            candidate = name + i.ToString(CultureInfo.InvariantCulture);
        }

        return candidate;
    }

    private static string Pascal(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name.Substring(1);

    private static string Camel(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name.Substring(1);

    private static string Shorten(ExpressionSyntax expression)
    {
        var text = string.Join(" ", expression.ToString().Split((char[]?)null, System.StringSplitOptions.RemoveEmptyEntries));
        return text.Length <= 40 ? text : text.Substring(0, 37) + "...";
    }

    private sealed record Input(string Name, ITypeSymbol Type, string Argument);

    private sealed record StepPlan(MethodDeclarationSyntax Pipeline, List<Input> Inputs, Dictionary<SyntaxNode, string> Replacements, ITypeSymbol? ResultType, string BaseName);
}
