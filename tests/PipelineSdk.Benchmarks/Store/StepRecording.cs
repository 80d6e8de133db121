using PipelineSdk.Artifacts;
using PipelineSdk.Store;

namespace PipelineSdk.Benchmarks.Store;

/// <summary>
/// What a step records, the same on every backend: its start, then its end with the input it consumed and the output it
/// produced — the writes the local orchestrator (or a step on Vertex AI) makes for a trivial step with caching off.
/// </summary>
internal static class StepRecording
{
    private static readonly string Hash = ContentHash.Of("1"u8);
    private static int s_runs;

    /// <summary>A run id no other invocation of this process uses.</summary>
    public static string NewRun(MetadataStore store, string pipeline)
    {
        var id = $"{pipeline}-{Environment.ProcessId}-{Interlocked.Increment(ref s_runs)}";
        store.CreateRun(id, pipeline, DateTimeOffset.UtcNow, "{}", "local");
        return id;
    }

    /// <summary>Records tasks <c>step-{first}</c> to <c>step-{first + count - 1}</c> of <paramref name="runId"/>.</summary>
    public static void Record(MetadataStore store, string runId, int first, int count)
    {
        for (var i = first; i < first + count; i++)
        {
            var task = $"step-{i}";
            var stepRunId = store.StartStepRun(runId, task, "increment", DateTimeOffset.UtcNow, $"{runId}-{i}", "{}", i > 0 ? [$"step-{i - 1}"] : []);
            store.FinishStepRun(stepRunId, StepStatus.Completed, DateTimeOffset.UtcNow, null,
                [new StepInputRecord("x", "constant", null, Hash)],
                [new NewArtifact("Output", $"file:///bench/{runId}/{task}/Output", "NUMBER_INTEGER", "int", 1, Hash)]);
        }
    }

    /// <summary>Records <paramref name="steps"/> steps of one run from <paramref name="writers"/> at once, each its share of the tasks.</summary>
    public static void RecordConcurrently(IReadOnlyList<MetadataStore> writers, string runId, int steps)
    {
        var share = steps / writers.Count;
        Parallel.For(0, writers.Count, new ParallelOptions { MaxDegreeOfParallelism = writers.Count },
            w => Record(writers[w], runId, w * share, w == writers.Count - 1 ? steps - (w * share) : share));
    }
}
