using PipelineSdk.Descriptors;

namespace PipelineSdk.Orchestration;

/// <summary>
/// Predicts what a remote orchestrator that keeps its own cache (Vertex AI) will reuse, from the step runs its containers
/// recorded live (<see cref="Execution.LiveRecording"/>): each recorded its cache key with its container image as a part, so
/// a task whose key, image included, matches a completed step run is predicted cached. Unlike this machine's cache, the
/// remote one keys artifact inputs by the artifact, not its content: a task that takes an artifact from a task that runs
/// will run too.
/// </summary>
public static class RemoteCachePlanner
{
    /// <summary>Predicts <paramref name="run"/> on the orchestrator <paramref name="flavor"/>, whose tasks run in the images <paramref name="imageOf"/> gives.</summary>
    /// <param name="run">The run that would be submitted.</param>
    /// <param name="flavor">The orchestrator flavor, as runs record it (<c>vertex</c>).</param>
    /// <param name="name">The orchestrator's name in sentences (<c>Vertex AI</c>).</param>
    /// <param name="imageOf">The container image a task would run in.</param>
    /// <param name="cancellationToken">Stops the prediction.</param>
    /// <exception cref="ArgumentException">A parameter is unknown, missing, or of the wrong type.</exception>
    public static Task<RunPlan> PlanAsync(RemoteRun run, string flavor, string name, Func<PipelineTask, string> imageOf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var orchestrator = new LocalOrchestrator(run.Store, new Artifacts.LocalArtifactStore(Artifacts.LocalArtifactStore.DefaultRoot(run.StoreDirectory)), new RemoteCache(flavor, name, imageOf));
        return orchestrator.PlanAsync(run.Pipeline, run.Parameters, run.Options, cancellationToken);
    }
}

/// <summary>The cache of a remote orchestrator, as a dry run sees it: what keys it and how it names itself. It executes nothing.</summary>
internal sealed class RemoteCache(string flavor, string name, Func<PipelineTask, string> imageOf) : ITaskExecutor
{
    public string Flavor => flavor;

    /// <summary>The orchestrator's name in sentences.</summary>
    public string Name => name;

    /// <summary>The container image the task runs in: a part of its cache key there.</summary>
    public string ImageOf(PipelineTask task) => imageOf(task);

    public Task<(object?[] Outputs, string? LogPath)> ExecuteAsync(TaskExecution execution, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("a remote orchestrator's cache only predicts; it runs no step here");
}
