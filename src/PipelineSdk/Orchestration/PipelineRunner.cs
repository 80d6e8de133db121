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
        var secrets = StackComponents.CreateSecretsManager(stack, directory);
        ITaskExecutor executor;
        switch (flavor)
        {
            case OrchestratorFlavors.Local:
                executor = new InProcessTaskExecutor();
                break;
            case OrchestratorFlavors.LocalProcess:
                executor = new ProcessTaskExecutor(directory);
                break;
            default:
                var remote = options.Orchestrator is null ? RemoteOrchestrators.Create(stack.Orchestrator) : null;
                if (remote is null)
                {
                    throw new StackException(options.Orchestrator is not null || Flavors.Find(ComponentType.Orchestrator, flavor) is null
                        ? $"unknown orchestrator '{flavor}'; use one of {string.Join(", ", OrchestratorFlavors.All)}"
                        : $"stack '{stack.Name}' uses the {flavor} orchestrator, which this program cannot reach: reference the PipelineSdk.Gcp package, or run on a local stack with --stack default");
                }

                return await remote.RunAsync(new RemoteRun(pipeline, parameters ?? new Dictionary<string, object?>(), stack, store, directory, options, secrets), cancellationToken).ConfigureAwait(false);
        }

        // Settings may reference secrets; they are resolved here, for this run only, never stored, and masked in
        // what the run prints and records.
        var mask = new SecretMask();
        var artifactSettings = await SecretReference.ResolveAsync(stack.ArtifactStore.Settings, secrets, cancellationToken, mask).ConfigureAwait(false);
        var artifactRoot = artifactSettings.GetValueOrDefault("path") ?? Path.Combine(directory, "artifacts");
        if (!mask.IsEmpty)
        {
            executor = executor is ProcessTaskExecutor ? new ProcessTaskExecutor(directory, mask) : executor;
            options = options with { Output = options.Output is null ? null : mask.Wrap(options.Output) };
        }

        var orchestrator = new LocalOrchestrator(store, new LocalArtifactStore(artifactRoot), executor) { Mask = mask.IsEmpty ? null : mask };
        var result = await orchestrator.RunAsync(pipeline, parameters ?? new Dictionary<string, object?>(), options, stack.Name, cancellationToken).ConfigureAwait(false);
        options.Output?.Flush();
        return result;
    }
}
