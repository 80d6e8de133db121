using PipelineSdk.Artifacts;
using PipelineSdk.Execution;
using PipelineSdk.Model;
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
    /// <summary>The value a consumer (or a run result) gets for an output stored at <paramref name="uri"/>.</summary>
    public static object? ValueOf(ValueCodec codec, string uri, string metadataJson, object? produced) =>
        codec is ArtifactCodec ? LocalArtifactStore.Read(uri, codec, metadataJson) : produced;

    /// <summary>The stored artifacts behind a task's artifact inputs, by input name.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<RuntimeArtifact>> Of(PipelineTask task, IEnumerable<(string InputName, ArtifactRecord? Artifact)> inputs)
    {
        var result = new Dictionary<string, IReadOnlyList<RuntimeArtifact>>(StringComparer.Ordinal);
        foreach (var (name, artifact) in inputs)
        {
            if (artifact is not null && task.Step.Inputs.FirstOrDefault(p => p.Name == name)?.Codec is ArtifactCodec)
            {
                result[name] = [new RuntimeArtifact(name, artifact.Uri, artifact.KfpType, artifact.MetadataJson)];
            }
        }

        return result;
    }
}
