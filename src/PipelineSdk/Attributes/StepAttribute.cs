namespace PipelineSdk;

/// <summary>
/// Marks a static method as a pipeline step. Its parameters are the step's inputs; its return value
/// (or each element of a named tuple) is its output. <c>Task</c>/<c>ValueTask</c> results are awaited and a
/// <see cref="System.Threading.CancellationToken"/> parameter is supplied by the runtime, not wired.
/// Calling the method directly stays plain C#, so steps remain unit-testable.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class StepAttribute : Attribute
{
    /// <summary>
    /// Whether a run may reuse this step's recorded outputs when its code, inputs and settings are unchanged.
    /// Defaults to <c>true</c>; set <c>false</c> for steps with side effects or randomness.
    /// When set, it wins over <see cref="PipelineAttribute.EnableCache"/>.
    /// </summary>
    public bool EnableCache { get; set; } = true;

    /// <summary>
    /// The component name in the generated spec (kebab-case, e.g. <c>load-data</c>).
    /// Defaults to the method name in kebab-case.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>
    /// The task's name as Vertex AI and <c>pipelines runs show</c> display it (the task's <c>taskInfo.name</c>, like
    /// KFP's <c>set_display_name</c>). Any text up to 128 characters. Defaults to the task key.
    /// </summary>
    public string? DisplayName { get; set; }

    /// <summary>
    /// A container image to run this step in instead of the program's own image. The image must contain this same
    /// program at <c>/app</c> (built from the same code, e.g. on a CUDA base image): every step runs the program in
    /// step mode. Vertex image publishing leaves it as written; local orchestrators run this program as usual.
    /// </summary>
    public string? Image { get; set; }

    /// <summary>
    /// How long one attempt of the step may run — hours, minutes and seconds such as <c>"90s"</c>, <c>"30m"</c> or
    /// <c>"1h30m"</c>, at most a week. The step program enforces it wherever the step runs (in process, as a local process,
    /// in a Vertex AI or Kubeflow container): an attempt that runs longer fails with "step 'train' timed out after 30m",
    /// and <see cref="RetryAttribute"/> retries it like any failure, each attempt with the whole timeout. No timeout by default.
    /// </summary>
    public string? Timeout { get; set; }
}
