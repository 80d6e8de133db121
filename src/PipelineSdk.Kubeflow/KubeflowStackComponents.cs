using PipelineSdk.Artifacts;
using PipelineSdk.Gcp.Vertex;
using PipelineSdk.Kubeflow.Artifacts;
using PipelineSdk.Kubeflow.Orchestration;
using PipelineSdk.Orchestration;
using PipelineSdk.Store;

[assembly: PipelineSdk.PipelineSdkExtension(typeof(PipelineSdk.Kubeflow.KubeflowStackComponents))]

namespace PipelineSdk.Kubeflow;

/// <summary>
/// Makes the kubeflow orchestrator and the s3 artifact store usable in this program. Programs that reference
/// PipelineSdk.Kubeflow call it at start-up through generated code; the <c>pipelines</c> tool calls it itself. Calling it
/// again is harmless.
/// </summary>
public static class KubeflowStackComponents
{
    /// <summary>
    /// Registers the kubeflow orchestrator, how to ask Kubeflow Pipelines whether a run nobody follows ended, and the S3 client
    /// for <c>s3://</c> and <c>minio://</c> artifact URIs where Kubeflow's launcher did not put them on disk. Credentials are
    /// looked up on first use, not here.
    /// </summary>
    public static void Register()
    {
        RemoteOrchestrators.Register(KubeflowOrchestrator.Flavor, component => new KubeflowOrchestrator(component, new ProgramImageSource()));
        RemoteRunReconciliation.RegisterEndReader(KubeflowOrchestrator.Flavor, KubeflowRunEnds.ReadAsync);
        // One client for both schemes, made on first use: a run that never reaches S3 never loads the AWS SDK.
        var s3 = new Lazy<IArtifactUriHandler>(() => new S3UriHandler());
        ArtifactUris.RegisterHandler("s3", () => s3.Value);
        ArtifactUris.RegisterHandler("minio", () => s3.Value);
    }
}
