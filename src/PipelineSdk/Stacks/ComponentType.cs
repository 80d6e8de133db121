namespace PipelineSdk.Stacks;

/// <summary>The kinds of component a stack is made of.</summary>
public enum ComponentType
{
    /// <summary>Runs the pipeline's tasks (local, local-process, vertex).</summary>
    Orchestrator,

    /// <summary>Holds the artifacts steps pass to each other (local, gcp).</summary>
    ArtifactStore,

    /// <summary>Receives the images of remote runs (default, gcp).</summary>
    ContainerRegistry,

    /// <summary>Holds secrets that settings reference as <c>{{secret.name.key}}</c> (local, gcp).</summary>
    SecretsManager,
}

/// <summary>Names of component types on the command line (<c>artifact-store</c>) and in tables (<c>ARTIFACT_STORE</c>).</summary>
public static class ComponentTypeNames
{
    /// <summary>Every component type, in the order stacks list them.</summary>
    public static IReadOnlyList<ComponentType> All { get; } =
        [ComponentType.ArtifactStore, ComponentType.ContainerRegistry, ComponentType.Orchestrator, ComponentType.SecretsManager];

    /// <summary><c>artifact-store</c>, <c>container-registry</c>, <c>orchestrator</c>, <c>secrets-manager</c>.</summary>
    public static string CommandName(this ComponentType type) => type switch
    {
        ComponentType.ArtifactStore => "artifact-store",
        ComponentType.ContainerRegistry => "container-registry",
        ComponentType.SecretsManager => "secrets-manager",
        _ => "orchestrator",
    };

    /// <summary><c>ARTIFACT_STORE</c>, ... as the stack table prints them.</summary>
    public static string TableName(this ComponentType type) => type.CommandName().Replace('-', '_').ToUpperInvariant();

    /// <summary>"an orchestrator", "a container-registry": the name with its article, for messages.</summary>
    public static string WithArticle(this ComponentType type) =>
        (type is ComponentType.Orchestrator or ComponentType.ArtifactStore ? "an " : "a ") + type.CommandName();

    /// <summary>Parses a command or table name.</summary>
    public static ComponentType? Parse(string name) =>
        All.Cast<ComponentType?>().FirstOrDefault(t => t!.Value.CommandName() == name || t.Value.TableName() == name);
}
