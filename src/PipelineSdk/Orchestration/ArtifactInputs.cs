using PipelineSdk.Artifacts;
using PipelineSdk.Execution;
using PipelineSdk.Descriptors;
using PipelineSdk.Store;
using PipelineSdk.Values;

namespace PipelineSdk.Orchestration;

/// <summary>
/// The local orchestrator's artifact handling in one place: consumers and run results get values read back
/// from the store (an artifact is its stored copy, as on Vertex AI, never the producer's object), and child
/// processes get the stored artifacts' URIs.
/// </summary>
internal static class ArtifactInputs
{
    /// <summary>
    /// The value a consumer (or a run result) gets for an output stored at <paramref name="uri"/>; an artifact that is no
    /// local file (an imported <c>gs://</c> one) is the producer's, which reads the local copy the importer made.
    /// </summary>
    public static object? ValueOf(ValueCodec codec, string uri, string metadataJson, Func<object?> produced) =>
        IsStoredHere(codec, uri) ? LocalArtifactStore.Read(uri, codec, metadataJson) : produced();

    /// <summary>
    /// Adds a task's output as its consumers and run result get it: a parameter as the step returned it, an artifact read
    /// from its stored copy when first asked for.
    /// </summary>
    public static void AddValue(StoredOutputs values, StepPort output, string uri, string metadataJson, object? produced)
    {
        if (IsStoredHere(output.Codec, uri))
        {
            values.AddUnread(output.Name, () => LocalArtifactStore.Read(uri, output.Codec, metadataJson));
        }
        else
        {
            values.Add(output.Name, produced);
        }
    }

    private static bool IsStoredHere(ValueCodec codec, string uri) => codec is ArtifactCodec && uri.StartsWith("file:", StringComparison.Ordinal);

    /// <summary>The stored artifacts behind a task's artifact inputs, by input name.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<RuntimeArtifact>> Of(PipelineTask task, IEnumerable<(string InputName, IReadOnlyList<ArtifactRecord> Artifacts)> inputs)
    {
        var result = new Dictionary<string, IReadOnlyList<RuntimeArtifact>>(StringComparer.Ordinal);
        foreach (var (name, artifacts) in inputs)
        {
            if (task.Step.Inputs.FirstOrDefault(p => p.Name == name)?.Codec is ArtifactCodec)
            {
                result[name] = [.. artifacts.Select(a => new RuntimeArtifact(name, a.Uri, a.KfpType, a.MetadataJson))];
            }
        }

        return result;
    }

    /// <summary>The list a step after a loop gets from the artifacts its iterations stored, in iteration order.</summary>
    public static object? ListOf(ArtifactCodec codec, IReadOnlyList<ArtifactRecord> artifacts) =>
        codec.ReadList([.. artifacts.Select(a => new ArtifactContent(LocalArtifactStore.LocalPath(a.Uri), a.Uri, a.MetadataJson))]);
}
