using BenchmarkDotNet.Attributes;
using PipelineSdk.Artifacts;
using PipelineSdk.Benchmarks.Infrastructure;
using PipelineSdk.Descriptors;
using PipelineSdk.Orchestration;
using PipelineSdk.Store;

namespace PipelineSdk.Benchmarks.Orchestration;

/// <summary>
/// Issue 9, target 6. Per-step orchestration cost of a chain of 10, 100, 1,000 and 10,000 trivial steps, caching
/// off, against the hand-written floor at the same size; the report divides by the step count to draw the curve.
/// </summary>
public class ScaleBenchmarks
{
    private static readonly IReadOnlyDictionary<string, object?> NoParameters = new Dictionary<string, object?>();
    private static readonly RunOptions CacheOff = new() { EnableCache = false };

    private TrivialGraph _graph = null!;
    private PipelineDescriptor _pipeline = null!;
    private string _directory = null!;
    private MetadataStore _store = null!;
    private LocalArtifactStore _artifacts = null!;
    private LocalOrchestrator _orchestrator = null!;
    private HandWrittenRecorder _floor = null!;

    public static IEnumerable<int> StepCounts => Suite.Smoke ? [10] : [10, 100, 1000, 10000];

    [ParamsSource(nameof(StepCounts))]
    public int Steps { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _graph = TrivialGraph.Create(GraphShape.Chain, Steps);
        _pipeline = _graph.ToDescriptor("bench-scale", enableCache: false);
        _directory = Path.Combine(Suite.Temp, $"scale-{Steps}");
        _store = MetadataStore.Open(Path.Combine(_directory, "sdk"));
        _artifacts = new LocalArtifactStore(Path.Combine(_directory, "sdk", "artifacts"));
        _orchestrator = new LocalOrchestrator(_store, _artifacts);
        _floor = new HandWrittenRecorder(Path.Combine(_directory, "floor"));
    }

    [IterationCleanup]
    public void DeleteArtifacts()
    {
        foreach (var root in new[] { _artifacts.Root, _floor.ArtifactsRoot })
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _floor.Dispose();
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "hand-written: same files and rows")]
    public long HandWrittenFloor() => _floor.Run(_graph, _pipeline.Name);

    [Benchmark(Description = "PipelineSdk local orchestrator")]
    public async Task<int> PipelineSdkLocal()
    {
        var run = await _orchestrator.RunAsync(_pipeline, NoParameters, CacheOff).ConfigureAwait(false);
        return run.Steps.Count;
    }
}
