using PipelineSdk.Descriptors;
using PipelineSdk.Store;
using PipelineSdk.Values;

namespace PipelineSdk.Orchestration;

public sealed partial class LocalOrchestrator
{
    /// <summary>
    /// The items of a loop over artifacts (an <c>artifactIterator</c>): the stored artifacts behind the list, one per
    /// iteration, so each iteration reads its item from the store (and a step process gets its URI), as on Vertex AI.
    /// </summary>
    private static List<object?> ArtifactLoopItems(Frame frame, LoopNode loop) =>
        [.. Resolve(frame, loop.Items, null).Artifacts.Cast<object?>()];

    /// <summary>One artifact item as a step input: read back from the store, recorded with the stored artifact's lineage.</summary>
    private static ResolvedInput ArtifactLoopItem(LoopItemBinding binding, ArtifactRecord stored, ValueCodec? codec) =>
        new(codec is null ? null : ArtifactInputs.ValueOf(codec, stored.Uri, stored.MetadataJson, static () => null),
            new StepInputRecord(binding.InputName, "loop-item", stored.Id == 0 ? null : stored.Id, stored.ContentHash), [stored]);
}
