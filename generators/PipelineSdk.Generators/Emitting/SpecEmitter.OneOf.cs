using System.Globalization;
using System.Linq;
using PipelineSdk.Generators.Graph;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Emitting;

/// <summary>KFP's <c>dsl.OneOf</c> outputs, written as the KFP compiler writes them (if_elif_else_with_oneof_parameters.yaml).</summary>
internal static partial class SpecEmitter
{
    /// <summary><c>pipelinechannel--condition-branches-1-oneof-1</c>: numbered per pipeline, in order.</summary>
    private static string OneOfChannel(DagGraph dag, int oneOf) =>
        $"{Channel}{dag.Groups[dag.Pipeline.OneOfs[oneOf].Group].Key}-oneof-{(oneOf + 1).ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// For a branches group with OneOf values: each branch's DAG outputs its task's output, and the group outputs the
    /// one of them that ran — <c>valueFromOneof.parameterSelectors</c> for parameters, <c>artifactSelectors</c> for artifacts.
    /// </summary>
    private static void WriteOneOfOutputs(JsonObject group, JsonObject allComponents, DagGraph dag, int scope, EquatableArray<ComponentNode> components)
    {
        for (var i = 0; i < dag.Pipeline.OneOfs.Count; i++)
        {
            var oneOf = dag.Pipeline.OneOfs[i];
            if (oneOf.Group != scope)
            {
                continue;
            }

            var channel = OneOfChannel(dag, i);
            var selectors = new System.Collections.Generic.List<JsonNode>();
            foreach (var branch in oneOf.Branches)
            {
                var task = dag.Tasks[branch.Call];
                var branchOutput = ChannelName(dag, branch);
                var branchComponent = allComponents.Object("comp-" + dag.Groups[task.Scope].ComponentName);
                AddDefinition(branchComponent.Object("outputDefinitions"), branchOutput, OutputType(dag, branch, components));
                WriteDagOutput(branchComponent.Object("dag").Object("outputs"), branchOutput, oneOf.Type.IsArtifact, task.Key, branch.Reference!);

                var selector = new JsonObject();
                selector[oneOf.Type.IsArtifact ? "outputArtifactKey" : "outputParameterKey"] = JsonRaw.String(branchOutput);
                selector["producerSubtask"] = JsonRaw.String(dag.Groups[task.Scope].Key);
                selectors.Add(selector);
            }

            AddDefinition(group.Object("outputDefinitions"), channel, oneOf.Type);
            var outputs = group.Object("dag").Object("outputs");
            if (oneOf.Type.IsArtifact)
            {
                outputs.Object("artifacts").Object(channel)["artifactSelectors"] = new JsonArray(selectors);
            }
            else
            {
                outputs.Object("parameters").Object(channel).Object("valueFromOneof")["parameterSelectors"] = new JsonArray(selectors);
            }
        }
    }
}
