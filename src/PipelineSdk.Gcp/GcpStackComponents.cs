using PipelineSdk.Artifacts;
using PipelineSdk.Gcp.Artifacts;
using PipelineSdk.Gcp.Auth;
using PipelineSdk.Gcp.Secrets;
using PipelineSdk.Stacks;

namespace PipelineSdk.Gcp;

/// <summary>Makes the GCP flavors usable in this program. Call once at start-up (the <c>pipelines</c> tool does).</summary>
public static class GcpStackComponents
{
    /// <summary>
    /// Registers the gcp secrets manager and the Cloud Storage client for <c>gs://</c> artifact URIs where no
    /// bucket is mounted (<see cref="ArtifactUris"/>). Credentials are looked up on first use, not here.
    /// </summary>
    public static void Register()
    {
        StackComponents.RegisterSecretsManager("gcp", (component, _) =>
            new GcpSecretsManager(component.Setting("project_id") ?? throw new StackException($"the gcp secrets manager '{component.Name}' has no project_id"), new GoogleAuth()));
        ArtifactUris.RegisterHandler("gs", new GcsUriHandler());
    }
}
