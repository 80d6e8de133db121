using System.Collections.Generic;
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
using Microsoft.CodeAnalysis.Text;

namespace PipelineSdk.CodeFixes;

/// <summary>
/// PSDK0005 for a record, class or struct of the project: lists it with <c>[JsonSerializable(typeof(T))]</c> on the
/// project's <c>JsonSerializerContext</c> (the first one, by name), or adds a file with a new context when there is
/// none, so the type passes between steps as a JSON artifact.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddJsonSerializableCodeFix)), Shared]
public sealed class AddJsonSerializableCodeFix : CodeFixProvider
{
    private const string ContextBase = "System.Text.Json.Serialization.JsonSerializerContext";
    private const string NewContextName = "PipelineJsonContext";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.UnsupportedValueType);

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

        var existing = Contexts(model.Compilation, context.CancellationToken).FirstOrDefault();
        foreach (var diagnostic in context.Diagnostics)
        {
            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            var type = model.GetTypeInfo(node, context.CancellationToken).Type ?? model.GetSymbolInfo(node, context.CancellationToken).Symbol as ITypeSymbol;
            foreach (var candidate in Candidates(type))
            {
                var typeName = candidate.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted));
                var action = existing is null
                    ? CodeAction.Create($"Add a JsonSerializerContext that lists '{candidate.Name}'",
                        c => Task.FromResult(AddContext(context.Document.Project, candidate, typeName)), nameof(AddJsonSerializableCodeFix) + ".New")
                    : CodeAction.Create($"List '{candidate.Name}' in {existing.Name} ([JsonSerializable])",
                        c => ListInAsync(context.Document.Project.Solution, existing, typeName, c), nameof(AddJsonSerializableCodeFix) + ".Existing");
                context.RegisterCodeFix(action, diagnostic);
            }
        }
    }

    /// <summary>The project's own records, classes and structs that the reported type is or contains.</summary>
    private static IEnumerable<INamedTypeSymbol> Candidates(ITypeSymbol? type)
    {
        var seen = new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default);
        var pending = new Stack<ITypeSymbol>();
        if (type is not null)
        {
            pending.Push(type);
        }

        while (pending.Count > 0)
        {
            var current = pending.Pop();
            if (!seen.Add(current))
            {
                continue;
            }

            switch (current)
            {
                case IArrayTypeSymbol array:
                    pending.Push(array.ElementType);
                    break;
                case INamedTypeSymbol { IsTupleType: true } tuple:
                    foreach (var element in tuple.TupleElements.Reverse())
                    {
                        pending.Push(element.Type);
                    }

                    break;
                case INamedTypeSymbol { IsGenericType: true } generic:
                    foreach (var argument in generic.TypeArguments.Reverse())
                    {
                        pending.Push(argument);
                    }

                    break;
                case INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct, SpecialType: SpecialType.None, IsAbstract: false } named
                    when named.Locations.Any(l => l.IsInSource) && !IsContext(named):
                    yield return named;
                    break;
            }
        }
    }

    /// <summary>The non-generic contexts declared in the project's source, by name.</summary>
    private static IEnumerable<INamedTypeSymbol> Contexts(Compilation compilation, CancellationToken cancellationToken)
    {
        var contexts = new List<INamedTypeSymbol>();
        var pending = new Stack<INamespaceOrTypeSymbol>();
        pending.Push(compilation.Assembly.GlobalNamespace);
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var member in pending.Pop().GetMembers())
            {
                if (member is INamespaceOrTypeSymbol container)
                {
                    pending.Push(container);
                }

                if (member is INamedTypeSymbol { IsGenericType: false } type && IsContext(type)
                    && type.DeclaringSyntaxReferences.Any(r => r.GetSyntax(cancellationToken) is ClassDeclarationSyntax c && c.Modifiers.Any(SyntaxKind.PartialKeyword)))
                {
                    contexts.Add(type);
                }
            }
        }

        return contexts.OrderBy(c => c.ToDisplayString(), System.StringComparer.Ordinal);
    }

    private static bool IsContext(INamedTypeSymbol type)
    {
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (current.ToDisplayString() == ContextBase)
            {
                return true;
            }
        }

        return false;
    }

    private static async Task<Solution> ListInAsync(Solution solution, INamedTypeSymbol contextType, string typeName, CancellationToken cancellationToken)
    {
        var reference = contextType.DeclaringSyntaxReferences.First();
        var document = solution.GetDocument(reference.SyntaxTree);
        if (document is null || await reference.GetSyntaxAsync(cancellationToken).ConfigureAwait(false) is not ClassDeclarationSyntax declaration)
        {
            return solution;
        }

        var attribute = SyntaxFactory.Attribute(
            SyntaxFactory.ParseName("global::System.Text.Json.Serialization.JsonSerializable"),
            SyntaxFactory.ParseAttributeArgumentList($"(typeof(global::{typeName}))"));
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var newLine = root!.DescendantTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia)).ToString() is { Length: > 0 } eol ? eol : "\n";
        var list = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(attribute))
            .WithTrailingTrivia(SyntaxFactory.EndOfLine(newLine))
            .WithAdditionalAnnotations(Microsoft.CodeAnalysis.Simplification.Simplifier.Annotation, Microsoft.CodeAnalysis.Formatting.Formatter.Annotation);
        var updated = declaration.AttributeLists.Count == 0
            ? declaration.WithoutLeadingTrivia().AddAttributeLists(list.WithLeadingTrivia(declaration.GetLeadingTrivia()))
            : declaration.AddAttributeLists(list.WithLeadingTrivia(declaration.AttributeLists.Last().GetLeadingTrivia().Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia))));
        var changed = document.WithSyntaxRoot(root.ReplaceNode(declaration, updated));
        changed = await Microsoft.CodeAnalysis.Simplification.Simplifier.ReduceAsync(changed, Microsoft.CodeAnalysis.Simplification.Simplifier.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
        changed = await Microsoft.CodeAnalysis.Formatting.Formatter.FormatAsync(changed, Microsoft.CodeAnalysis.Formatting.Formatter.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
        return changed.Project.Solution;
    }

    private static Solution AddContext(Project project, INamedTypeSymbol type, string typeName)
    {
        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } containing ? containing.ToDisplayString() : null;
        var text = "using System.Text.Json.Serialization;\n\n"
            + (ns is null ? "" : $"namespace {ns};\n\n")
            + "/// <summary>The records and classes that pass between steps as JSON artifacts (System.Text.Json source generation).</summary>\n"
            + $"[JsonSerializable(typeof({(ns is null ? typeName : typeName.Substring(ns.Length + 1))}))]\n"
            + $"internal partial class {NewContextName} : JsonSerializerContext;\n";
        return project.AddDocument(NewContextName + ".cs", SourceText.From(text)).Project.Solution;
    }
}
