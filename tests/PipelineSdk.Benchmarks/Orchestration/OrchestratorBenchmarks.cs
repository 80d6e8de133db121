using BenchmarkDotNet.Attributes;
using PipelineSdk.Artifacts;
using PipelineSdk.Benchmarks.Infrastructure;
using PipelineSdk.Descriptors;
using PipelineSdk.Orchestration;
using PipelineSdk.Store;

namespace PipelineSdk.Benchmarks.Orchestration;

/// <summary>
/// Issue 9, target 2. A 1,000-step chain and a 1,000-wide fan-out of trivial steps, caching off, metadata on,
/// run by the in-process PipelineSdk orchestrator; against the hand-written floor (the same files and rows, the
/// baseline), direct calls, TPL Dataflow and WorkflowCore (in-memory persistence) running the same graph.
/// </summary>
public class OrchestratorBenchmarks
{
    private static readonly IReadOnlyDictionary<string, object?> NoParameters = new Dictionary<string, object?>();
    private static readonly RunOptions CacheOff = new() { EnableCache = false };
    private static readonly HashSet<(GraphShape, int)> Checked = [];

    private TrivialGraph _graph = null!;
    private PipelineDescriptor _pipeline = null!;
    private string _directory = null!;
    private MetadataStore _store = null!;
    private LocalOrchestrator _orchestrator = null!;
    private LocalArtifactStore _artifacts = null!;
    private HandWrittenRecorder _floor = null!;
    private WorkflowCoreEngine _workflowCore = null!;

    public static IEnumerable<int> StepCounts => Suite.Smoke ? [20] : [1000];

    [Params(GraphShape.Chain, GraphShape.FanOut)]
    public GraphShape Shape { get; set; }

    /// <summary>Tasks in the graph (the fan-out has one source and <c>Steps - 1</c> increments).</summary>
    [ParamsSource(nameof(StepCounts))]
    public int Steps { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _graph = TrivialGraph.Create(Shape, Steps);
        _pipeline = _graph.ToDescriptor($"bench-{Shape.ToString().ToLowerInvariant()}", enableCache: false);
        _directory = Path.Combine(Suite.Temp, $"orchestrator-{Shape}-{Steps}");
        _store = MetadataStore.Open(Path.Combine(_directory, "sdk"));
        _artifacts = new LocalArtifactStore(Path.Combine(_directory, "sdk", "artifacts"));
        _orchestrator = new LocalOrchestrator(_store, _artifacts);
        _floor = new HandWrittenRecorder(Path.Combine(_directory, "floor"));
        _workflowCore = new WorkflowCoreEngine();
        _workflowCore.Register(_pipeline.Name, _graph);

        if (!Checked.Add((Shape, Steps)))
        {
            return;
        }

        // Once per graph: every engine computes the same result, so they all run the same graph.
        var expected = OtherEngines.DirectCalls(_graph);
        Check("hand-written floor", _floor.Run(_graph, _pipeline.Name), expected);
        Check("TPL Dataflow", OtherEngines.TplDataflowAsync(_graph).GetAwaiter().GetResult(), expected);
        Check("WorkflowCore", _workflowCore.RunAsync(_pipeline.Name, _graph).GetAwaiter().GetResult(), expected);
        var run = _orchestrator.RunAsync(_pipeline, NoParameters, CacheOff).GetAwaiter().GetResult();
        Check("PipelineSdk", run.Steps.Count(s => s.Status == StepStatus.Completed), Steps);
    }

    [IterationCleanup]
    public void DeleteArtifacts()
    {
        // Rows stay (a store grows with use); files go, so the disk does not fill up over iterations.
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
        _workflowCore.Dispose();
        _floor.Dispose();
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "hand-written: same files and rows")]
    public long HandWrittenFloor() => _floor.Run(_graph, _pipeline.Name);

    [Benchmark(Description = "direct calls")]
    public long DirectCalls() => OtherEngines.DirectCalls(_graph);

    [Benchmark(Description = "TPL Dataflow")]
    public Task<long> TplDataflow() => OtherEngines.TplDataflowAsync(_graph);

    [Benchmark(Description = "WorkflowCore, in-memory")]
    public Task<long> WorkflowCore() => _workflowCore.RunAsync(_pipeline.Name, _graph);

    [Benchmark(Description = "PipelineSdk local orchestrator")]
    public async Task<int> PipelineSdkLocal()
    {
        var run = await _orchestrator.RunAsync(_pipeline, NoParameters, CacheOff).ConfigureAwait(false);
        return run.Steps.Count;
    }

    internal static void Check(string engine, long actual, long expected)
    {
        if (actual != expected)
        {
            throw new InvalidOperationException($"{engine} computed {actual}, expected {expected}: it does not run the same graph.");
        }
    }
}
