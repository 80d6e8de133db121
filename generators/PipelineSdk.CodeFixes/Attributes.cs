using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace PipelineSdk.CodeFixes;

/// <summary>Small syntax helpers the fixes share.</summary>
internal static class Attributes
{
    public static bool Has(ISymbol symbol, string attribute) =>
        symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == attribute);

    /// <summary><c>[Step]</c>, written fully qualified and simplified against the file's usings.</summary>
    public static AttributeListSyntax StepAttributeList() =>
        SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(
            SyntaxFactory.Attribute(SyntaxFactory.ParseName("global::PipelineSdk.Step").WithAdditionalAnnotations(Simplifier.Annotation))));

    /// <summary>Adds <paramref name="list"/> on its own line above the method's modifiers, keeping doc comments above it.</summary>
    public static MethodDeclarationSyntax AddOnOwnLine(MethodDeclarationSyntax method, AttributeListSyntax list, SyntaxTrivia endOfLine)
    {
        var firstToken = method.GetFirstToken();
        var indentation = firstToken.LeadingTrivia.Reverse().TakeWhile(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).Reverse().ToList();
        if (method.AttributeLists.Count > 0)
        {
            return method.WithAttributeLists(method.AttributeLists.Add(list.WithLeadingTrivia(indentation).WithTrailingTrivia(endOfLine)));
        }

        var withoutLeading = method.ReplaceToken(firstToken, firstToken.WithLeadingTrivia(indentation));
        return withoutLeading.WithAttributeLists(SyntaxFactory.SingletonList(list.WithLeadingTrivia(firstToken.LeadingTrivia).WithTrailingTrivia(endOfLine)));
    }

    public static SyntaxTrivia EndOfLineOf(SyntaxNode root) =>
        root.DescendantTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia)) is { } trivia && trivia.IsKind(SyntaxKind.EndOfLineTrivia)
            ? trivia
            : SyntaxFactory.EndOfLine("\n");
}
