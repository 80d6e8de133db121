using PipelineSdk.Artifacts;
using PipelineSdk.Model;
using PipelineSdk.Stacks;
using PipelineSdk.Store;

namespace PipelineSdk.Orchestration;

/// <summary>
/// Runs a pipeline on the active stack. Generated typed runners (<c>Pipelines.X.RunAsync(...)</c>) and
/// <see cref="Hosting.PipelineApp"/> both come through here.
/// </summary>
public static class PipelineRunner
{
    /// <summary>
    /// Runs <paramref name="pipeline"/> with <paramref name="parameters"/> (by parameter name, already of the
    /// parameters' .NET types; omitted ones take their defaults).
    /// </summary>
    /// <exception cref="ArgumentException">A parameter is unknown, missing, or of the wrong type.</exception>
    /// <exception cref="StackException">The stack cannot be used: it does not exist, or its components are not available here.</exception>
    public static async Task<PipelineRunResult> RunAsync(
        PipelineDescriptor pipeline,
        IReadOnlyDictionary<string, object?>? parameters = null,
        RunOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new RunOptions();
        var directory = options.StoreDirectory ?? StoreLocation.Resolve();
        using var store = MetadataStore.Open(directory);
        var (stack, _) = StackSelection.Resolve(store, options.Stack);
        var flavor = options.Orchestrator ?? stack.Orchestrator.Flavor;
        ITaskExecutor executor = flavor switch
        {
            OrchestratorFlavors.Local => new InProcessTaskExecutor(),
            OrchestratorFlavors.LocalProcess => new ProcessTaskExecutor(directory),
            "vertex" => throw new StackException($"stack '{stack.Name}' runs on Vertex AI, which this version of PipelineSdk cannot submit to yet; run on a local stack with --stack default"),
            var unknown => throw new StackException($"unknown orchestrator '{unknown}'; use one of {string.Join(", ", OrchestratorFlavors.All)}"),
        };

        // Settings may reference secrets; they are resolved here, for this run only, and never stored.
        var artifactSettings = await SecretReference.ResolveAsync(stack.ArtifactStore.Settings, StackComponents.CreateSecretsManager(stack, directory), cancellationToken).ConfigureAwait(false);
        var artifactRoot = artifactSettings.GetValueOrDefault("path") ?? Path.Combine(directory, "artifacts");
        var orchestrator = new LocalOrchestrator(store, new LocalArtifactStore(artifactRoot), executor);
        return await orchestrator.RunAsync(pipeline, parameters ?? new Dictionary<string, object?>(), options, stack.Name, cancellationToken).ConfigureAwait(false);
    }
}
