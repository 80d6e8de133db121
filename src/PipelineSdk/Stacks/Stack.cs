namespace PipelineSdk.Stacks;

/// <summary>A registered component: a named, configured flavor of a component type.</summary>
/// <param name="Type">The component type.</param>
/// <param name="Name">Its name, unique per type.</param>
/// <param name="Flavor">Its flavor.</param>
/// <param name="Settings">Its settings as given (secret references stay references).</param>
public sealed record Component(ComponentType Type, string Name, string Flavor, IReadOnlyDictionary<string, string> Settings)
{
    /// <summary>The flavor's definition.</summary>
    public FlavorDefinition Definition => Flavors.Find(Type, Flavor)
        ?? throw new StackException($"The {Type.CommandName()} '{Name}' has flavor '{Flavor}', which this version of PipelineSdk does not know; update PipelineSdk.");

    /// <summary>A setting's value, else the flavor's default.</summary>
    public string? Setting(string name) =>
        Settings.TryGetValue(name, out var value) ? value : Definition.Settings.FirstOrDefault(s => s.Name == name)?.Default;
}

/// <summary>A stack: at most one component of each type.</summary>
/// <param name="Name">The stack's name.</param>
/// <param name="Components">Its components by type.</param>
public sealed record Stack(string Name, IReadOnlyDictionary<ComponentType, Component> Components)
{
    /// <summary>The stack every store starts with: the local orchestrator and local artifact store.</summary>
    public const string DefaultName = "default";

    /// <summary>The stack's orchestrator.</summary>
    public Component Orchestrator => Components[ComponentType.Orchestrator];

    /// <summary>The stack's artifact store.</summary>
    public Component ArtifactStore => Components[ComponentType.ArtifactStore];

    /// <summary>The stack's component of <paramref name="type"/>, if it has one.</summary>
    public Component? Get(ComponentType type) => Components.GetValueOrDefault(type);

    /// <summary>What a stack made of <paramref name="components"/> lacks or combines wrongly, one line each.</summary>
    public static IReadOnlyList<string> Validate(IReadOnlyDictionary<ComponentType, Component> components)
    {
        var problems = new List<string>();
        if (!components.TryGetValue(ComponentType.Orchestrator, out var orchestrator))
        {
            problems.Add("a stack needs an orchestrator (-o NAME)");
        }

        if (!components.TryGetValue(ComponentType.ArtifactStore, out var artifactStore))
        {
            problems.Add("a stack needs an artifact store (-a NAME)");
        }

        if (orchestrator?.Flavor == "vertex")
        {
            if (artifactStore is not null && artifactStore.Flavor != "gcp")
            {
                problems.Add($"the vertex orchestrator '{orchestrator.Name}' needs a gcp artifact store, and '{artifactStore.Name}' is {artifactStore.Flavor}; register one with `pipelines artifact-store register NAME --flavor=gcp --path=gs://BUCKET`");
            }

            if (!components.ContainsKey(ComponentType.ContainerRegistry))
            {
                problems.Add($"the vertex orchestrator '{orchestrator.Name}' needs a container registry for its images (-c NAME)");
            }
        }
        else if (orchestrator?.Flavor == "kubeflow")
        {
            if (artifactStore is not null && artifactStore.Flavor is not ("s3" or "gcp"))
            {
                problems.Add($"the kubeflow orchestrator '{orchestrator.Name}' needs an artifact store Kubeflow can read (s3 for MinIO or S3, or gcp), and '{artifactStore.Name}' is {artifactStore.Flavor}; register one with `pipelines artifact-store register NAME --flavor=s3 --path=minio://mlpipeline/v2/artifacts`");
            }

            if (!components.ContainsKey(ComponentType.ContainerRegistry))
            {
                problems.Add($"the kubeflow orchestrator '{orchestrator.Name}' needs a container registry for its images (-c NAME)");
            }
        }
        else if (orchestrator is not null && artifactStore?.Flavor is "gcp" or "s3" && orchestrator.Flavor is "local" or "local-process")
        {
            problems.Add($"the {orchestrator.Flavor} orchestrator '{orchestrator.Name}' runs on this machine and needs a local artifact store, and '{artifactStore.Name}' is {artifactStore.Flavor}");
        }

        return problems;
    }
}
