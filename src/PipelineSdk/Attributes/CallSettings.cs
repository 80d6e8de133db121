namespace PipelineSdk;

/// <summary>
/// Settings for one call of a step (or of another pipeline) in a pipeline body, chained on the call:
/// <c>var model = Train(data).WithRetry(3).WithDisplayName("Train (large)");</c>. They override the step's attributes
/// for that task only, as KFP's task methods (<c>set_retry</c>, <c>set_caching_options</c>, ...) do. Every argument is
/// a constant, except the resource quantities of <see cref="WithResources"/>, which may also be string pipeline
/// parameters. Called as plain C#, each returns the step's result unchanged.
/// </summary>
public static class CallSettings
{
    /// <summary>Turns caching on or off for this task (<c>set_caching_options</c>; <c>cachingOptions</c>). On a called pipeline, for every task in it.</summary>
    /// <param name="result">The step call.</param>
    /// <param name="enabled">Whether a run may reuse this task's recorded outputs.</param>
    public static T WithCaching<T>(this T result, bool enabled) => result;

    /// <summary>The task's name as Vertex AI shows it (<c>set_display_name</c>; <c>taskInfo.name</c>).</summary>
    /// <param name="result">The step call.</param>
    /// <param name="displayName">Any text up to 128 characters.</param>
    public static T WithDisplayName<T>(this T result, string displayName) => result;

    /// <summary>Retries failed attempts of this task (<c>set_retry</c>; <c>retryPolicy</c>), as <see cref="RetryAttribute"/> does for every call.</summary>
    /// <param name="result">The step call.</param>
    /// <param name="maxRetries">Retries after the first attempt.</param>
    /// <param name="backoffSeconds">The wait before the first retry, in seconds.</param>
    /// <param name="backoffFactor">How much longer each wait is than the one before (at least 1).</param>
    /// <param name="maxBackoffSeconds">The longest single wait, at most 3600 seconds.</param>
    public static T WithRetry<T>(this T result, int maxRetries, int backoffSeconds = 0, double backoffFactor = 2.0, int maxBackoffSeconds = 3600) => result;

    /// <summary>Sets an environment variable in this task's container (<c>set_env_variable</c>); chain it once per variable.</summary>
    /// <param name="result">The step call.</param>
    /// <param name="name">The variable's name: letters, digits and underscores, not starting with a digit.</param>
    /// <param name="value">Its value, passed as written.</param>
    public static T WithEnv<T>(this T result, string name, string value) => result;

    /// <summary>
    /// The compute this task's container asks for (<c>set_cpu_limit</c>, <c>set_memory_limit</c>, <c>set_cpu_request</c>,
    /// <c>set_memory_request</c>, <c>set_accelerator_type</c>, <c>set_accelerator_limit</c>). A quantity is a constant
    /// or a string pipeline parameter, which Vertex AI reads when the task starts.
    /// </summary>
    /// <param name="result">The step call.</param>
    /// <param name="cpu">CPU limit: cores (<c>"2"</c>, <c>"0.5"</c>) or millicores (<c>"500m"</c>).</param>
    /// <param name="memory">Memory limit: a whole number with an optional unit (<c>"8G"</c>, <c>"512Mi"</c>).</param>
    /// <param name="cpuRequest">CPU request, as <paramref name="cpu"/>.</param>
    /// <param name="memoryRequest">Memory request, as <paramref name="memory"/>.</param>
    /// <param name="accelerator">Accelerator type, e.g. <c>"NVIDIA_TESLA_T4"</c>.</param>
    /// <param name="acceleratorCount">Number of accelerators (<c>"1"</c> when an accelerator is named without one).</param>
    public static T WithResources<T>(this T result, string? cpu = null, string? memory = null, string? cpuRequest = null, string? memoryRequest = null, string? accelerator = null, string? acceleratorCount = null) => result;

    /// <summary>How long one attempt of this task may run (<c>"30m"</c>, <c>"1h30m"</c>), as <see cref="StepAttribute.Timeout"/> sets it for every call.</summary>
    /// <param name="result">The step call.</param>
    /// <param name="timeout">Hours, minutes and seconds, like <c>"90s"</c>, <c>"30m"</c> or <c>"2h"</c>; at most a week.</param>
    public static T WithTimeout<T>(this T result, string timeout) => result;

    /// <summary>Runs this task in another image that contains this same program at <c>/app</c>, as <see cref="StepAttribute.Image"/> does for every call.</summary>
    /// <param name="result">The step call.</param>
    /// <param name="image">An image reference such as <c>"us-docker.pkg.dev/project/repo/app:tag"</c>.</param>
    public static T WithImage<T>(this T result, string image) => result;

    /// <summary>
    /// Runs this task only after the tasks that produced <paramref name="tasks"/> have finished, though it takes none of
    /// their outputs (KFP's <c>task.after(...)</c>; <c>dependentTasks</c>). Pass locals holding step outputs, or
    /// <see cref="StepCall"/>s of steps that return nothing.
    /// </summary>
    /// <param name="result">The step call.</param>
    /// <param name="tasks">Outputs of earlier calls in the same pipeline body.</param>
    public static T After<T>(this T result, params object?[] tasks) => result;
}

/// <summary>
/// A call of a step that returns nothing, as a value: settings can be chained on it and later calls can wait for it
/// (<c>var notify = StepCall.Of(() => Notify(channel)).WithRetry(2);</c> then <c>Publish(x).After(notify);</c>).
/// </summary>
public sealed class StepCall
{
    private StepCall()
    {
    }

    /// <summary>Stands for the step call in <paramref name="call"/>. Called as plain C#, it calls the step.</summary>
    /// <param name="call">A lambda whose body is exactly one step call.</param>
    public static StepCall Of(Action call)
    {
        ArgumentNullException.ThrowIfNull(call);
        call();
        return new StepCall();
    }
}
