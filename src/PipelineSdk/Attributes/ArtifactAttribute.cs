namespace PipelineSdk;

/// <summary>
/// Gives a step output a name: each run that produces it records the name's next version (1, 2, …), which
/// <c>pipelines artifacts versions NAME</c> lists and <see cref="ArtifactRegistry"/>, <see cref="FromArtifactAttribute"/> and
/// <see cref="FromModelAttribute"/> load. Write it on the return value (<c>[return: Artifact("churn-model")]</c>), or, for an
/// element of a named tuple, on the method with <see cref="Output"/> set to the element's name. A step served by the cache
/// makes no new version: its outputs are the versions the cached run made.
/// </summary>
[AttributeUsage(AttributeTargets.ReturnValue | AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class ArtifactAttribute : Attribute
{
    /// <summary>Names an output <paramref name="name"/>.</summary>
    /// <param name="name">Lower-case letters, digits and hyphens, starting with a letter or digit (at most 128 characters).</param>
    public ArtifactAttribute(string name) => Name = name;

    /// <summary>The output's name across runs.</summary>
    public string Name { get; }

    /// <summary>Tags every new version gets (more can be added later with <c>pipelines artifacts tag</c>).</summary>
    public string[] Tags { get; set; } = [];

    /// <summary>For a step returning a named tuple: the element this name is for. Leave unset on a single return value.</summary>
    public string? Output { get; set; }

    /// <summary>
    /// Makes the output a promotion: each time the step runs, the version its content is goes to this stage (<c>staging</c> or
    /// <c>production</c>), the one there before to <c>archived</c>. Content that is already a version of the name (the candidate
    /// an earlier step registered) promotes that version; other content becomes a new version first. Recorded wherever the
    /// run is recorded (locally, through a team's server, or when a Vertex AI or Kubeflow run is recorded), as changed by the run.
    /// </summary>
    public string? Stage { get; set; }
}

/// <summary>
/// Fills a step parameter with a version of a named artifact when the step runs, instead of wiring it in the pipeline: the
/// pipeline's call leaves the parameter out. The version is found when the task starts, is part of the step's cache key and
/// is recorded as the step's input (lineage). A name or version that does not exist fails the step.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class FromArtifactAttribute : Attribute
{
    /// <summary>Loads a version of <paramref name="name"/>.</summary>
    public FromArtifactAttribute(string name) => Name = name;

    /// <summary>The artifact's name.</summary>
    public string Name { get; }

    /// <summary><c>latest</c> (the default), a version number (<c>"3"</c>), or a tag (the newest version with it).</summary>
    public string Version { get; set; } = Store.MetadataStore.LatestVersion;
}

/// <summary>
/// Fills a step parameter with the model version in a stage (by default <c>production</c>) when the step runs — the
/// deploy-if-better pattern compares a new model with it. The parameter is null when no version is in that stage (declare it
/// nullable, e.g. <c>Model? current</c>). Like <see cref="FromArtifactAttribute"/>, the pipeline's call leaves it out.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class FromModelAttribute : Attribute
{
    /// <summary>Loads the version of model <paramref name="name"/> in <see cref="Stage"/>.</summary>
    public FromModelAttribute(string name) => Name = name;

    /// <summary>The model's name (the name its versions' output carries).</summary>
    public string Name { get; }

    /// <summary><c>production</c> (the default), <c>staging</c>, <c>archived</c> or <c>none</c>.</summary>
    public string Stage { get; set; } = "production";
}
