using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using PipelineSdk.Artifacts;
using PipelineSdk.Benchmarks.Infrastructure;
using PipelineSdk.Benchmarks.Orchestration;
using PipelineSdk.Descriptors;
using PipelineSdk.Orchestration;
using PipelineSdk.Store;
using PipelineSdk.Store.Sql;

namespace PipelineSdk.Benchmarks.Store;

/// <summary>
/// Issue 13. Per-step recording cost through a real server (HTTP to Kestrel on 127.0.0.1, SQLite behind it) against the
/// embedded SQLite store in this process: the same start and finish of each step of a run (recording only), and a whole
/// local run of a chain of trivial steps, caching off, recorded in each (what a program feels).
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class ServerRecordingBenchmarks
{
    private const string RecordingOnly = "recording only";
    private const string LocalRun = "a local run";
    private static readonly IReadOnlyDictionary<string, object?> NoParameters = new Dictionary<string, object?>();
    private static readonly RunOptions CacheOff = new() { EnableCache = false };

    private string _directory = null!;
    private MetadataStore _embedded = null!;
    private BenchServer _server = null!;
    private MetadataStore _client = null!;
    private PipelineDescriptor _pipeline = null!;
    private LocalOrchestrator _embeddedRun = null!;
    private LocalOrchestrator _serverRun = null!;

    public static IEnumerable<int> StepCounts => Suite.Smoke ? [5] : [200];

    [ParamsSource(nameof(StepCounts))]
    public int Steps { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Suite.Temp, $"server-recording-{Steps}");
        _embedded = SqlMetadataStore.OpenSqlite(Path.Combine(_directory, "embedded"));
        _server = BenchServer.Start(_directory);
        _client = _server.Client();
        _pipeline = TrivialGraph.Create(GraphShape.Chain, Steps).ToDescriptor("bench-server-run", enableCache: false);
        _embeddedRun = new LocalOrchestrator(_embedded, new LocalArtifactStore(Path.Combine(_directory, "embedded", "artifacts")));
        _serverRun = new LocalOrchestrator(_client, new LocalArtifactStore(Path.Combine(_directory, "client-artifacts")));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _embedded.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [BenchmarkCategory(RecordingOnly), Benchmark(Baseline = true, Description = "embedded SQLite store")]
    public void Embedded() => Record(_embedded);

    [BenchmarkCategory(RecordingOnly), Benchmark(Description = "through the server")]
    public void ThroughServer() => Record(_client);

    [BenchmarkCategory(LocalRun), Benchmark(Baseline = true, Description = "embedded SQLite store")]
    public int RunEmbedded() => _embeddedRun.RunAsync(_pipeline, NoParameters, CacheOff).GetAwaiter().GetResult().Steps.Count;

    [BenchmarkCategory(LocalRun), Benchmark(Description = "through the server")]
    public int RunThroughServer() => _serverRun.RunAsync(_pipeline, NoParameters, CacheOff).GetAwaiter().GetResult().Steps.Count;

    private void Record(MetadataStore store)
    {
        var run = StepRecording.NewRun(store, "bench-recording");
        StepRecording.Record(store, run, 0, Steps);
        store.EndRun(run, RunStatus.Completed, DateTimeOffset.UtcNow, null);
    }
}
