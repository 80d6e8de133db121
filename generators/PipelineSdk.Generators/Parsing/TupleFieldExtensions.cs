using Microsoft.CodeAnalysis;

namespace PipelineSdk.Generators.Parsing;

internal static class TupleFieldExtensions
{
    /// <summary>The 0-based position of a tuple element field (Item1 is 0).</summary>
    public static int TupleElementIndex(this IFieldSymbol field)
    {
        var tuple = field.ContainingType;
        for (var i = 0; i < tuple.TupleElements.Length; i++)
        {
            if (SymbolEqualityComparer.Default.Equals(tuple.TupleElements[i].CorrespondingTupleField, field.CorrespondingTupleField))
            {
                return i;
            }
        }

        return 0;
    }
}
