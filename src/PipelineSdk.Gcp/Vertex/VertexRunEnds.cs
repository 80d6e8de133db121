using PipelineSdk.Gcp.Auth;
using PipelineSdk.Stacks;
using PipelineSdk.Store;

namespace PipelineSdk.Gcp.Vertex;

/// <summary>
/// Asks Vertex AI whether a run nobody follows has ended (see <see cref="RemoteRunReconciliation"/>). The job is found by the
/// run id (the job id) in the project and region of its resource name, or — for a run a schedule started, which its steps
/// recorded — of its stack's orchestrator.
/// </summary>
internal static class VertexRunEnds
{
    public static async Task<RemoteRunEnd?> ReadAsync(GoogleAuth auth, MetadataStore store, RunRecord run, CancellationToken cancellationToken)
    {
        var (project, location) = Where(store, run)
            ?? throw new StackException("neither its Vertex AI resource name nor its stack's orchestrator names the project and location");
        PipelineJob job;
        try
        {
            job = await new VertexClient(project, location, auth).GetPipelineJobAsync(run.Id, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new StackException($"Vertex AI cannot be reached: {e.Message}");
        }

        var ended = job.EndTime ?? DateTimeOffset.UtcNow;
        return job.State switch
        {
            "PIPELINE_STATE_SUCCEEDED" => new RemoteRunEnd(RunStatus.Completed, ended, null),
            "PIPELINE_STATE_FAILED" => new RemoteRunEnd(RunStatus.Failed, ended, job.Error?.Message ?? "FAILED"),
            "PIPELINE_STATE_CANCELLED" => new RemoteRunEnd(RunStatus.Cancelled, ended, job.Error?.Message ?? "CANCELLED"),
            _ => null,
        };
    }

    private static (string Project, string Location)? Where(MetadataStore store, RunRecord run)
    {
        if (run.RemoteId?.Split('/') is ["projects", var project, "locations", var location, "pipelineJobs", _])
        {
            return (project, location);
        }

        try
        {
            var orchestrator = run.Stack is null ? null : store.GetStack(run.Stack).Get(ComponentType.Orchestrator);
            return orchestrator is { Flavor: VertexOrchestrator.Flavor } && orchestrator.Setting("project") is { } p && orchestrator.Setting("location") is { } l
                && !SecretReference.IsReference(p) && !SecretReference.IsReference(l) ? (p, l) : null;
        }
        catch (StackException)
        {
            return null;
        }
    }
}
