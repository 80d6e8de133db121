using PipelineSdk.Artifacts;
using PipelineSdk.Execution;
using PipelineSdk.Gcp.Artifacts;
using PipelineSdk.Gcp.Auth;
using PipelineSdk.Gcp.Secrets;
using PipelineSdk.Gcp.Vertex;
using PipelineSdk.Orchestration;
using PipelineSdk.Stacks;

[assembly: PipelineSdk.PipelineSdkExtension(typeof(PipelineSdk.Gcp.GcpStackComponents))]

namespace PipelineSdk.Gcp;

/// <summary>
/// Makes the GCP flavors usable in this program. Programs that reference PipelineSdk.Gcp call it at start-up
/// through generated code; the <c>pipelines</c> tool calls it itself. Calling it again is harmless.
/// </summary>
public static class GcpStackComponents
{
    /// <summary>
    /// Registers the gcp secrets manager, the vertex orchestrator, the Secret Manager reader of steps' server tokens, how to ask
    /// Vertex AI whether a run nobody follows ended, and the Cloud Storage client for <c>gs://</c> artifact URIs where no bucket is mounted (<see cref="ArtifactUris"/>). Credentials are looked up on first use, not here.
    /// </summary>
    public static void Register()
    {
        StackComponents.RegisterSecretsManager("gcp", (component, _) =>
            new GcpSecretsManager(component.Setting("project_id") ?? throw new StackException($"the gcp secrets manager '{component.Name}' has no project_id"), new GoogleAuth()));
        // Steps on Vertex AI read the server's API token from Secret Manager with the credentials they run as.
        LiveRecording.RegisterTokenReader((secret, cancellationToken) => new GcpSecretsManager(secret.Split('/')[1], new GoogleAuth()).ReadVersionAsync(secret, cancellationToken));
        RemoteOrchestrators.Register(VertexOrchestrator.Flavor, component => new VertexOrchestrator(component, new ProgramImageSource(), new GoogleAuth()));
        // Made on first use: a run that never reaches Google never loads its client libraries.
        var auth = new Lazy<GoogleAuth>(() => new GoogleAuth());
        Store.RemoteRunReconciliation.RegisterEndReader(VertexOrchestrator.Flavor, (store, run, cancellationToken) => VertexRunEnds.ReadAsync(auth.Value, store, run, cancellationToken));
        ArtifactUris.RegisterHandler("gs", () => new GcsUriHandler());
    }
}
