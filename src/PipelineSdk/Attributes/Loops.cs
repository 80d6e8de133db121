namespace PipelineSdk;

/// <summary>Helpers for <c>foreach</c> loops in a pipeline body.</summary>
public static class Loops
{
    /// <summary>
    /// In a pipeline body, <c>foreach (var x in items.WithParallelism(2))</c> runs at most that many iterations at once
    /// (<c>iteratorPolicy.parallelismLimit</c>). Called as plain C#, it returns <paramref name="items"/> unchanged.
    /// </summary>
    /// <param name="items">The list the loop runs over.</param>
    /// <param name="limit">The most iterations at once; a constant of at least 1.</param>
    public static IEnumerable<T> WithParallelism<T>(this IEnumerable<T> items, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return items;
    }
}
