using BenchmarkDotNet.Attributes;
using PipelineSdk.Artifacts;
using PipelineSdk.Benchmarks.Infrastructure;
using PipelineSdk.Descriptors;
using PipelineSdk.Orchestration;
using PipelineSdk.Store;

namespace PipelineSdk.Benchmarks.Orchestration;

/// <summary>
/// Issue 9, target 3. The 1,000-step chain with caching on: a re-run in which every step is a cache hit, against
/// the first run of the same pipeline (every step a miss: it runs and records). Each measured run gets a store of
/// its own, holding nothing (first run) or exactly the first run (re-run).
/// </summary>
public class CachedRerunBenchmarks
{
    private static readonly IReadOnlyDictionary<string, object?> NoParameters = new Dictionary<string, object?>();
    private static readonly RunOptions CacheOn = new();

    private PipelineDescriptor _pipeline = null!;
    private MetadataStore? _store;
    private LocalOrchestrator _orchestrator = null!;
    private string _directory = null!;
    private int _iteration;

    public static IEnumerable<int> StepCounts => Suite.Smoke ? [20] : [1000];

    [ParamsSource(nameof(StepCounts))]
    public int Steps { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _pipeline = TrivialGraph.Create(GraphShape.Chain, Steps).ToDescriptor("bench-cached-chain", enableCache: true);
        OpenFreshStore();
        Run();
        var rerun = Run();
        var cached = rerun.Steps.Count(s => s.Status == StepStatus.Cached);
        Findings.Record($"cached.{Steps}", $"{cached} of {Steps} steps of the re-run came from the cache");
        CloseStore();
    }

    [IterationSetup(Target = nameof(FirstRun))]
    public void EmptyStore() => OpenFreshStore();

    [IterationSetup(Target = nameof(CachedRerun))]
    public void StoreWithOneRun()
    {
        OpenFreshStore();
        Run();
    }

    [IterationCleanup]
    public void CloseStore()
    {
        _store?.Dispose();
        _store = null;
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "first run (all misses)")]
    public PipelineRunResult FirstRun() => Run();

    [Benchmark(Description = "cached re-run (all hits)")]
    public PipelineRunResult CachedRerun() => Run();

    private PipelineRunResult Run() => _orchestrator.RunAsync(_pipeline, NoParameters, CacheOn).GetAwaiter().GetResult();

    private void OpenFreshStore()
    {
        _directory = Path.Combine(Suite.Temp, $"cached-{Steps}-{++_iteration}");
        _store = MetadataStore.Open(_directory);
        _orchestrator = new LocalOrchestrator(_store, new LocalArtifactStore(Path.Combine(_directory, "artifacts")));
    }
}
