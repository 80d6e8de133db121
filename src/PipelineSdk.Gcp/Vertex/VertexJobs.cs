using System.Text.Json;
using System.Text.Json.Nodes;
using PipelineSdk.Execution;
using PipelineSdk.Stacks;
using PipelineSdk.Store;

namespace PipelineSdk.Gcp.Vertex;

/// <summary>Builds the PipelineJob a run or a schedule submits, from a spec, an image and the orchestrator's settings.</summary>
public static class VertexJobs
{
    /// <summary>Stands for the program's image in generated specs.</summary>
    public const string ImagePlaceholder = "{{pipelinesdk.image}}";

    /// <summary>
    /// A job for <paramref name="specJson"/> with <paramref name="image"/> in every executor that does not name its own
    /// (<c>[Step(Image = ...)]</c>), outputs under
    /// <paramref name="pipelineRoot"/>, and the vertex orchestrator's settings read through <paramref name="setting"/>;
    /// with <paramref name="live"/>, its steps record themselves to that server as they run; with
    /// <paramref name="registryPins"/>, the containers of steps that read the registry get the versions the submitter pinned
    /// (<see cref="RegistryInputs.PinForSubmission"/>).
    /// </summary>
    public static PipelineJob Build(string displayName, string specJson, string image, string pipelineRoot, Dictionary<string, JsonElement> parameterValues, Func<string, string> setting, LiveRecordingTarget? live = null, IReadOnlyDictionary<string, string>? registryPins = null) => new()
    {
        DisplayName = displayName,
        PipelineSpec = WithRegistryPins(live is null ? SpecWithImage(specJson, image) : SpecWithLiveRecording(SpecWithImage(specJson, image), live), registryPins ?? new Dictionary<string, string>()),
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

    /// <summary>
    /// The spec with every executor asked to record its step live: the server's URL, the token's secret (a name, never the
    /// token), the stack, the orchestrator and the executor's image in its environment, and the run and task placeholders on its command line.
    /// </summary>
    public static JsonElement SpecWithLiveRecording(JsonElement spec, LiveRecordingTarget live) => EditContainers(spec, container =>
    {
        var args = container["args"] as JsonArray ?? [];
        container["args"] = args;
        foreach (var argument in LiveRecording.StepArguments)
        {
            args.Add((JsonNode?)JsonValue.Create(argument));
        }

        foreach (var (name, value) in live.Environment())
        {
            AddEnvironment(container, name, value);
        }

        AddEnvironment(container, LiveRecording.ImageVariable, container["image"]?.GetValue<string>());
    });

    /// <summary>
    /// The spec with each step's pinned registry versions (<see cref="RegistryInputs.PinForSubmission"/>) in its container's
    /// environment; the other containers, and so their cache keys, are unchanged.
    /// </summary>
    public static JsonElement WithRegistryPins(JsonElement spec, IReadOnlyDictionary<string, string> pinsByStep) =>
        pinsByStep.Count == 0 ? spec : EditContainers(spec, (label, container) =>
        {
            if (pinsByStep.TryGetValue(label["exec-".Length..], out var pins))
            {
                AddEnvironment(container, RegistryInputs.PinsVariable, pins);
            }
        });

    private static JsonElement EditContainers(JsonElement spec, Action<JsonObject> edit) => EditContainers(spec, (_, container) => edit(container));

    private static JsonElement EditContainers(JsonElement spec, Action<string, JsonObject> edit)
    {
        var node = JsonNode.Parse(spec.GetRawText())!;
        foreach (var (label, executor) in node["deploymentSpec"]!["executors"]!.AsObject())
        {
            if (executor?["container"] is JsonObject container)
            {
                edit(label, container);
            }
        }

        using var document = JsonDocument.Parse(node.ToJsonString());
        return document.RootElement.Clone();
    }

    private static void AddEnvironment(JsonObject container, string name, string? value)
    {
        var env = container["env"] as JsonArray ?? [];
        container["env"] = env;
        env.Add((JsonNode)new JsonObject { ["name"] = name, ["value"] = value });
    }

    /// <summary>
    /// Where the steps of a run on <paramref name="stack"/> record themselves: the server <paramref name="store"/> is connected to,
    /// with the orchestrator's <c>server_token_secret</c>. Null when the store is not a server's, or (after a warning on
    /// <paramref name="warnings"/> saying what to set) when the secret is not set: then the submitter alone records the run.
    /// </summary>
    public static LiveRecordingTarget? LiveTarget(MetadataStore store, Stack stack, string tokenSecret, TextWriter warnings)
    {
        if (!Uri.TryCreate(store.Location, UriKind.Absolute, out var server) || server.Scheme is not ("http" or "https"))
        {
            return null;
        }

        if (tokenSecret.Length == 0)
        {
            var orchestrator = stack.Orchestrator.Name;
            warnings.WriteLine($"warning: the steps will not report to {store.Location} while they run: the vertex orchestrator '{orchestrator}' has no server_token_secret; "
                + $"store an API token in Secret Manager and run `pipelines orchestrator update {orchestrator} --server_token_secret=projects/PROJECT/secrets/SECRET/versions/latest`");
            return null;
        }

        return new LiveRecordingTarget(store.Location, tokenSecret, stack.Name);
    }

    private static Dictionary<string, string> Labels(string setting)
    {
        var labels = Flavors.ParseMap(setting) ?? [];
        labels["pipelinesdk"] = "true";
        return labels;
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}

/// <summary>The server a job's steps record themselves to while they run.</summary>
/// <param name="ServerUrl">The server's URL.</param>
/// <param name="TokenSecret">The Secret Manager secret version that holds the API token, <c>projects/P/secrets/S/versions/V</c>.</param>
/// <param name="Stack">The stack the run is submitted on.</param>
public sealed record LiveRecordingTarget(string ServerUrl, string TokenSecret, string Stack)
{
    /// <summary>The environment variables the steps' containers get.</summary>
    public IEnumerable<KeyValuePair<string, string>> Environment() =>
    [
        KeyValuePair.Create(LiveRecording.ServerUrlVariable, ServerUrl),
        KeyValuePair.Create(LiveRecording.TokenSecretVariable, TokenSecret),
        KeyValuePair.Create(LiveRecording.StackVariable, Stack),
        KeyValuePair.Create(LiveRecording.OrchestratorVariable, VertexOrchestrator.Flavor),
    ];
}
