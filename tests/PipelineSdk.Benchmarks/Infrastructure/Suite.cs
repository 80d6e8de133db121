using System.Collections.Concurrent;
using System.Reflection;

namespace PipelineSdk.Benchmarks.Infrastructure;

/// <summary>How this run of the suite was asked to behave, and where things are.</summary>
public static class Suite
{
    private static readonly Lazy<string> LazyTemp = new(() => Directory.CreateTempSubdirectory("psdk-bench-").FullName);

    /// <summary>Smoke mode: each benchmark runs once on small inputs, to prove it still works; nothing is measured.</summary>
    public static bool Smoke { get; set; }

    /// <summary>Leave out the Native AOT start-up figures (they need two AOT publishes, about two minutes).</summary>
    public static bool SkipAot { get; set; }

    /// <summary>The repository root (from the build).</summary>
    public static string RepoRoot => Metadata("RepoRoot");

    /// <summary>The configuration this program was built in; the start-up benchmark runs the examples' build of the same.</summary>
    public static string Configuration => Metadata("Configuration");

    /// <summary>A scratch folder for stores, artifacts and copies, removed when the suite ends.</summary>
    public static string Temp => LazyTemp.Value;

    public static void DeleteTemp()
    {
        if (LazyTemp.IsValueCreated && Directory.Exists(LazyTemp.Value))
        {
            Directory.Delete(LazyTemp.Value, recursive: true);
        }
    }

    private static string Metadata(string key) =>
        typeof(Suite).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}

/// <summary>
/// Facts a benchmark checked while setting up (not timings): which generator outputs re-ran after an edit, how
/// many steps a cached re-run took from the cache. The report prints them beside the figures they qualify.
/// </summary>
public static class Findings
{
    private static readonly ConcurrentDictionary<string, string> Facts = new(StringComparer.Ordinal);

    public static void Record(string key, string fact) => Facts[key] = fact;

    public static string? Get(string key) => Facts.GetValueOrDefault(key);
}
