using PipelineSdk.Descriptors;
using PipelineSdk.Stacks;
using PipelineSdk.Store;

namespace PipelineSdk.Orchestration;

/// <summary>Everything a remote orchestrator needs for one run.</summary>
/// <param name="Pipeline">The pipeline.</param>
/// <param name="Parameters">Parameter values, already of the parameters' types (defaults not yet applied).</param>
/// <param name="Stack">The stack the run uses.</param>
/// <param name="Store">The metadata store, to record the run.</param>
/// <param name="StoreDirectory">The store folder.</param>
/// <param name="Options">The run's options.</param>
/// <param name="Secrets">The stack's secrets manager, to resolve <c>{{secret.name.key}}</c> settings; null when the stack has none.</param>
public sealed record RemoteRun(
    PipelineDescriptor Pipeline,
    IReadOnlyDictionary<string, object?> Parameters,
    Stack Stack,
    MetadataStore Store,
    string StoreDirectory,
    RunOptions Options,
    ISecretsManager? Secrets);

/// <summary>An orchestrator that runs pipelines somewhere else (Vertex AI, ...), provided by an extension package.</summary>
public interface IRemoteOrchestrator
{
    /// <summary>Submits the run, follows it if the orchestrator is synchronous, records it, and returns its result.</summary>
    /// <exception cref="StackException">The run cannot be submitted; the message says what to do.</exception>
    Task<PipelineRunResult> RunAsync(RemoteRun run, CancellationToken cancellationToken);

    /// <summary>
    /// Predicts which tasks the orchestrator's own cache would serve if the run were submitted now, and why the others would run
    /// (see <see cref="RemoteCachePlanner"/>); submits and records nothing.
    /// </summary>
    /// <exception cref="StackException">The orchestrator cannot predict its cache, or the prediction needs what is missing; the message says what to do.</exception>
    Task<RunPlan> PlanAsync(RemoteRun run, CancellationToken cancellationToken) =>
        throw new StackException($"--dry-run cannot predict the cache of the {run.Stack.Orchestrator.Flavor} orchestrator; predict a local run with --orchestrator local");
}

/// <summary>Remote orchestrator flavors registered by extension packages (e.g. <c>vertex</c> by PipelineSdk.Gcp).</summary>
public static class RemoteOrchestrators
{
    private static readonly Dictionary<string, Func<Component, IRemoteOrchestrator>> Factories = new(StringComparer.Ordinal);

    /// <summary>Registers how to create the orchestrator of <paramref name="flavor"/> from its component.</summary>
    public static void Register(string flavor, Func<Component, IRemoteOrchestrator> factory)
    {
        lock (Factories)
        {
            Factories[flavor] = factory;
        }
    }

    /// <summary>The orchestrator of a remote flavor, or null when no loaded extension provides it.</summary>
    public static IRemoteOrchestrator? Create(Component orchestrator)
    {
        lock (Factories)
        {
            return Factories.TryGetValue(orchestrator.Flavor, out var factory) ? factory(orchestrator) : null;
        }
    }
}
