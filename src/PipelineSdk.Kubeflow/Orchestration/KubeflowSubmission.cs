using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PipelineSdk.Gcp.Vertex;
using PipelineSdk.Kubeflow.Api;
using PipelineSdk.Stacks;

namespace PipelineSdk.Kubeflow.Orchestration;

/// <summary>
/// What a run and a recurring run on Kubeflow Pipelines both need: the client from the orchestrator's settings, the
/// experiment (created when missing), and the pipeline and the version for a spec (created once, then reused: the version's
/// name is a hash of the spec with its image, so resubmitting unchanged code adds nothing).
/// </summary>
public sealed class KubeflowSubmission
{
    private readonly Func<string, string> _setting;

    private KubeflowSubmission(KfpClient client, Func<string, string> setting)
    {
        Client = client;
        _setting = setting;
    }

    /// <summary>The API client.</summary>
    public KfpClient Client { get; }

    /// <summary>The namespace of a multi-user installation, or null.</summary>
    public string? Namespace => NullIfEmpty(_setting("namespace"));

    /// <summary>The Kubernetes service account the steps run as, or null.</summary>
    public string? ServiceAccount => NullIfEmpty(_setting("service_account"));

    /// <summary>The UI's base URL, for links.</summary>
    public string UiUrl => (NullIfEmpty(_setting("ui_url")) ?? Client.Host).TrimEnd('/');

    /// <summary>Opens a submission for an orchestrator whose settings (secret references resolved) are read through <paramref name="setting"/>.</summary>
    public static KubeflowSubmission Open(Func<string, string> setting, TextWriter warnings)
    {
        var verifyTls = setting("verify_tls") != "false";
        if (!verifyTls)
        {
            warnings.WriteLine($"warning: not checking the TLS certificate of {setting("host")} (verify_tls=false): anyone on the network path could read the token");
        }

        var credentials = new KfpCredentials(NullIfEmpty(setting("token")), NullIfEmpty(setting("token_file")), NullIfEmpty(setting("cookie")));
        return new KubeflowSubmission(new KfpClient(setting("host"), credentials, verifyTls), setting);
    }

    /// <summary>The link to a run in the Kubeflow Pipelines UI.</summary>
    public string RunLink(string runId) => $"{UiUrl}/#/runs/details/{runId}";

    /// <summary>The id of the orchestrator's experiment, created when missing.</summary>
    /// <exception cref="StackException">The experiment is archived, or the server refused.</exception>
    public async Task<string> ExperimentIdAsync(TextWriter output, CancellationToken cancellationToken)
    {
        var name = _setting("experiment");
        var experiment = await Client.FindExperimentAsync(name, Namespace, cancellationToken).ConfigureAwait(false);
        if (experiment is null)
        {
            experiment = await Client.CreateExperimentAsync(name, Namespace, cancellationToken).ConfigureAwait(false);
            output.WriteLine($"Created experiment '{name}'{(Namespace is null ? "" : $" in namespace {Namespace}")}.");
        }
        else if (experiment.StorageState == "ARCHIVED")
        {
            throw new StackException($"experiment '{name}' is archived on Kubeflow Pipelines, so no run can be added to it; restore it in the UI, or choose another with `pipelines orchestrator update NAME --experiment=OTHER`");
        }

        return experiment.ExperimentId ?? throw new StackException($"Kubeflow Pipelines gave experiment '{name}' no id");
    }

    /// <summary>The pipeline and version that hold <paramref name="spec"/> (with its image), created when missing.</summary>
    public async Task<KfpPipelineVersionReference> PipelineVersionAsync(string pipelineName, JsonElement spec, CancellationToken cancellationToken)
    {
        var versionSpec = WithPlatformSpec(spec);
        var versionName = $"{pipelineName}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(versionSpec.GetRawText())))[..12]}";
        var pipeline = await Client.FindPipelineAsync(pipelineName, Namespace, cancellationToken).ConfigureAwait(false);
        if (pipeline is null)
        {
            pipeline = await Client.CreatePipelineAsync(new KfpCreatePipelineAndVersion
            {
                Pipeline = new KfpPipeline { Name = pipelineName, DisplayName = pipelineName, Namespace = Namespace, Description = "Compiled by PipelineSdk." },
                PipelineVersion = new KfpPipelineVersion { Name = versionName, DisplayName = versionName, PipelineSpec = versionSpec },
            }, cancellationToken).ConfigureAwait(false);
        }

        var pipelineId = pipeline.PipelineId ?? throw new StackException($"Kubeflow Pipelines gave pipeline '{pipelineName}' no id");
        var version = await Client.FindPipelineVersionAsync(pipelineId, versionName, cancellationToken).ConfigureAwait(false)
            ?? await Client.CreatePipelineVersionAsync(new KfpPipelineVersion { PipelineId = pipelineId, Name = versionName, DisplayName = versionName, PipelineSpec = versionSpec }, cancellationToken).ConfigureAwait(false);
        return new KfpPipelineVersionReference { PipelineId = pipelineId, PipelineVersionId = version.PipelineVersionId };
    }

    /// <summary>
    /// The spec alone, or with a Kubernetes platform spec (<c>{pipeline_spec, platform_spec}</c>, as the API server accepts)
    /// that gives every executor the orchestrator's image pull secrets.
    /// </summary>
    public JsonElement WithPlatformSpec(JsonElement spec)
    {
        var secrets = _setting("image_pull_secrets").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (secrets.Length == 0)
        {
            return spec;
        }

        var executors = new JsonObject();
        foreach (var executor in spec.GetProperty("deploymentSpec").GetProperty("executors").EnumerateObject())
        {
            executors[executor.Name] = new JsonObject { ["imagePullSecret"] = new JsonArray([.. secrets.Select(s => (JsonNode)new JsonObject { ["secretName"] = s })]) };
        }

        var combined = new JsonObject
        {
            ["pipeline_spec"] = JsonNode.Parse(spec.GetRawText()),
            ["platform_spec"] = new JsonObject { ["platforms"] = new JsonObject { ["kubernetes"] = new JsonObject { ["deploymentSpec"] = new JsonObject { ["executors"] = executors } } } },
        };
        using var document = JsonDocument.Parse(combined.ToJsonString());
        return document.RootElement.Clone();
    }

    /// <summary>The spec of a pipeline with the program's image in every executor that does not name its own.</summary>
    public static JsonElement SpecWithImage(string specJson, string image) => VertexJobs.SpecWithImage(specJson, image);

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
