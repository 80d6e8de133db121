namespace PipelineSdk.Orchestration;

/// <summary>What a dry run predicts for one task.</summary>
public enum TaskForecast
{
    /// <summary>Its outputs will come from the cache: a completed step run has the same cache key and its outputs exist.</summary>
    Cached,

    /// <summary>It will run; <see cref="TaskPrediction.Reason"/> says why the cache cannot serve it.</summary>
    Runs,

    /// <summary>It depends on the output of a task that runs first, so only the run can tell whether the cache serves it.</summary>
    DecidedAtRunTime,

    /// <summary>The condition of its branch is already known to be false.</summary>
    NotTriggered,
}

/// <summary>The prediction for one task of a dry run.</summary>
/// <param name="TaskKey">The task key as runs show it.</param>
/// <param name="Forecast">What will happen.</param>
/// <param name="Reason">Why, in a sentence (the cache entry reused, the part of the key that changed, the task waited for).</param>
public sealed record TaskPrediction(string TaskKey, TaskForecast Forecast, string Reason);

/// <summary>What a run of a pipeline would do now, computed without running or recording anything.</summary>
/// <param name="Pipeline">The pipeline.</param>
/// <param name="Orchestrator">The orchestrator flavor the prediction is for.</param>
/// <param name="Tasks">One prediction per task, in the order the tasks would be decided.</param>
public sealed record RunPlan(string Pipeline, string Orchestrator, IReadOnlyList<TaskPrediction> Tasks);
