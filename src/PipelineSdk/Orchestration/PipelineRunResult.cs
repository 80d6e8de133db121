using PipelineSdk.Store;

namespace PipelineSdk.Orchestration;

/// <summary>What happened to one task of a run.</summary>
public sealed class StepRunResult
{
    internal StepRunResult(string taskKey, string stepName, StepStatus status, TimeSpan? duration,
        IReadOnlyDictionary<string, object?> outputs, IReadOnlyDictionary<string, ArtifactRecord> artifacts, string? error, Exception? exception)
    {
        TaskKey = taskKey;
        StepName = stepName;
        Status = status;
        Duration = duration;
        Outputs = outputs;
        Artifacts = artifacts;
        Error = error;
        Exception = exception;
    }

    /// <summary>The task key, e.g. <c>get-first-num</c>.</summary>
    public string TaskKey { get; }

    /// <summary>The step (component) name.</summary>
    public string StepName { get; }

    /// <summary>Completed, Cached, Failed, NotRun or NotTriggered.</summary>
    public StepStatus Status { get; }

    /// <summary>How long the step took (for a cached step: the lookup).</summary>
    public TimeSpan? Duration { get; }

    /// <summary>Output values by output name; empty unless the step completed or came from the cache.</summary>
    public IReadOnlyDictionary<string, object?> Outputs { get; }

    /// <summary>The stored artifacts of the outputs, by output name.</summary>
    public IReadOnlyDictionary<string, ArtifactRecord> Artifacts { get; }

    /// <summary>One line on why the step failed or did not run.</summary>
    public string? Error { get; }

    /// <summary>The exception the step threw, if it failed in this process.</summary>
    public Exception? Exception { get; }

    /// <summary>
    /// How many times the step ran in this run: 1, more when <see cref="RetryAttribute"/> retried failed attempts, 0 when
    /// it came from the cache or did not run.
    /// </summary>
    public int Attempts { get; internal init; }

    /// <summary>Whether outputs are available (the step completed or came from the cache).</summary>
    public bool Succeeded => Status is StepStatus.Completed or StepStatus.Cached;
}

/// <summary>The outcome of a pipeline run: its id, status, every task and where its records live.</summary>
public class PipelineRunResult
{
    private readonly Dictionary<string, StepRunResult> _byTask;

    internal PipelineRunResult(string runId, string pipeline, RunStatus status, TimeSpan duration, string storeDirectory, string artifactDirectory, IReadOnlyList<StepRunResult> steps, StepRunResult? pipelineOutput = null, IReadOnlyList<StepRunResult>? calls = null)
    {
        PipelineOutput = pipelineOutput;
        Calls = calls ?? [];
        RunId = runId;
        Pipeline = pipeline;
        Status = status;
        Duration = duration;
        StoreDirectory = storeDirectory;
        ArtifactDirectory = artifactDirectory;
        Steps = steps;
        _byTask = steps.Concat(Calls).ToDictionary(s => s.TaskKey, StringComparer.Ordinal);
    }

    /// <summary>Copies a result, for generated typed results.</summary>
    protected PipelineRunResult(PipelineRunResult other)
        : this(other.RunId, other.Pipeline, other.Status, other.Duration, other.StoreDirectory, other.ArtifactDirectory, other.Steps, other.PipelineOutput, other.Calls)
    {
        Mask = other.Mask;
    }

    /// <summary>Secret values the run resolved, to mask in what is printed about it; null when there are none.</summary>
    internal Stacks.SecretMask? Mask { get; init; }

    /// <summary>The pipeline's returned value, as the output <c>Output</c> of a pseudo-task; null when it returns nothing or the run did not produce it.</summary>
    internal StepRunResult? PipelineOutput { get; }

    /// <summary>Calls of other pipelines that returned a value, as pseudo-tasks whose output <c>Output</c> is that value.</summary>
    internal IReadOnlyList<StepRunResult> Calls { get; }

    /// <summary>Reads the pipeline's returned value; for generated typed results.</summary>
    /// <exception cref="InvalidOperationException">The run did not produce it.</exception>
    protected T GetPipelineOutput<T>() =>
        PipelineOutput is { Succeeded: true } output && output.Outputs.TryGetValue("Output", out var value)
            ? (T)value!
            : throw new InvalidOperationException($"Run {RunId} of pipeline '{Pipeline}' has no returned value: {(Status == RunStatus.Completed ? "it returns nothing" : "it did not complete")}.");

    /// <summary>The run id (also the artifact folder name).</summary>
    public string RunId { get; }

    /// <summary>The pipeline name.</summary>
    public string Pipeline { get; }

    /// <summary>Completed, Failed or Cancelled.</summary>
    public RunStatus Status { get; }

    /// <summary>Wall-clock time of the whole run.</summary>
    public TimeSpan Duration { get; }

    /// <summary>The store folder (metadata database and artifacts).</summary>
    public string StoreDirectory { get; }

    /// <summary>The folder holding this run's new artifacts.</summary>
    public string ArtifactDirectory { get; }

    /// <summary>Every task, in the pipeline's order.</summary>
    public IReadOnlyList<StepRunResult> Steps { get; }

    /// <summary>The result of one task.</summary>
    /// <exception cref="KeyNotFoundException">The pipeline has no such task.</exception>
    public StepRunResult this[string taskKey] => _byTask.TryGetValue(taskKey, out var step)
        ? step
        : throw new KeyNotFoundException($"Pipeline '{Pipeline}' has no task '{taskKey}'; its tasks are {string.Join(", ", _byTask.Keys)}.");

    /// <summary>Reads one output of one task.</summary>
    /// <exception cref="InvalidOperationException">The task failed or did not run, so it has no outputs.</exception>
    public T GetOutput<T>(string taskKey, string outputName = "Output")
    {
        var step = this[taskKey];
        if (!step.Succeeded)
        {
            throw new InvalidOperationException($"Task '{taskKey}' of run {RunId} has no outputs: it {Describe(step)}.");
        }

        return step.Outputs.TryGetValue(outputName, out var value)
            ? (T)value!
            : throw new KeyNotFoundException($"Task '{taskKey}' has no output '{outputName}'; its outputs are {string.Join(", ", step.Outputs.Keys)}.");
    }

    private static string Describe(StepRunResult step) => step.Status switch
    {
        StepStatus.Failed => $"failed ({step.Error})",
        StepStatus.NotRun => $"did not run ({step.Error})",
        StepStatus.NotTriggered => $"was not triggered ({step.Error})",
        _ => step.Status.ToString().ToLowerInvariant(),
    };
}
