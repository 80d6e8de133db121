using System.Text.Json;
using PipelineSdk.Descriptors;
using PipelineSdk.Stacks;
using PipelineSdk.Store;

namespace PipelineSdk;

/// <summary>
/// Fills <c>[FromArtifact]</c> and <c>[FromModel]</c> parameters. A local orchestrator pins the versions when the task starts
/// (they go into the cache key and the lineage, and every attempt reads the same ones); a step with no pins (a Vertex AI
/// container) finds them in its run's store when it is called. Generated invokers call <see cref="Load"/>.
/// </summary>
public static class RegistryInputs
{
    /// <summary>
    /// Environment variable with a step process's or container's pinned artifacts, as JSON: parameter name to artifact record
    /// (null for none).
    /// </summary>
    public const string PinsVariable = "PIPELINES_REGISTRY_PINS";

    /// <summary>The pins of the step that runs in this flow (set by the in-process executor).</summary>
    internal static AsyncLocal<IReadOnlyDictionary<string, ArtifactRecord?>?> Pinned { get; } = new();

    /// <summary>Finds the version each registry parameter of <paramref name="step"/> gets now; null for a model stage nobody holds.</summary>
    /// <exception cref="StackException">A named artifact or the version asked for does not exist.</exception>
    internal static Dictionary<string, ArtifactVersionRecord?> Pin(MetadataStore store, StepDescriptor step)
    {
        var pins = new Dictionary<string, ArtifactVersionRecord?>(StringComparer.Ordinal);
        foreach (var input in step.RegistryInputs)
        {
            pins[input.Parameter] = Find(store, input);
        }

        return pins;
    }

    /// <summary>
    /// Pins, when a run is submitted to a remote orchestrator (Vertex AI, Kubeflow), the version each registry parameter of the
    /// pipeline's steps gets, from the submitter's store: its containers may have no store to ask (no team server), and every
    /// task of the run then reads the same versions. Returns, by step name, the JSON for <see cref="PinsVariable"/> in that
    /// step's container (empty when no step reads the registry).
    /// </summary>
    /// <exception cref="StackException">A named artifact or the version asked for does not exist.</exception>
    public static IReadOnlyDictionary<string, string> PinForSubmission(MetadataStore store, PipelineDescriptor pipeline) =>
        pipeline.Tasks.Select(t => t.Step).Where(s => s.RegistryInputs.Count > 0).DistinctBy(s => s.Name)
            .ToDictionary(s => s.Name, s => ToJson(Pin(store, s).ToDictionary(p => p.Key, p => p.Value?.Artifact, StringComparer.Ordinal)), StringComparer.Ordinal);

    /// <summary>The value of registry parameter <paramref name="parameter"/> of <paramref name="step"/>; called by generated invokers.</summary>
    /// <exception cref="StackException">The artifact or version does not exist, or its content cannot be read here.</exception>
    public static object? Load(StepDescriptor step, string parameter)
    {
        var input = step.RegistryInputs.First(i => i.Parameter == parameter);
        var pins = Pinned.Value ?? FromEnvironment();
        if (pins is not null && pins.TryGetValue(parameter, out var pinned))
        {
            return pinned is null ? null : RegistryStore.Use(null, store => RegistryStore.Read(store, pinned, input.Codec));
        }

        return RegistryStore.Use(null, store => Find(store, input) is { } version ? RegistryStore.Read(store, version.Artifact, input.Codec) : null);
    }

    /// <summary>The JSON of <paramref name="pins"/> for a step process's environment.</summary>
    internal static string ToJson(IReadOnlyDictionary<string, ArtifactRecord?> pins) =>
        JsonSerializer.Serialize(new Dictionary<string, ArtifactRecord?>(pins, StringComparer.Ordinal), RegistryJson.Default.DictionaryStringArtifactRecord);

    private static Dictionary<string, ArtifactRecord?>? FromEnvironment() =>
        Environment.GetEnvironmentVariable(PinsVariable) is { Length: > 0 } json ? JsonSerializer.Deserialize(json, RegistryJson.Default.DictionaryStringArtifactRecord) : null;

    private static ArtifactVersionRecord? Find(MetadataStore store, RegistryInput input)
    {
        if (input.IsModelStage)
        {
            return store.FindModelVersion(input.ArtifactName, ModelRegistry.ParseStage(input.Selector));
        }

        return store.FindArtifactVersion(input.ArtifactName, input.Selector)
            ?? throw new StackException(store.ListArtifactVersions(input.ArtifactName).Count == 0
                ? $"no artifact is named '{input.ArtifactName}' yet; run the pipeline whose step outputs it first"
                : $"artifact '{input.ArtifactName}' has no version '{input.Selector}'; `pipelines artifacts versions {input.ArtifactName}` lists them");
    }
}

/// <summary>Source-generated JSON for the pins a step process gets.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, ArtifactRecord?>))]
internal sealed partial class RegistryJson : System.Text.Json.Serialization.JsonSerializerContext;
