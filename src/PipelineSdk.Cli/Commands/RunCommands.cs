using System.CommandLine;
using System.Globalization;
using PipelineSdk.Caching;
using PipelineSdk.Store;
using Spectre.Console;

namespace PipelineSdk.Cli.Commands;

/// <summary><c>pipelines runs list|show|explain-cache</c>.</summary>
internal static class RunCommands
{
    public static Command Create(Cli cli)
    {
        var command = new Command("runs", "Inspects pipeline runs and their cache decisions.");
        command.Add(List(cli));
        command.Add(Show(cli));
        command.Add(ExplainCache(cli));
        return command;
    }

    private static Command List(Cli cli)
    {
        var pipeline = new Option<string?>("--pipeline") { Description = "Only runs of this pipeline." };
        var limit = new Option<int>("--limit") { Description = "At most this many runs (newest first).", DefaultValueFactory = _ => 50 };
        var experiment = new Option<string?>("--experiment") { Description = "Only runs of this experiment." };
        var where = new Option<string[]>("--where")
        {
            Description = "Only runs whose logged run metadata satisfies KEY OP VALUE, OP one of > >= < <= = != (e.g. accuracy>0.9); repeatable, all must hold.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var output = Cli.OutputOption();
        var command = new Command("list", "Lists runs, newest first.") { pipeline, limit, experiment, where, output };
        command.SetAction(cli.Handle(result =>
        {
            if (result.GetValue(limit) < 1)
            {
                throw new CliException($"--limit must be at least 1, got {result.GetValue(limit)}");
            }

            var query = new RunQuery
            {
                Pipeline = result.GetValue(pipeline),
                Limit = result.GetValue(limit),
                Experiment = result.GetValue(experiment),
                Where = MetadataText.Conditions(result.GetValue(where)),
            };
            using var store = Cli.OpenStoreForReading();
            var runs = cli.Reconcile(store, store.ListRuns(query));
            if (Cli.Json(result, output))
            {
                cli.WriteJson(w =>
                {
                    w.WriteStartArray();
                    foreach (var run in runs)
                    {
                        WriteRun(w, run);
                    }

                    w.WriteEndArray();
                });
                return;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumn("RUN").AddColumn("PIPELINE").AddColumn("STATUS").AddColumn("STARTED").AddColumn("DURATION").AddColumn("STACK").AddColumn("ORCHESTRATOR");
            // Experiments and metadata get columns only when some listed run has them, so plain listings stay as narrow as before.
            var experiments = runs.Any(r => r.Experiment is not null);
            var metadata = runs.Any(r => r.MetadataJson != "{}");
            if (experiments)
            {
                table.AddColumn("EXPERIMENT");
            }

            if (metadata)
            {
                table.AddColumn("METADATA");
            }

            foreach (var run in runs)
            {
                List<string> cells = [Markup.Escape(run.Id), Markup.Escape(run.Pipeline), Status(run.Status), run.StartedAt.ToString("u", CultureInfo.InvariantCulture),
                    Duration(run.EndedAt - run.StartedAt), Markup.Escape(run.Stack ?? "-"), run.Orchestrator];
                if (experiments)
                {
                    cells.Add(Markup.Escape(run.Experiment ?? "-"));
                }

                if (metadata)
                {
                    cells.Add(Markup.Escape(MetadataText.Format(run.MetadataJson)));
                }

                table.AddRow([.. cells]);
            }

            cli.Console.Write(table);
        }));
        return command;
    }

    private static Command Show(Cli cli)
    {
        var id = new Argument<string>("run") { Description = "The run id (see `pipelines runs list`)." };
        var output = Cli.OutputOption();
        var command = new Command("show", "Shows a run: each step's status, whether it was cached, its duration and outputs, and the DAG.") { id, output };
        command.SetAction(cli.Handle(result =>
        {
            using var store = Cli.OpenStoreForReading();
            var run = store.GetRun(result.GetValue(id)!) ?? throw new CliException($"no run '{result.GetValue(id)}' (see `pipelines runs list`)");
            run = cli.Reconcile(store, [run])[0];
            var steps = store.GetStepRuns(run.Id);
            if (Cli.Json(result, output))
            {
                cli.WriteJson(w =>
                {
                    w.WriteStartObject();
                    w.WritePropertyName("run");
                    WriteRun(w, run);
                    w.WriteStartArray("steps");
                    foreach (var step in steps)
                    {
                        WriteStep(w, store, step);
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                });
                return;
            }

            cli.Line($"Run {run.Id} of pipeline {run.Pipeline}: {run.Status.ToString().ToLowerInvariant()}, {Duration(run.EndedAt - run.StartedAt)}, stack {run.Stack ?? "-"}, orchestrator {run.Orchestrator}");
            cli.Line($"Parameters: {run.ParametersJson}");
            if (run.Experiment is not null)
            {
                cli.Line($"Experiment: {run.Experiment}");
            }

            if (run.MetadataJson != "{}")
            {
                cli.Line($"Metadata: {MetadataText.Format(run.MetadataJson)}");
            }

            if (run.Error is not null)
            {
                cli.Line($"Error: {run.Error}");
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumn("STEP").AddColumn("STATUS").AddColumn("CACHED").AddColumn("DURATION").AddColumn("OUTPUTS");
            var artifacts = new List<(StepRunRecord Step, ArtifactRecord Artifact, string Preview)>();
            foreach (var step in steps)
            {
                var stepArtifacts = step.Status is StepStatus.Completed or StepStatus.Cached
                    ? store.GetOutputs(step.Id).Values.OrderBy(a => a.OutputName, StringComparer.Ordinal).Select(a => (step, a, ArtifactCommands.Preview(a))).ToList()
                    : [];
                artifacts.AddRange(stepArtifacts);
                // A cell holds one line: multi-line values are printed below the table, beside their location.
                var outputs = step.Status is StepStatus.Completed or StepStatus.Cached
                    ? string.Join(", ", stepArtifacts.Select(a => $"{a.a.OutputName} = {(IsMultiLine(a.Item3) ? "(several lines, below)" : a.Item3)} (#{a.a.Id})"))
                    : FirstLine(step.Error ?? "");
                table.AddRow(Markup.Escape(step.TaskKey), Status(step.Status), step.Status == StepStatus.Cached ? "yes" : "no", Duration(step.Duration), Markup.Escape(outputs));
            }

            cli.Console.Write(table);
            if (artifacts.Count > 0)
            {
                cli.Line("Artifacts:");
                foreach (var (step, artifact, preview) in artifacts)
                {
                    cli.Line($"  #{artifact.Id} {step.TaskKey}.{artifact.OutputName} ({artifact.KfpType}): {artifact.Uri}");
                    foreach (var line in IsMultiLine(preview) ? preview.TrimEnd('\n').Split('\n') : [])
                    {
                        cli.Line($"      {line.TrimEnd('\r')}");
                    }
                }
            }

            // Steps that ran more than once (a [Retry] step): each attempt and how it ended.
            foreach (var step in steps.Where(Ran))
            {
                var attempts = store.GetAttempts(step.Id);
                if (attempts.Count < 2)
                {
                    continue;
                }

                cli.Line($"Attempts of {step.TaskKey}:");
                foreach (var attempt in attempts)
                {
                    cli.Line($"  {attempt.Number} {attempt.Outcome.ToString().ToLowerInvariant()} after {Duration(attempt.EndedAt - attempt.StartedAt)}{(attempt.Error is { } error ? ": " + error : "")}");
                }
            }

            foreach (var step in steps.Where(s => s.MetadataJson != "{}"))
            {
                cli.Line($"Metadata of {step.TaskKey}: {MetadataText.Format(step.MetadataJson)}");
            }

            foreach (var step in steps.Where(s => s.Error is { } e && IsMultiLine(e)))
            {
                cli.Line($"Error of {step.TaskKey}:");
                foreach (var line in step.Error!.Split('\n'))
                {
                    cli.Line($"      {line.TrimEnd('\r')}");
                }
            }

            cli.Console.Write(Dag(run, steps));
        }));
        return command;
    }

    private static Command ExplainCache(Cli cli)
    {
        var id = new Argument<string>("run") { Description = "The run id." };
        var task = new Argument<string>("step") { Description = "The task key, e.g. train or train-2." };
        var output = Cli.OutputOption();
        var command = new Command("explain-cache", "Says why a step did or did not come from the cache: which part of its key changed (its code, a method it uses, an input, its outputs).") { id, task, output };
        command.SetAction(cli.Handle(result =>
        {
            using var store = Cli.OpenStore();
            var explanation = CacheExplanation.Explain(store, result.GetValue(id)!, result.GetValue(task)!);
            if (Cli.Json(result, output))
            {
                cli.WriteJson(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("run", explanation.StepRun.RunId);
                    w.WriteString("step", explanation.StepRun.TaskKey);
                    w.WriteString("decision", explanation.Decision.ToString());
                    w.WriteString("summary", explanation.Summary);
                    if (explanation.ComparedWith is { } compared)
                    {
                        w.WriteStartObject("comparedWith");
                        w.WriteNumber("stepRun", compared.Id);
                        w.WriteString("run", compared.RunId);
                        w.WriteEndObject();
                    }

                    w.WriteStartArray("changes");
                    foreach (var change in explanation.Changes)
                    {
                        w.WriteStartObject();
                        w.WriteString("part", change.Part);
                        w.WriteString("name", change.Name);
                        w.WriteString("description", change.Description);
                        if (change.Before is not null && change.After is not null)
                        {
                            w.WritePropertyName("before");
                            w.WriteRawValue(change.Before);
                            w.WritePropertyName("after");
                            w.WriteRawValue(change.After);
                        }

                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                });
                return;
            }

            cli.Line(explanation.Summary);
            foreach (var change in explanation.Changes)
            {
                cli.Line($"  - {change.Description}");
            }
        }));
        return command;
    }

    /// <summary>The DAG as a tree: each task under the tasks it takes outputs from (a task with several producers appears under each).</summary>
    private static Tree Dag(RunRecord run, IReadOnlyList<StepRunRecord> steps)
    {
        var tree = new Tree(Markup.Escape(run.Pipeline));
        var byKey = steps.ToDictionary(s => s.TaskKey);
        var children = steps.SelectMany(s => s.DependsOn.Select(parent => (Parent: parent, Child: s))).ToLookup(p => p.Parent, p => p.Child);
        void Add(IHasTreeNodes parent, StepRunRecord step, int depth)
        {
            var node = parent.AddNode($"{Markup.Escape(step.TaskKey)} {Status(step.Status)}");
            if (depth < 64)
            {
                foreach (var child in children[step.TaskKey])
                {
                    Add(node, child, depth + 1);
                }
            }
        }

        foreach (var root in steps.Where(s => s.DependsOn.Count == 0 || s.DependsOn.All(d => !byKey.ContainsKey(d))))
        {
            Add(tree, root, 0);
        }

        return tree;
    }

    private static bool IsMultiLine(string text) => text.TrimEnd('\n').Contains('\n', StringComparison.Ordinal);

    private static string FirstLine(string text) => IsMultiLine(text) ? text.Split('\n')[0].TrimEnd('\r') + " (more below)" : text;

    internal static string Status(RunStatus status) => status switch
    {
        RunStatus.Completed => "[green]completed[/]",
        RunStatus.Running => "[yellow]running[/]",
        RunStatus.Cancelled => "[yellow]cancelled[/]",
        _ => "[red]failed[/]",
    };

    internal static string Status(StepStatus status) => status switch
    {
        StepStatus.Completed => "[green]completed[/]",
        StepStatus.Cached => "[blue]cached[/]",
        StepStatus.Failed => "[red]failed[/]",
        StepStatus.Running => "[yellow]running[/]",
        StepStatus.NotTriggered => "[grey]not triggered[/]",
        StepStatus.Unknown => "[grey]unknown[/]",
        _ => "[grey]not run[/]",
    };

    internal static string Duration(TimeSpan? duration) => duration switch
    {
        null => "-",
        { TotalSeconds: >= 1 } d => d.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s",
        { } d => d.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms",
    };

    internal static void WriteRun(System.Text.Json.Utf8JsonWriter w, RunRecord run)
    {
        w.WriteStartObject();
        w.WriteString("id", run.Id);
        w.WriteString("pipeline", run.Pipeline);
        w.WriteString("status", run.Status.ToString().ToLowerInvariant());
        w.WriteString("startedAt", run.StartedAt);
        if (run.EndedAt is { } ended)
        {
            w.WriteString("endedAt", ended);
        }

        w.WriteString("stack", run.Stack);
        w.WriteString("orchestrator", run.Orchestrator);
        w.WriteString("experiment", run.Experiment);
        w.WritePropertyName("parameters");
        w.WriteRawValue(run.ParametersJson);
        w.WritePropertyName("metadata");
        w.WriteRawValue(run.MetadataJson);
        w.WriteString("error", run.Error);
        w.WriteEndObject();
    }

    private static void WriteStep(System.Text.Json.Utf8JsonWriter w, MetadataStore store, StepRunRecord step)
    {
        w.WriteStartObject();
        w.WriteString("task", step.TaskKey);
        w.WriteString("step", step.StepName);
        w.WriteString("status", step.Status switch { StepStatus.NotRun => "not_run", StepStatus.NotTriggered => "not_triggered", _ => step.Status.ToString().ToLowerInvariant() });
        w.WriteBoolean("cached", step.Status == StepStatus.Cached);
        if (step.Duration is { } duration)
        {
            w.WriteNumber("durationMs", Math.Round(duration.TotalMilliseconds, 3));
        }

        w.WriteStartArray("dependsOn");
        foreach (var dependency in step.DependsOn)
        {
            w.WriteStringValue(dependency);
        }

        w.WriteEndArray();
        w.WriteStartObject("outputs");
        foreach (var artifact in store.GetOutputs(step.Id).Values.OrderBy(a => a.OutputName, StringComparer.Ordinal))
        {
            w.WritePropertyName(artifact.OutputName);
            ArtifactCommands.WriteArtifact(w, artifact);
        }

        w.WriteEndObject();
        w.WriteStartArray("attempts");
        foreach (var attempt in Ran(step) ? store.GetAttempts(step.Id) : [])
        {
            w.WriteStartObject();
            w.WriteNumber("number", attempt.Number);
            w.WriteString("startedAt", attempt.StartedAt);
            w.WriteString("endedAt", attempt.EndedAt);
            w.WriteString("outcome", attempt.Outcome.ToString().ToLowerInvariant());
            w.WriteString("error", attempt.Error);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WritePropertyName("metadata");
        w.WriteRawValue(step.MetadataJson);
        w.WriteString("error", step.Error);
        w.WriteString("log", step.LogPath);
        w.WriteEndObject();
    }

    // Only a step that executed has attempts; cached and skipped ones are not asked about.
    private static bool Ran(StepRunRecord step) => step.Status is StepStatus.Completed or StepStatus.Failed or StepStatus.Crashed;
}
