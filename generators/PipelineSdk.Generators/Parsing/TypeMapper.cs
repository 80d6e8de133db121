using Microsoft.CodeAnalysis;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Parsing;

/// <summary>Decides at compile time how a .NET type passes between steps, or that it cannot.</summary>
internal static class TypeMapper
{
    private const string Codecs = "global::PipelineSdk.Values.ParameterCodecs";

    /// <summary>The value type of <paramref name="type"/>, or null when no codec supports it.</summary>
    public static ValueTypeModel? Map(ITypeSymbol type)
    {
        var syntax = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithMiscellaneousOptions(
            SymbolDisplayMiscellaneousOptions.UseSpecialTypes | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier | SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers));

        switch (type.SpecialType)
        {
            case SpecialType.System_Int32: return Parameter(syntax, "NUMBER_INTEGER", Codecs + ".Int32");
            case SpecialType.System_Int64: return Parameter(syntax, "NUMBER_INTEGER", Codecs + ".Int64");
            case SpecialType.System_Double: return Parameter(syntax, "NUMBER_DOUBLE", Codecs + ".Double");
            case SpecialType.System_Boolean: return Parameter(syntax, "BOOLEAN", Codecs + ".Boolean");
            case SpecialType.System_String: return Parameter(syntax, "STRING", Codecs + ".String");
        }

        if (type.ToDisplayString() == "PipelineSdk.TaskFinalStatus")
        {
            return Parameter(syntax, "TASK_FINAL_STATUS", Codecs + ".TaskFinalStatus");
        }

        if (type is IArrayTypeSymbol { Rank: 1 } array && Map(array.ElementType) is { IsArtifact: false } arrayElement)
        {
            return Parameter(syntax, "LIST", $"{Codecs}.Array<{arrayElement.TypeSyntax}>({arrayElement.CodecExpression})");
        }

        if (type is not INamedTypeSymbol { IsGenericType: true } named)
        {
            return null;
        }

        var definition = named.ConstructedFrom.ToDisplayString();
        switch (definition)
        {
            case "System.Collections.Generic.List<T>":
            case "System.Collections.Generic.IList<T>":
            case "System.Collections.Generic.IReadOnlyList<T>":
            case "System.Collections.Generic.ICollection<T>":
            case "System.Collections.Generic.IReadOnlyCollection<T>":
            case "System.Collections.Generic.IEnumerable<T>":
                return Map(named.TypeArguments[0]) is { IsArtifact: false } element
                    ? Parameter(syntax, "LIST", $"{Codecs}.List<{element.TypeSyntax}>({element.CodecExpression})")
                    : null;
            case "System.Collections.Generic.Dictionary<TKey, TValue>":
            case "System.Collections.Generic.IDictionary<TKey, TValue>":
            case "System.Collections.Generic.IReadOnlyDictionary<TKey, TValue>":
                return named.TypeArguments[0].SpecialType == SpecialType.System_String && Map(named.TypeArguments[1]) is { IsArtifact: false } value
                    ? Parameter(syntax, "STRUCT", $"{Codecs}.Dictionary<{value.TypeSyntax}>({value.CodecExpression})")
                    : null;
            default:
                return null;
        }
    }

    private static ValueTypeModel Parameter(string syntax, string kfpType, string codec) => new(syntax, kfpType, IsArtifact: false, codec);
}
