namespace PipelineSdk;

/// <summary>
/// Marks a static method whose body describes a pipeline: step calls, locals that carry step outputs to
/// later calls, literals, and the method's parameters (defaults allowed) as pipeline parameters.
/// The generator turns it into a Kubeflow v2 spec, a typed DAG and a typed runner
/// (<c>Pipelines.&lt;MethodName&gt;.RunAsync(...)</c> in the same namespace).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class PipelineAttribute : Attribute
{
    /// <summary>
    /// Default caching for the pipeline's steps. A step's own <see cref="StepAttribute.EnableCache"/>, when set,
    /// takes precedence. Defaults to <c>true</c>.
    /// </summary>
    public bool EnableCache { get; set; } = true;

    /// <summary>
    /// The pipeline name in the spec and on Vertex AI (<c>[a-z0-9][a-z0-9-]*</c>, at most 128 characters).
    /// Defaults to the method name in kebab-case.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>
    /// The most iterations of each <c>foreach</c> loop in this pipeline that run at once (<c>iteratorPolicy.parallelismLimit</c>).
    /// 0, the default: no limit. One loop can set its own with <see cref="Loops.WithParallelism{T}(IEnumerable{T}, int)"/>.
    /// </summary>
    public int LoopParallelism { get; set; }

    /// <summary>
    /// The experiment this pipeline's runs are recorded in (<c>[a-z0-9][a-z0-9-]*</c>, at most 128 characters; on Vertex AI the
    /// Vertex AI Experiment the run is associated with). A run can name another with <c>--experiment</c>. Default: none.
    /// </summary>
    public string? Experiment { get; set; }
}
