using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Parsing;

/// <summary>
/// Fingerprints a step's code: the step's own syntax and, transitively, every method, property, constructor
/// and field of the same compilation that it uses. Whitespace and comments are ignored, so reformatting keeps
/// the cache while editing a helper the step calls invalidates it (ZenML hashes the step body only).
/// </summary>
internal static class CodeFingerprinter
{
    private static readonly SymbolDisplayFormat SymbolFormat = SymbolDisplayFormat.CSharpErrorMessageFormat;

    /// <param name="known">A semantic model the caller already has, of the step's tree or any other; null for none.</param>
    public static (EquatableArray<CodePartModel> Parts, string Fingerprint) Compute(IMethodSymbol step, Compilation compilation, SemanticModel? known, CancellationToken cancellationToken)
    {
        // One semantic model per syntax tree: a new one per visited method would bind its tree again from scratch.
        var models = new Dictionary<SyntaxTree, SemanticModel>();
        if (known is not null)
        {
            models[known.SyntaxTree] = known;
        }

        var stepPart = default(CodePartModel);
        var callees = new List<CodePartModel>();
        var visited = new HashSet<ISymbol>(SymbolEqualityComparer.Default) { step };
        var queue = new Queue<ISymbol>();
        queue.Enqueue(step);
        while (queue.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var symbol = queue.Dequeue();
            var hash = new StringBuilder();
            foreach (var reference in symbol.DeclaringSyntaxReferences.OrderBy(r => r.SyntaxTree.FilePath, StringComparer.Ordinal).ThenBy(r => r.Span.Start))
            {
                var node = reference.GetSyntax(cancellationToken);
                hash.Append(HashTokens(node));
                if (!models.TryGetValue(node.SyntaxTree, out var model))
                {
                    model = models[node.SyntaxTree] = compilation.GetSemanticModel(node.SyntaxTree);
                }

                foreach (var used in UsedSymbols(node, model, cancellationToken))
                {
                    if (used.DeclaringSyntaxReferences.Length > 0 && visited.Add(used))
                    {
                        queue.Enqueue(used);
                    }
                }
            }

            var part = new CodePartModel(symbol.ToDisplayString(SymbolFormat), Hash(hash.ToString()).Substring(0, 16));
            if (SymbolEqualityComparer.Default.Equals(symbol, step))
            {
                stepPart = part;
            }
            else
            {
                callees.Add(part);
            }
        }

        var parts = new[] { stepPart! }.Concat(callees.OrderBy(p => p.Symbol, StringComparer.Ordinal)).ToEquatableArray();
        var fingerprint = Hash(string.Join("\n", parts.Select(p => p.Symbol + "=" + p.Hash)));
        return (parts, fingerprint);
    }

    private static IEnumerable<ISymbol> UsedSymbols(SyntaxNode node, SemanticModel model, CancellationToken cancellationToken)
    {
        foreach (var descendant in node.DescendantNodes())
        {
            var symbol = descendant switch
            {
                SimpleNameSyntax name => model.GetSymbolInfo(name, cancellationToken).Symbol,
                BaseObjectCreationExpressionSyntax creation => model.GetSymbolInfo(creation, cancellationToken).Symbol,
                _ => null,
            };

            switch (symbol)
            {
                case IMethodSymbol method:
                    var original = (method.ReducedFrom ?? method).OriginalDefinition;
                    yield return original.PartialImplementationPart ?? original;
                    break;
                case IPropertySymbol property:
                    yield return property.OriginalDefinition;
                    break;
                case IFieldSymbol field:
                    yield return field.OriginalDefinition;
                    break;
            }
        }
    }

    private static string HashTokens(SyntaxNode node)
    {
        var text = new StringBuilder();
        foreach (var token in node.DescendantTokens())
        {
            text.Append(token.Text).Append('\u0001');
        }

        return text.ToString();
    }

    private static string Hash(string text)
    {
        using var sha = SHA256.Create();
        var bytes = sha.ComputeHash(Encoding.UTF8.GetBytes(text));
        var hex = new StringBuilder(bytes.Length * 2);
        foreach (var b in bytes)
        {
            hex.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return hex.ToString();
    }
}
