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
}
