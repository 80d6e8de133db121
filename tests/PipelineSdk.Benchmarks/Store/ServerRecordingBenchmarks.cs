using BenchmarkDotNet.Attributes;
using PipelineSdk.Benchmarks.Infrastructure;
using PipelineSdk.Store;
using PipelineSdk.Store.Sql;

namespace PipelineSdk.Benchmarks.Store;

/// <summary>
/// Issue 13. Per-step recording cost through a real server (HTTP to Kestrel on 127.0.0.1, SQLite behind it) against the
/// embedded SQLite store in this process: the same start and finish of each step of a run.
/// </summary>
public class ServerRecordingBenchmarks
{
    private string _directory = null!;
    private MetadataStore _embedded = null!;
    private BenchServer _server = null!;
    private MetadataStore _client = null!;

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
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _embedded.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "embedded SQLite store")]
    public void Embedded() => Record(_embedded);

    [Benchmark(Description = "through the server")]
    public void ThroughServer() => Record(_client);

    private void Record(MetadataStore store)
    {
        var run = StepRecording.NewRun(store, "bench-recording");
        StepRecording.Record(store, run, 0, Steps);
        store.EndRun(run, RunStatus.Completed, DateTimeOffset.UtcNow, null);
    }
}
