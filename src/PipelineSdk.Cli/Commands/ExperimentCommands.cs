using System.CommandLine;
using System.Globalization;
using PipelineSdk.Store;
using Spectre.Console;

namespace PipelineSdk.Cli.Commands;

/// <summary><c>pipelines experiments list|compare</c>.</summary>
internal static class ExperimentCommands
{
    public static Command Create(Cli cli)
    {
        var command = new Command("experiments", "Lists experiments and compares runs side by side.");
        command.Add(List(cli));
        command.Add(Compare(cli));
        return command;
    }

    private static Command List(Cli cli)
    {
        var output = Cli.OutputOption();
        var command = new Command("list", "Lists the experiments runs were recorded in, most recently used first.") { output };
        command.SetAction(cli.Handle(result =>
        {
            using var store = Cli.OpenStoreForReading();
            var experiments = store.ListExperiments();
            if (Cli.Json(result, output))
            {
                cli.WriteJson(w =>
                {
                    w.WriteStartArray();
                    foreach (var experiment in experiments)
                    {
                        w.WriteStartObject();
                        w.WriteString("name", experiment.Name);
                        w.WriteNumber("runs", experiment.Runs);
                        w.WriteStartArray("pipelines");
                        foreach (var pipeline in experiment.Pipelines)
                        {
                            w.WriteStringValue(pipeline);
                        }

                        w.WriteEndArray();
                        w.WriteString("firstRunAt", experiment.FirstRunAt);
                        w.WriteString("lastRunAt", experiment.LastRunAt);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                });
                return;
            }

            if (experiments.Count == 0)
            {
                cli.Line("No experiments yet: give a pipeline one with [Pipeline(Experiment = \"NAME\")], or run it with --experiment NAME.");
                return;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumn("EXPERIMENT").AddColumn("RUNS").AddColumn("PIPELINES").AddColumn("LAST RUN");
            foreach (var experiment in experiments)
            {
                table.AddRow(Markup.Escape(experiment.Name), experiment.Runs.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(string.Join(", ", experiment.Pipelines)), experiment.LastRunAt.ToString("u", CultureInfo.InvariantCulture));
            }

            cli.Console.Write(table);
        }));
        return command;
    }

    private static Command Compare(Cli cli)
    {
        var runIds = new Argument<string[]>("runs") { Description = "The runs to compare (see `pipelines runs list`).", Arity = ArgumentArity.ZeroOrMore };
        var experiment = new Option<string?>("--experiment") { Description = "Compares the newest runs of this experiment (with --limit) instead of runs named one by one." };
        var limit = new Option<int>("--limit") { Description = "With --experiment: at most this many runs, newest first.", DefaultValueFactory = _ => 10 };
        var output = Cli.OutputOption();
        var command = new Command("compare", "Shows runs side by side: parameters, logged metadata, metrics, and which steps ran or came from the cache.") { runIds, experiment, limit, output };
        command.SetAction(cli.Handle(result =>
        {
            var named = result.GetValue(runIds) ?? [];
            var experimentName = result.GetValue(experiment);
            if (named.Length > 0 && experimentName is not null)
            {
                throw new CliException("give runs or --experiment NAME, not both");
            }

            if (result.GetValue(limit) < 2)
            {
                throw new CliException($"--limit must be at least 2 to compare runs, got {result.GetValue(limit)}");
            }

            using var store = Cli.OpenStoreForReading();
            var runs = experimentName is not null
                ? store.ListRuns(new RunQuery { Experiment = experimentName, Limit = result.GetValue(limit) })
                : [.. named.Distinct(StringComparer.Ordinal).Select(id => store.GetRun(id) ?? throw new CliException($"no run '{id}' (see `pipelines runs list`)"))];
            if (runs.Count < 2)
            {
                throw new CliException(experimentName is null
                    ? "give at least two runs to compare: `pipelines experiments compare RUN RUN ...` (or --experiment NAME)"
                    : $"experiment '{experimentName}' has {runs.Count} run{(runs.Count == 1 ? "" : "s")}; comparing needs two (see `pipelines experiments list`)");
            }

            var comparison = RunComparison.Build(store, runs);
            if (Cli.Json(result, output))
            {
                WriteJson(cli, comparison);
                return;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumn("");
            foreach (var run in runs)
            {
                table.AddColumn(Markup.Escape(run.Id));
            }

            table.AddRow(["[grey]status[/]", .. runs.Select(r => RunCommands.Status(r.Status))]);
            table.AddRow(["[grey]experiment[/]", .. runs.Select(r => Markup.Escape(r.Experiment ?? "-"))]);
            string? section = null;
            foreach (var row in comparison.Rows)
            {
                if (row.Section != section)
                {
                    section = row.Section;
                    table.AddRow(new Markup($"[bold]{section switch { "parameter" => "parameters", "metadata" => "run metadata", "metric" => "metrics", _ => "steps" }}[/]"));
                }

                // Values that differ between the runs are what a comparison is for: they stand out.
                var cells = row.Values.Select(v => v is { } value ? Markup.Escape(MetadataText.Value(value)) : "[grey]-[/]").Select(c => row.Differs ? $"[yellow]{c}[/]" : c);
                table.AddRow([$"  {Markup.Escape(row.Key)}", .. cells]);
            }

            cli.Console.Write(table);
        }));
        return command;
    }

    private static void WriteJson(Cli cli, RunComparison comparison) => cli.WriteJson(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("runs");
        for (var i = 0; i < comparison.Runs.Count; i++)
        {
            var run = comparison.Runs[i];
            w.WriteStartObject();
            w.WriteString("id", run.Id);
            w.WriteString("pipeline", run.Pipeline);
            w.WriteString("experiment", run.Experiment);
            w.WriteString("status", run.Status.ToString().ToLowerInvariant());
            foreach (var section in new[] { ("parameter", "parameters"), ("metadata", "metadata"), ("metric", "metrics"), ("step", "steps") })
            {
                w.WriteStartObject(section.Item2);
                foreach (var row in comparison.Rows.Where(r => r.Section == section.Item1 && r.Values[i] is not null))
                {
                    w.WritePropertyName(row.Key);
                    row.Values[i]!.Value.WriteTo(w);
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("differences");
        foreach (var row in comparison.Rows.Where(r => r.Differs))
        {
            w.WriteStringValue($"{row.Section}:{row.Key}");
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });
}
