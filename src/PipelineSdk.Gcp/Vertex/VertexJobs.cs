using System.Text.Json;
using PipelineSdk.Stacks;

namespace PipelineSdk.Gcp.Vertex;

/// <summary>Builds the PipelineJob a run or a schedule submits, from a spec, an image and the orchestrator's settings.</summary>
public static class VertexJobs
{
    /// <summary>Stands for the program's image in generated specs.</summary>
    public const string ImagePlaceholder = "{{pipelinesdk.image}}";

    /// <summary>
    /// A job for <paramref name="specJson"/> with <paramref name="image"/> in every executor that does not name its own
    /// (<c>[Step(Image = ...)]</c>), outputs under
    /// <paramref name="pipelineRoot"/>, and the vertex orchestrator's settings read through <paramref name="setting"/>.
    /// </summary>
    public static PipelineJob Build(string displayName, string specJson, string image, string pipelineRoot, Dictionary<string, JsonElement> parameterValues, Func<string, string> setting) => new()
    {
        DisplayName = displayName,
        PipelineSpec = SpecWithImage(specJson, image),
        RuntimeConfig = new RuntimeConfig
        {
            GcsOutputDirectory = pipelineRoot,
            ParameterValues = parameterValues,
            FailurePolicy = setting("failure_policy") == "fast" ? "PIPELINE_FAILURE_POLICY_FAIL_FAST" : "PIPELINE_FAILURE_POLICY_FAIL_SLOW",
        },
        ServiceAccount = NullIfEmpty(setting("workload_service_account")),
        Network = NullIfEmpty(setting("network")),
        EncryptionSpec = NullIfEmpty(setting("encryption_key")) is { } key ? new EncryptionSpec { KmsKeyName = key } : null,
        Labels = Labels(setting("labels")),
    };

    /// <summary>The spec with <paramref name="image"/> in every executor that uses the placeholder.</summary>
    public static JsonElement SpecWithImage(string specJson, string image)
    {
        using var spec = JsonDocument.Parse(specJson.Replace($"\"{ImagePlaceholder}\"", JsonSerializer.Serialize(image, VertexJson.Default.String), StringComparison.Ordinal));
        return spec.RootElement.Clone();
    }

    private static Dictionary<string, string> Labels(string setting)
    {
        var labels = Flavors.ParseMap(setting) ?? [];
        labels["pipelinesdk"] = "true";
        return labels;
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
