using PipelineSdk.Artifacts;
using PipelineSdk.Model;
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
    public static async Task<PipelineRunResult> RunAsync(
        PipelineDescriptor pipeline,
        IReadOnlyDictionary<string, object?>? parameters = null,
        RunOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new RunOptions();
        var directory = options.StoreDirectory ?? StoreLocation.Resolve();
        ITaskExecutor executor = options.Orchestrator switch
        {
            null or OrchestratorFlavors.Local => new InProcessTaskExecutor(),
            OrchestratorFlavors.LocalProcess => new ProcessTaskExecutor(directory),
            var unknown => throw new ArgumentException($"Unknown orchestrator '{unknown}'; use one of {string.Join(", ", OrchestratorFlavors.All)}."),
        };
        using var store = MetadataStore.Open(directory);
        var orchestrator = new LocalOrchestrator(store, new LocalArtifactStore(Path.Combine(directory, "artifacts")), executor);
        return await orchestrator.RunAsync(pipeline, parameters ?? new Dictionary<string, object?>(), options, cancellationToken).ConfigureAwait(false);
    }
}
