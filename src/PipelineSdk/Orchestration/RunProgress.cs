namespace PipelineSdk.Orchestration;

/// <summary>The state of one task as a run is watched.</summary>
public enum TaskState
{
    /// <summary>Scheduled; waiting for the tasks it depends on or for a free slot.</summary>
    Queued,

    /// <summary>Running its first attempt.</summary>
    Running,

    /// <summary>An attempt failed and a later one is running (see <see cref="TaskProgress.Attempt"/>).</summary>
    Retrying,

    /// <summary>Its outputs came from the cache.</summary>
    Cached,

    /// <summary>It ran and its outputs were stored.</summary>
    Done,

    /// <summary>It failed (every attempt).</summary>
    Failed,

    /// <summary>The condition of its branch was false.</summary>
    NotTriggered,

    /// <summary>It did not run: a task it depends on failed, or the run was cancelled.</summary>
    NotRun,
}

/// <summary>One change of a task's state.</summary>
/// <param name="TaskKey">The task key as runs show it (<c>train[2]</c>, <c>inner/load</c>).</param>
/// <param name="State">The new state.</param>
/// <param name="At">When it changed.</param>
public sealed record TaskProgress(string TaskKey, TaskState State, DateTimeOffset At)
{
    /// <summary>The attempt running (from 1) for <see cref="TaskState.Running"/> and <see cref="TaskState.Retrying"/>.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>How many attempts the task may take (1 without a retry policy).</summary>
    public int MaxAttempts { get; init; } = 1;

    /// <summary>How long it ran, for the end states.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Why it failed, did not run, or is being retried.</summary>
    public string? Detail { get; init; }
}

/// <summary>
/// Hears what a run does while it runs: orchestrators report task state changes, step output lines and notes
/// (a submitted job, its link), and a renderer draws them. Calls may come from several threads at once.
/// </summary>
public interface IRunProgress
{
    /// <summary>The run has an id and its tasks are about to be scheduled.</summary>
    void RunStarted(string runId, string pipeline);

    /// <summary>A task changed state.</summary>
    void TaskChanged(TaskProgress change);

    /// <summary>A line a step wrote to its standard output or error (only when step logs are followed).</summary>
    void StepLog(string taskKey, string line);

    /// <summary>A note for people that is not about one task (the job was submitted, the image is up to date, ...).</summary>
    void Message(string text);
}

/// <summary>Hears nothing: the progress of runs nobody watches.</summary>
public sealed class NoRunProgress : IRunProgress
{
    /// <summary>The one instance.</summary>
    public static NoRunProgress Instance { get; } = new();

    private NoRunProgress()
    {
    }

    /// <inheritdoc />
    public void RunStarted(string runId, string pipeline)
    {
    }

    /// <inheritdoc />
    public void TaskChanged(TaskProgress change)
    {
    }

    /// <inheritdoc />
    public void StepLog(string taskKey, string line)
    {
    }

    /// <inheritdoc />
    public void Message(string text)
    {
    }
}
