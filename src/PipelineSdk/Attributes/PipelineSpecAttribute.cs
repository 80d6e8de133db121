using System.ComponentModel;

namespace PipelineSdk;

/// <summary>
/// Carries a generated pipeline spec in the assembly's metadata, so the build can write
/// <c>pipelines/&lt;name&gt;.json</c> without running user code. Emitted by the generator; not for hand use.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true, Inherited = false)]
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class PipelineSpecAttribute(string pipelineName, string specJson) : Attribute
{
    /// <summary>The pipeline's name in the spec.</summary>
    public string PipelineName { get; } = pipelineName;

    /// <summary>The Kubeflow v2 PipelineSpec as JSON.</summary>
    public string SpecJson { get; } = specJson;
}
