using System.Text.Json.Nodes;

namespace PipelineSdk.Tests.Shared.SpecExecution;

internal sealed partial class SpecRun
{
    /// <summary>
    /// An <c>artifactIterator</c>: one DAG per artifact of the task's list input <c>items.inputArtifact</c>, each iteration
    /// given its artifact as <c>itemInput</c>; an input the task lacks, or an item input the component does not declare
    /// as an artifact, fails the loop task as Vertex AI fails it.
    /// </summary>
    private async Task<Outcome> RunArtifactLoopAsync(string name, JsonObject task, JsonObject iterator, JsonObject component, TaskValues inputs, Scope inner, TaskRecord record, CancellationToken cancellationToken)
    {
        var itemInput = iterator["itemInput"]!.GetValue<string>();
        var source = iterator["items"]?["inputArtifact"]?.GetValue<string>();
        string? problem = null;
        if (source is null || !inputs.Artifacts.TryGetValue(source, out var items))
        {
            problem = $"the iterator's items input {source} is not an artifact input of task {name}";
            items = [];
        }
        else if (!(component["inputDefinitions"]?["artifacts"]?.AsObject().ContainsKey(itemInput) ?? false))
        {
            problem = $"the iterator's itemInput {itemInput} is not an artifact input of {task["componentRef"]!["name"]}";
        }

        if (problem is not null)
        {
            End(record, "FAILED", problem);
            return new Outcome("FAILED", problem, new TaskValues());
        }

        return await RunIterationsAsync(name, task, component, inputs, inner, record, items.Count, (values, index) => values.Artifacts[itemInput] = [items[index]], cancellationToken);
    }
}
