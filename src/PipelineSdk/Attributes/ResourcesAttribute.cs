namespace PipelineSdk;

/// <summary>
/// The compute a step's container needs, written to the executor's <c>container.resources</c> the way the
/// Kubeflow compiler writes them (both the numeric and the <c>resource*</c> string fields), which is what
/// Vertex AI reads to pick a machine. Local orchestrators record nothing and enforce nothing.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class ResourcesAttribute : Attribute
{
    /// <summary>The CPU limit: a number of cores (<c>"2"</c>, <c>"0.5"</c>) or millicores (<c>"500m"</c>).</summary>
    public string? Cpu { get; set; }

    /// <summary>The memory limit: a number of bytes with an optional unit suffix (<c>"8G"</c>, <c>"512Mi"</c>; E, P, T, G, M, K and their *i forms).</summary>
    public string? Memory { get; set; }

    /// <summary>The CPU request, written like <see cref="Cpu"/>. Vertex AI sizes machines by the limits; Kubernetes-based backends also read requests.</summary>
    public string? CpuRequest { get; set; }

    /// <summary>The memory request, written like <see cref="Memory"/>.</summary>
    public string? MemoryRequest { get; set; }

    /// <summary>
    /// The accelerator type as Vertex AI names it, such as <c>NVIDIA_TESLA_T4</c>, <c>NVIDIA_L4</c> or <c>TPU_V3</c>
    /// (another name, e.g. Kubernetes' <c>nvidia.com/gpu</c>, is written as is, with warning PSDK0024).
    /// </summary>
    public string? Accelerator { get; set; }

    /// <summary>How many accelerators (1 or more). Requires <see cref="Accelerator"/>; defaults to 1 when it is set.</summary>
    public int AcceleratorCount { get; set; }
}
