using BenchmarkDotNet.Attributes;
using PipelineSdk.Benchmarks.Infrastructure;
using PipelineSdk.Store;

namespace PipelineSdk.Benchmarks.Store;

/// <summary>
/// Issue 13. One run of 1,000 steps recorded on one server by 8 clients at once (each its own connection, an eighth of the
/// tasks), against one client recording the same 1,000 steps in sequence. Afterwards every run is checked complete.
/// </summary>
public class ConcurrentClientsBenchmarks
{
    private const int Clients = 8;

    private readonly List<string> _runs = [];
    private string _directory = null!;
    private BenchServer _server = null!;
    private List<MetadataStore> _clients = null!;

    public static IEnumerable<int> StepCounts => Suite.Smoke ? [16] : [1000];

    [ParamsSource(nameof(StepCounts))]
    public int Steps { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Suite.Temp, $"server-concurrent-{Steps}");
        _server = BenchServer.Start(_directory);
        _clients = [.. Enumerable.Range(0, Clients).Select(_ => (MetadataStore)_server.Client())];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        var complete = _runs.Count(run => _clients[0].GetStepRuns(run) is { } steps && steps.Count == Steps && steps.All(s => s.Status == StepStatus.Completed));
        Findings.Record($"server.concurrent.{Steps}", $"{complete} of {_runs.Count} runs had all {Steps:N0} step runs recorded, completed");
        _clients.ForEach(c => c.Dispose());
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "1 client, steps in sequence")]
    public void OneClient()
    {
        var run = StepRecording.NewRun(_clients[0], "bench-concurrent");
        _runs.Add(run);
        StepRecording.Record(_clients[0], run, 0, Steps);
    }

    [Benchmark(Description = "8 clients at once")]
    public void EightClients()
    {
        var run = StepRecording.NewRun(_clients[0], "bench-concurrent");
        _runs.Add(run);
        StepRecording.RecordConcurrently(_clients, run, Steps);
    }
}
