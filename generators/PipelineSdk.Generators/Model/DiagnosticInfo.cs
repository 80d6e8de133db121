using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace PipelineSdk.Generators.Model;

/// <summary>
/// A diagnostic kept in a cached model. It holds the syntax tree (compared by reference: it only changes when
/// that file changes) and the span, so the reported location is a real source location and
/// <c>#pragma warning disable</c> works.
/// </summary>
internal sealed record DiagnosticInfo(string Id, SyntaxTree Tree, TextSpan Span, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, SyntaxNode node, params string[] arguments) =>
        Create(descriptor, node.GetLocation(), arguments);

    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location location, params string[] arguments) =>
        new(descriptor.Id, location.SourceTree!, location.SourceSpan, arguments.ToEquatableArray());
}

/// <summary>A real source location kept in a cached model (see <see cref="DiagnosticInfo"/>).</summary>
internal sealed record SourceSpan(SyntaxTree Tree, TextSpan Span)
{
    public static SourceSpan From(SyntaxNode node) => new(node.SyntaxTree, node.Span);

    public static SourceSpan From(SyntaxToken token) => new(token.SyntaxTree!, token.Span);

    public Location ToLocation() => Location.Create(Tree, Span);
}
