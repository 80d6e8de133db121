using PipelineSdk.Descriptors;
using PipelineSdk.Values;

namespace PipelineSdk.Orchestration;

public sealed partial class LocalOrchestrator
{
    /// <summary>The output of the branch that ran, read inside that branch (KFP's <c>valueFromOneof</c>/<c>artifactSelectors</c>).</summary>
    private static ResolvedInput ResolveOneOf(Frame frame, OneOfBinding binding, ValueCodec? codec)
    {
        var group = frame.Find(binding.Group).Frames.SingleOrDefault()
            ?? throw new InvalidOperationException($"'{binding.Group}' did not run, so no branch gave '{binding.InputName}' a value");
        foreach (var (branch, value) in binding.Branches.Zip(binding.Values))
        {
            if (group.Outcomes.TryGetValue(branch, out var outcome) && outcome.Task.IsCompleted && outcome.Task.Result.Frames is [var taken])
            {
                var resolved = Resolve(taken, value, codec);
                return resolved with { Record = resolved.Record with { InputName = binding.InputName } };
            }
        }

        throw new InvalidOperationException($"no branch of '{binding.Group}' ran, so none gave '{binding.InputName}' a value");
    }
}
