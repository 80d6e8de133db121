using System.Text.Json.Nodes;

namespace PipelineSdk.Tests.Shared.SpecExecution;

/// <summary>An artifact as Kubeflow passes it between tasks: where it is, its type and its metadata.</summary>
internal sealed record RuntimeArtifactValue(string Uri, string SchemaTitle, JsonObject Metadata);

/// <summary>The inputs or outputs of a task or DAG: parameter values and artifact lists by name.</summary>
internal sealed class TaskValues
{
    public Dictionary<string, JsonNode?> Parameters { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, List<RuntimeArtifactValue>> Artifacts { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// One entry of <c>jobDetail.taskDetails</c> (a task, a DAG, or one iteration of a loop), and for container tasks
/// the key the local orchestrators give the same step (<c>train-once/load</c>, <c>square[2]</c>).
/// </summary>
internal sealed class TaskRecord
{
    /// <summary>The task id (an int64 as a string, as the API returns it).</summary>
    public required string Id { get; init; }

    /// <summary>The enclosing DAG's (or loop's) task id; null for the pipeline's root.</summary>
    public string? ParentId { get; init; }

    /// <summary>The task's taskInfo.name, which the API reports as taskName.</summary>
    public required string Name { get; init; }

    /// <summary>For a container task, its key as the local orchestrators record it; null for DAGs and iterations.</summary>
    public string? StepKey { get; init; }

    /// <summary>For one iteration of a loop, its index.</summary>
    public int? IterationIndex { get; init; }

    /// <summary>False for the steps inside a DAG that never started (Vertex lists no task for them; the comparison needs them).</summary>
    public bool Reported { get; init; } = true;

    public string State { get; set; } = "PENDING";

    public DateTimeOffset? Start { get; set; }

    public DateTimeOffset? End { get; set; }

    public string? Error { get; set; }

    public TaskValues Outputs { get; set; } = new();

    public string? Log { get; set; }

    /// <summary>The task as <c>jobDetail.taskDetails[]</c> shows it.</summary>
    public JsonObject ToDetail()
    {
        var detail = new JsonObject { ["taskId"] = Id, ["taskName"] = Name, ["state"] = State };
        if (ParentId is not null)
        {
            detail["parentTaskId"] = ParentId;
        }

        if (Start is { } start)
        {
            detail["startTime"] = start.ToString("O");
        }

        if (End is { } end)
        {
            detail["endTime"] = end.ToString("O");
        }

        if (Error is not null)
        {
            detail["error"] = new JsonObject { ["code"] = 9, ["message"] = Error };
        }

        var metadata = new JsonObject();
        foreach (var (name, value) in Outputs.Parameters)
        {
            metadata["output:" + name] = value?.DeepClone();
        }

        if (IterationIndex is { } index)
        {
            metadata["iteration_index"] = index;
        }

        var executionState = State switch { "SUCCEEDED" => "COMPLETE", "SKIPPED" => "CACHED", "FAILED" => "FAILED", "CANCELLED" => "CANCELLED", "RUNNING" => "RUNNING", _ => "NEW" };
        detail["execution"] = new JsonObject { ["state"] = executionState, ["metadata"] = metadata };
        if (Outputs.Artifacts.Count > 0)
        {
            detail["outputs"] = new JsonObject(Outputs.Artifacts.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)new JsonObject
            {
                ["artifacts"] = new JsonArray([.. a.Value.Select(v => (JsonNode)new JsonObject
                {
                    ["uri"] = v.Uri,
                    ["schemaTitle"] = v.SchemaTitle,
                    ["metadata"] = v.Metadata.DeepClone(),
                })]),
            })));
        }

        return detail;
    }
}
