using PipelineSdk.Artifacts;
using PipelineSdk.Descriptors;
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
        var values = parameters ?? new Dictionary<string, object?>();
        return await OnStackAsync(options, async (store, directory, stack, local, effective) =>
        {
            if (local is not null)
            {
                var result = await local.RunAsync(pipeline, values, effective, stack.Name, cancellationToken).ConfigureAwait(false);
                effective.Output?.Flush();
                return result;
            }

            return await RemoteOrchestrators.Create(stack.Orchestrator)!.RunAsync(RemoteRunOf(pipeline, values, stack, store, directory, options), cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Predicts what <see cref="RunAsync"/> would do now, from the store's cache records: which tasks come from the cache,
    /// which run and why, which are decided only at run time. On a remote orchestrator that keeps its own cache (Vertex AI),
    /// from the step runs its containers recorded. Nothing runs, nothing is submitted and nothing is recorded.
    /// </summary>
    /// <exception cref="ArgumentException">A parameter is unknown, missing, or of the wrong type.</exception>
    /// <exception cref="StackException">The stack cannot be used, or its orchestrator cannot predict its cache.</exception>
    public static async Task<RunPlan> PlanAsync(
        PipelineDescriptor pipeline,
        IReadOnlyDictionary<string, object?>? parameters = null,
        RunOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new RunOptions();
        var values = parameters ?? new Dictionary<string, object?>();
        return await OnStackAsync(options, (store, directory, stack, local, effective) =>
        {
            if (local is not null)
            {
                return local.PlanAsync(pipeline, values, effective, cancellationToken);
            }

            return RemoteOrchestrators.Create(stack.Orchestrator)!.PlanAsync(RemoteRunOf(pipeline, values, stack, store, directory, effective), cancellationToken);
        }, cancellationToken).ConfigureAwait(false);
    }

    private static RemoteRun RemoteRunOf(PipelineDescriptor pipeline, IReadOnlyDictionary<string, object?> values, Stack stack, MetadataStore store, string directory, RunOptions options) =>
        new(pipeline, values, stack, store, directory, options, StackComponents.CreateSecretsManager(stack, directory));

    /// <summary>
    /// Opens the store, resolves the stack and calls <paramref name="body"/> with them and the orchestrator that runs on this
    /// machine for the stack (null when a remote orchestrator runs it).
    /// </summary>
    private static async Task<T> OnStackAsync<T>(RunOptions options, Func<MetadataStore, string, Stack, LocalOrchestrator?, RunOptions, Task<T>> body, CancellationToken cancellationToken)
    {
        var directory = options.StoreDirectory ?? StoreLocation.Resolve();
        using var store = MetadataStore.Open(directory);
        foreach (var crashed in CrashRecovery.Sweep(store))
        {
            await Console.Error.WriteLineAsync(CrashRecovery.Note(crashed)).ConfigureAwait(false);
        }

        var (stack, _) = StackSelection.Resolve(store, options.Stack);
        var flavor = options.Orchestrator ?? stack.Orchestrator.Flavor;
        if (flavor is not (OrchestratorFlavors.Local or OrchestratorFlavors.LocalProcess))
        {
            if (options.Orchestrator is not null || RemoteOrchestrators.Create(stack.Orchestrator) is null)
            {
                throw new StackException(options.Orchestrator is not null || Flavors.Find(ComponentType.Orchestrator, flavor) is null
                    ? $"unknown orchestrator '{flavor}'; use one of {string.Join(", ", OrchestratorFlavors.All)}"
                    : $"stack '{stack.Name}' uses the {flavor} orchestrator, which this program cannot reach: reference the package that provides it (PipelineSdk.Gcp for vertex, PipelineSdk.Kubeflow for kubeflow), or run on a local stack with --stack default");
            }

            return await body(store, directory, stack, null, options).ConfigureAwait(false);
        }

        // A stack's cloud artifact store is read by its remote orchestrator; steps run here write local files only.
        if (stack.ArtifactStore.Flavor != "local")
        {
            throw new StackException($"--orchestrator {flavor} runs steps on this machine and needs a local artifact store, and stack '{stack.Name}' keeps artifacts in its {stack.ArtifactStore.Flavor} store '{stack.ArtifactStore.Name}'; run it on a local stack with --stack default");
        }

        // Settings may reference secrets; they are resolved here, for this run only, never stored, and masked in
        // what the run prints and records.
        var secrets = StackComponents.CreateSecretsManager(stack, directory);
        var mask = new SecretMask();
        var artifactSettings = await SecretReference.ResolveAsync(stack.ArtifactStore.Settings, secrets, cancellationToken, mask).ConfigureAwait(false);
        var artifactRoot = artifactSettings.GetValueOrDefault("path") ?? LocalArtifactStore.DefaultRoot(directory);
        if (!mask.IsEmpty)
        {
            options = options with { Output = options.Output is null ? null : mask.Wrap(options.Output) };
        }

        var processes = new ProcessTaskExecutor(directory, mask.IsEmpty ? null : mask);
        ITaskExecutor executor = flavor == OrchestratorFlavors.Local ? new InProcessTaskExecutor(processes) : processes;
        var orchestrator = new LocalOrchestrator(store, new LocalArtifactStore(artifactRoot), executor) { Mask = mask.IsEmpty ? null : mask };
        return await body(store, directory, stack, orchestrator, options).ConfigureAwait(false);
    }
}
