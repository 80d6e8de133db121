using System.Globalization;
using System.Text;
using PipelineSdk.Execution;
using PipelineSdk.Descriptors;
using PipelineSdk.Orchestration;
using PipelineSdk.Store;
using Spectre.Console;

namespace PipelineSdk.Hosting;

/// <summary>Prints a run's outcome: one row per task, then the run id and where its records live.</summary>
internal static class RunSummary
{
    private const int MaxValueLength = 60;

    public static void Write(IAnsiConsole console, PipelineDescriptor pipeline, PipelineRunResult result)
    {
        if (result.Status == RunStatus.Running)
        {
            console.Profile.Out.Writer.WriteLine($"Run {result.RunId} submitted; see `pipelines runs show {result.RunId}` once it has finished.");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Step").AddColumn("Status").AddColumn(new TableColumn("Duration").RightAligned()).AddColumn("Outputs");
        // Display names ([Step(DisplayName = ...)]) as the spec gives them to Vertex AI.
        var names = Launcher.ReadTaskNames(pipeline.SpecJson);
        foreach (var step in result.Steps)
        {
            // Tasks in loops and called pipelines run under longer keys (train[0], inner/load); their step is the same.
            var task = pipeline.Tasks.First(t => t.Step.Name == step.StepName);
            table.AddRow(
                new Text(names.GetValueOrDefault(step.TaskKey) is { } shown && shown != step.TaskKey ? $"{step.TaskKey} ({shown})" : step.TaskKey),
                new Markup(Status(step.Status)),
                new Text(step.Duration is { } d ? TaskStateText.Duration(d) : "-"),
                new Text(step.Succeeded ? Outputs(task, step) : result.Mask?.Apply(step.Error) ?? step.Error ?? ""));
        }

        console.Write(table);
        // Plain lines, never wrapped: ids and paths must stay copyable at any terminal width.
        var output = console.Profile.Out.Writer;
        output.WriteLine($"Run {result.RunId} {result.Status.ToString().ToLowerInvariant()} in {TaskStateText.Duration(result.Duration)}.");
        output.WriteLine($"Records:   {Store.Remote.ServerConnection.Find(result.StoreDirectory)?.Url ?? Path.Combine(result.StoreDirectory, MetadataStore.DatabaseFileName)}");
        output.WriteLine($"Artifacts: {result.Mask?.Apply(result.ArtifactDirectory) ?? result.ArtifactDirectory}");
    }

    /// <summary>The outcome as the last JSON line of <c>--output json</c>: a <c>run-ended</c> event with every task and its outputs.</summary>
    public static void WriteJson(ProgressJsonLines lines, PipelineDescriptor pipeline, PipelineRunResult result) =>
        lines.Write("run-ended", DateTimeOffset.UtcNow, w =>
        {
            w.WriteString("run", result.RunId);
            w.WriteString("pipeline", result.Pipeline);
            w.WriteString("status", result.Status.ToString().ToLowerInvariant());
            w.WriteNumber("durationMs", Math.Round(result.Duration.TotalMilliseconds, 3));
            w.WriteString("records", Path.Combine(result.StoreDirectory, MetadataStore.DatabaseFileName));
            w.WriteString("artifacts", result.ArtifactDirectory);
            w.WriteStartArray("steps");
            foreach (var step in result.Steps)
            {
                w.WriteStartObject();
                w.WriteString("task", step.TaskKey);
                w.WriteString("status", step.Status switch { StepStatus.NotRun => "not_run", StepStatus.NotTriggered => "not_triggered", _ => step.Status.ToString().ToLowerInvariant() });
                if (step.Duration is { } duration)
                {
                    w.WriteNumber("durationMs", Math.Round(duration.TotalMilliseconds, 3));
                }

                w.WriteStartObject("outputs");
                var task = pipeline.Tasks.FirstOrDefault(t => t.Step.Name == step.StepName);
                foreach (var output in step.Succeeded && task is not null ? task.Step.Outputs : [])
                {
                    w.WritePropertyName(output.Name);
                    if (output.Codec.Kind == Values.ValueKind.Artifact || !step.Outputs.ContainsKey(output.Name))
                    {
                        w.WriteStartObject();
                        w.WriteString("type", output.Codec.KfpType);
                        w.WriteString("uri", step.Artifacts.GetValueOrDefault(output.Name)?.Uri);
                        w.WriteEndObject();
                    }
                    else
                    {
                        w.WriteRawValue(output.Codec.ToBytes(step.Outputs[output.Name]), skipInputValidation: true);
                    }
                }

                w.WriteEndObject();
                w.WriteString("error", step.Error);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });

    private static string Status(StepStatus status) => status switch
    {
        StepStatus.Completed => "[green]ran[/]",
        StepStatus.Cached => "[blue]cached[/]",
        StepStatus.Failed => "[red]failed[/]",
        StepStatus.NotRun => "[grey]not run[/]",
        StepStatus.NotTriggered => "[grey]not triggered[/]",
        StepStatus.Unknown => "[grey]unknown[/]",
        _ => status.ToString(),
    };

    private static string Outputs(PipelineTask task, StepRunResult step)
    {
        var text = new StringBuilder();
        foreach (var output in task.Step.Outputs)
        {
            if (text.Length > 0)
            {
                text.Append(", ");
            }

            // Artifacts are files or folders: show their kind and size, not their content (the run's folder is printed below).
            var json = output.Codec.Kind == Values.ValueKind.Artifact
                ? step.Artifacts.TryGetValue(output.Name, out var artifact) ? $"{artifact.KfpType} ({artifact.Size.ToString(CultureInfo.InvariantCulture)} bytes)" : output.Codec.KfpType
                : step.Outputs.TryGetValue(output.Name, out var value) ? System.Text.Encoding.UTF8.GetString(output.Codec.ToBytes(value))
                // A remote orchestrator whose API reports no output values (Kubeflow Pipelines keeps them in its ML Metadata).
                : "(not reported)";
            text.Append(output.Name).Append(" = ").Append(json.Length <= MaxValueLength ? json : json[..(MaxValueLength - 3)] + "...");
        }

        return text.ToString();
    }
}
