using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Parsing;

/// <summary>
/// Loops over what an earlier loop collected: <c>foreach (var model in models)</c> after <c>models.Add(Train(...))</c>
/// — an <c>artifactIterator</c> for artifacts (KFP's ParallelFor over a <c>List[Artifact]</c>), a
/// <c>parameterIterator</c> for parameters — and a clear error for artifact lists a loop cannot read.
/// </summary>
internal sealed partial class PipelineParser
{
    /// <summary>True when <paramref name="source"/> is a collecting list or a list of artifacts: its items, or why not.</summary>
    private bool TryCollectedLoopItems(IOperation source, out ArgumentModel? items, out string? problem)
    {
        items = null;
        problem = null;
        if (source is ILocalReferenceOperation local && _collectors.TryGetValue(local.Local, out var collector))
        {
            if (collector.Call < 0)
            {
                problem = $"'{local.Local.Name}' before a loop added anything to it (loop over it after the loop that fills it)";
                return true;
            }

            for (var scope = _scope; scope >= 0; scope = _scopes[scope].Parent)
            {
                if (scope == collector.Loop)
                {
                    problem = $"'{local.Local.Name}' inside the loop that fills it (loop over it after that loop)";
                    return true;
                }
            }

            items = ArgumentModel.Collected("items", collector.Call, collector.Output);
            return true;
        }

        if (RunTimeValueType(source, out var description) is { IsArtifactList: true })
        {
            // A called pipeline's returned artifact list: its items' stored copies are not kept one by one.
            problem = $"{description}, a list of artifacts a called pipeline returns; loop over the list inside that pipeline, or collect the artifacts in this one";
            return true;
        }

        return false;
    }
}
