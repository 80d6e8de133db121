using System.Text.Json.Nodes;

namespace PipelineSdk.Tests.Shared.SpecExecution;

/// <summary>
/// Importer tasks as Kubeflow's driver runs them: no container; the output artifact is the URI (the executor's constant, or
/// the task input its <c>runtimeParameter</c> names) with the importer's type and metadata. Whether anything is stored there is
/// for the steps that read it to find out, as on Vertex AI.
/// </summary>
internal sealed partial class SpecRun
{
    private static TaskValues Import(JsonObject importer, JsonObject component, TaskValues inputs)
    {
        var artifactUri = importer["artifactUri"]!;
        var uri = artifactUri["constant"]?.GetValue<string>()
            ?? inputs.Parameters[artifactUri["runtimeParameter"]!.GetValue<string>()]!.GetValue<string>();
        var output = component["outputDefinitions"]!["artifacts"]!.AsObject().Single().Key;
        var outputs = new TaskValues();
        outputs.Artifacts[output] =
        [
            new RuntimeArtifactValue(uri, importer["typeSchema"]!["schemaTitle"]!.GetValue<string>(), (JsonObject?)importer["metadata"]?.DeepClone() ?? []),
        ];
        return outputs;
    }
}
