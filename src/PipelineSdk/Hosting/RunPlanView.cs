using System.Text;
using System.Text.Json;
using PipelineSdk.Orchestration;
using Spectre.Console;

namespace PipelineSdk.Hosting;

/// <summary>Shows a dry run's predictions (<c>--dry-run</c>): a table, or one JSON document with <c>--output json</c>.</summary>
internal static class RunPlanView
{
    public static void Write(IAnsiConsole console, RunPlan plan, bool json)
    {
        var output = console.Profile.Out.Writer;
        if (json)
        {
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartObject();
                w.WriteString("pipeline", plan.Pipeline);
                w.WriteString("orchestrator", plan.Orchestrator);
                w.WriteStartArray("tasks");
                foreach (var task in plan.Tasks)
                {
                    w.WriteStartObject();
                    w.WriteString("task", task.TaskKey);
                    w.WriteString("forecast", Name(task.Forecast).Replace(' ', '_'));
                    w.WriteString("reason", task.Reason);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            output.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumn("Step").AddColumn("Prediction").AddColumn("Why");
        foreach (var task in plan.Tasks)
        {
            table.AddRow(new Text(task.TaskKey), new Markup(Colour(task.Forecast)), new Text(task.Reason));
        }

        console.Write(table);
        var counts = plan.Tasks.GroupBy(t => t.Forecast).OrderBy(g => g.Key).Select(g => $"{g.Count()} {Name(g.Key)}");
        output.WriteLine($"Dry run of {plan.Pipeline} ({plan.Orchestrator}): {string.Join(", ", counts)}. Nothing ran and nothing was recorded.");
    }

    private static string Name(TaskForecast forecast) => forecast switch
    {
        TaskForecast.Cached => "cached",
        TaskForecast.Runs => "runs",
        TaskForecast.DecidedAtRunTime => "decided at run time",
        _ => "not triggered",
    };

    private static string Colour(TaskForecast forecast) => forecast switch
    {
        TaskForecast.Cached => "[blue]cached[/]",
        TaskForecast.Runs => "[yellow]runs[/]",
        TaskForecast.DecidedAtRunTime => "[grey]decided at run time[/]",
        _ => "[grey]not triggered[/]",
    };
}
