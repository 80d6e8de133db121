using PipelineSdk.Stacks;
using PipelineSdk.Store;

namespace PipelineSdk.Kubeflow.Orchestration;

/// <summary>
/// Asks Kubeflow Pipelines whether a run nobody follows has ended (see <see cref="RemoteRunReconciliation"/>): the run is read
/// by its Kubeflow id with the settings of its stack's kubeflow orchestrator.
/// </summary>
internal static class KubeflowRunEnds
{
    public static async Task<RemoteRunEnd?> ReadAsync(MetadataStore store, RunRecord run, CancellationToken cancellationToken)
    {
        var orchestrator = run.Stack is null ? null : store.GetStack(run.Stack).Get(ComponentType.Orchestrator);
        if (orchestrator is not { Flavor: KubeflowOrchestrator.Flavor } || run.RemoteId is null)
        {
            throw new StackException("its stack no longer has the kubeflow orchestrator it ran on, so there is no API to ask");
        }

        var secrets = StackComponents.CreateSecretsManager(store.GetStack(run.Stack!), Path.GetDirectoryName(store.Location) ?? ".");
        var settings = await SecretReference.ResolveAsync(orchestrator.Settings, secrets, cancellationToken).ConfigureAwait(false);
        string Setting(string name) => settings.GetValueOrDefault(name) ?? orchestrator.Definition.Settings.First(s => s.Name == name).Default ?? "";
        var found = await KubeflowSubmission.Open(Setting, TextWriter.Null).Client.GetRunAsync(run.RemoteId, cancellationToken).ConfigureAwait(false);
        return KubeflowOrchestrator.StatusOf(found.State) is { } status
            ? new RemoteRunEnd(status, found.FinishedAt ?? DateTimeOffset.UtcNow, status == RunStatus.Completed ? null : found.Error?.Message ?? found.State)
            : null;
    }
}
