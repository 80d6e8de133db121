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

namespace PipelineSdk.CodeFixes;

/// <summary>PSDK0001 (and PSDK0008 for an instance pipeline): adds <c>static</c> to the method.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeStaticCodeFix)), Shared]
public sealed class MakeStaticCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.StepMustBeStatic, DiagnosticIds.PipelineSignature);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            // Both IDs are reported at the method's name when it is not static; PSDK0008 has other causes too.
            if (root?.FindToken(diagnostic.Location.SourceSpan.Start).Parent is not MethodDeclarationSyntax method
                || method.Identifier.Span != diagnostic.Location.SourceSpan
                || method.Modifiers.Any(SyntaxKind.StaticKeyword))
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create($"Make '{method.Identifier.ValueText}' static", c => MakeStaticAsync(context.Document, method, c), nameof(MakeStaticCodeFix)),
                diagnostic);
        }
    }

    private static async Task<Document> MakeStaticAsync(Document document, MethodDeclarationSyntax method, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        return document.WithSyntaxRoot(root!.ReplaceNode(method, WithStatic(method)));
    }

    /// <summary>Puts <c>static</c> after the accessibility modifiers, where C# style has it.</summary>
    private static MethodDeclarationSyntax WithStatic(MethodDeclarationSyntax method)
    {
        var modifiers = method.Modifiers;
        var staticKeyword = SyntaxFactory.Token(SyntaxKind.StaticKeyword).WithTrailingTrivia(SyntaxFactory.Space);
        if (modifiers.Count == 0)
        {
            var typeToken = method.ReturnType.GetFirstToken();
            var moved = method.ReplaceToken(typeToken, typeToken.WithLeadingTrivia(SyntaxTriviaList.Empty));
            return moved.WithModifiers(SyntaxFactory.TokenList(staticKeyword.WithLeadingTrivia(typeToken.LeadingTrivia)));
        }

        var index = 0;
        while (index < modifiers.Count && modifiers[index].Kind() is SyntaxKind.PublicKeyword or SyntaxKind.InternalKeyword or SyntaxKind.PrivateKeyword or SyntaxKind.ProtectedKeyword)
        {
            index++;
        }

        if (index == 0)
        {
            var first = modifiers[0];
            modifiers = modifiers.Replace(first, first.WithLeadingTrivia(SyntaxTriviaList.Empty)).Insert(0, staticKeyword.WithLeadingTrivia(first.LeadingTrivia));
        }
        else
        {
            modifiers = modifiers.Insert(index, staticKeyword);
        }

        return method.WithModifiers(modifiers);
    }
}
