namespace PipelineSdk;

/// <summary>
/// Registers a materializer (a class deriving from <see cref="Values.ArtifactMaterializer{T}"/> with a public
/// parameterless constructor), so steps of this program — or of programs referencing this library — can take
/// and return its type as an artifact. The generator reads the attribute at compile time; nothing is looked up
/// at run time.
/// </summary>
/// <example><code>[assembly: PipelineSdkMaterializer(typeof(MlNetModelMaterializer), SchemaTitle = "system.Model")]</code></example>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true, Inherited = false)]
public sealed class PipelineSdkMaterializerAttribute(Type materializer) : Attribute
{
    /// <summary>The materializer class.</summary>
    public Type Materializer { get; } = materializer;

    /// <summary>The Kubeflow schema title of the stored artifacts; <c>system.Artifact</c> unless set (e.g. <c>system.Model</c>).</summary>
    public string SchemaTitle { get; set; } = "system.Artifact";

    /// <summary>
    /// Whether the values are step outputs only: the materializer stores them (e.g. metrics for Vertex AI) but cannot read
    /// them back, so the generator refuses the type as a step input (PSDK0005) and a run's result holds null for it.
    /// </summary>
    public bool OutputOnly { get; set; }
}
