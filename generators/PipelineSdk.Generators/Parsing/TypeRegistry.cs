using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace PipelineSdk.Generators.Parsing;

/// <summary>A registered materializer: the class to instantiate, the schema title of what it stores, and whether its values are step outputs only.</summary>
internal sealed record MaterializerInfo(string MaterializerSyntax, string SchemaTitle, bool OutputOnly);

/// <summary>
/// The types a compilation adds to the built-in ones: the records and classes its <c>JsonSerializerContext</c>s
/// list (<c>[JsonSerializable(typeof(T))]</c>), and the types of materializers registered with
/// <c>[assembly: PipelineSdkMaterializer(typeof(M))]</c> in it or in a referenced assembly. Built once per
/// compilation, on first need (most pipelines use parameters only), and dropped with it.
/// </summary>
internal sealed class TypeRegistry
{
    private const string ContextBase = "System.Text.Json.Serialization.JsonSerializerContext";
    private const string MaterializerBase = "PipelineSdk.Values.ArtifactMaterializer<T>";

    private static readonly ConditionalWeakTable<Compilation, TypeRegistry> Cache = new();

    private readonly Dictionary<ITypeSymbol, string> _jsonContexts = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<ITypeSymbol, MaterializerInfo> _materializers = new(SymbolEqualityComparer.Default);

    private TypeRegistry(Compilation compilation)
    {
        foreach (var type in AllTypes(compilation.Assembly.GlobalNamespace))
        {
            if (!type.IsGenericType && IsJsonContext(type) && compilation.IsSymbolAccessibleWithin(type, compilation.Assembly))
            {
                var context = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
                foreach (var attribute in type.GetAttributes())
                {
                    if (attribute.AttributeClass?.ToDisplayString() == AttributeReader.JsonSerializable
                        && attribute.ConstructorArguments.FirstOrDefault().Value is ITypeSymbol listed
                        && !_jsonContexts.ContainsKey(listed))
                    {
                        // Several contexts may list a type: the first one found wins (the walk is deterministic).
                        _jsonContexts[listed] = context;
                    }
                }
            }
        }

        foreach (var assembly in new[] { compilation.Assembly }.Concat(compilation.SourceModule.ReferencedAssemblySymbols))
        {
            foreach (var attribute in assembly.GetAttributes())
            {
                if (attribute.AttributeClass?.ToDisplayString() == AttributeReader.Materializer
                    && attribute.ConstructorArguments.FirstOrDefault().Value is INamedTypeSymbol materializer
                    && IsUsableMaterializer(materializer, compilation)
                    && StoredType(materializer) is { } stored
                    && !_materializers.ContainsKey(stored))
                {
                    var schemaTitle = attribute.NamedArguments.FirstOrDefault(a => a.Key == "SchemaTitle").Value.Value as string;
                    _materializers[stored] = new MaterializerInfo(
                        materializer.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                        string.IsNullOrEmpty(schemaTitle) ? "system.Artifact" : schemaTitle!,
                        attribute.NamedArguments.FirstOrDefault(a => a.Key == "OutputOnly").Value.Value is true);
                }
            }
        }
    }

    /// <summary>The registry of <paramref name="compilation"/>, built on first use.</summary>
    public static TypeRegistry Of(Compilation compilation) => Cache.GetValue(compilation, static c => new TypeRegistry(c));

    /// <summary>The <c>global::</c> name of a context listing <paramref name="type"/>, if any.</summary>
    public string? JsonContext(ITypeSymbol type) => _jsonContexts.TryGetValue(type, out var context) ? context : null;

    /// <summary>The materializer registered for <paramref name="type"/>, if any.</summary>
    public MaterializerInfo? Materializer(ITypeSymbol type) => _materializers.TryGetValue(type, out var materializer) ? materializer : null;

    private static bool IsJsonContext(INamedTypeSymbol type)
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

    private static bool IsUsableMaterializer(INamedTypeSymbol materializer, Compilation compilation) =>
        !materializer.IsAbstract && !materializer.IsGenericType
        && compilation.IsSymbolAccessibleWithin(materializer, compilation.Assembly)
        && materializer.InstanceConstructors.Any(c => c.Parameters.Length == 0 && compilation.IsSymbolAccessibleWithin(c, compilation.Assembly));

    private static ITypeSymbol? StoredType(INamedTypeSymbol materializer)
    {
        for (var current = materializer.BaseType; current is not null; current = current.BaseType)
        {
            if (current.IsGenericType && current.ConstructedFrom.ToDisplayString() == MaterializerBase)
            {
                return current.TypeArguments[0];
            }
        }

        return null;
    }

    private static IEnumerable<INamedTypeSymbol> AllTypes(INamespaceSymbol root)
    {
        var pending = new Stack<INamespaceOrTypeSymbol>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            if (current is INamespaceSymbol ns)
            {
                foreach (var member in ns.GetMembers())
                {
                    pending.Push(member);
                }
            }
            else if (current is INamedTypeSymbol type)
            {
                yield return type;
                foreach (var nested in type.GetTypeMembers())
                {
                    pending.Push(nested);
                }
            }
        }
    }
}
