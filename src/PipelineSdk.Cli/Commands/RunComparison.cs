using System.Text.Json;
using PipelineSdk.Store;

namespace PipelineSdk.Cli.Commands;

/// <summary>
/// Runs side by side, as <c>pipelines experiments compare</c> shows them: one row per parameter, logged run metadata key,
/// metric (a Metrics artifact's values and what steps logged for their step run, as <c>task.key</c>) and step (how it
/// ended: ran, cached, failed ...), one column per run. A cell a run has nothing for is empty.
/// </summary>
internal sealed class RunComparison
{
    private RunComparison(IReadOnlyList<RunRecord> runs, IReadOnlyList<ComparedRow> rows)
    {
        Runs = runs;
        Rows = rows;
    }

    /// <summary>The compared runs, in the order given.</summary>
    public IReadOnlyList<RunRecord> Runs { get; }

    /// <summary>Every row, grouped by section (parameters, metadata, metrics, steps).</summary>
    public IReadOnlyList<ComparedRow> Rows { get; }

    /// <summary>Reads what to compare of <paramref name="runs"/> from the store.</summary>
    public static RunComparison Build(MetadataStore store, IReadOnlyList<RunRecord> runs)
    {
        var columns = runs.Select(run => Column(store, run)).ToList();
        var rows = new List<ComparedRow>();
        foreach (var section in new[] { "parameter", "metadata", "metric", "step" })
        {
            var keys = columns.SelectMany(c => c[section].Keys).Distinct(StringComparer.Ordinal);
            // Parameters keep the pipeline's order; everything else is easier to scan sorted.
            keys = section == "parameter" ? keys : keys.Order(StringComparer.Ordinal);
            // A run without the key has no value (null), not an undefined JsonElement.
            rows.AddRange(keys.Select(key => new ComparedRow(section, key, [.. columns.Select(c => c[section].TryGetValue(key, out var value) ? value : (JsonElement?)null)])));
        }

        return new RunComparison(runs, rows);
    }

    private static Dictionary<string, Dictionary<string, JsonElement>> Column(MetadataStore store, RunRecord run)
    {
        var metrics = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var steps = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var step in store.GetStepRuns(run.Id))
        {
            steps[step.TaskKey] = JsonSerializer.SerializeToElement(StepOutcome(step), CliJson.Default.String);
            foreach (var (key, value) in Properties(step.MetadataJson))
            {
                metrics[$"{step.TaskKey}.{key}"] = value;
            }

            if (step.Status is not (StepStatus.Completed or StepStatus.Cached))
            {
                continue;
            }

            var outputs = store.GetOutputs(step.Id).Values.Where(a => a.KfpType == "system.Metrics").ToList();
            foreach (var artifact in outputs)
            {
                // One Metrics output is named by its task; several by task and output.
                var prefix = outputs.Count == 1 ? step.TaskKey : $"{step.TaskKey}.{artifact.OutputName}";
                foreach (var (key, value) in Properties(artifact.MetadataJson).Where(p => p.Value.ValueKind is JsonValueKind.Number or JsonValueKind.String or JsonValueKind.True or JsonValueKind.False))
                {
                    metrics[$"{prefix}.{key}"] = value;
                }
            }
        }

        return new(StringComparer.Ordinal)
        {
            ["parameter"] = Properties(run.ParametersJson),
            ["metadata"] = Properties(run.MetadataJson),
            ["metric"] = metrics,
            ["step"] = steps,
        };
    }

    private static string StepOutcome(StepRunRecord step) => step.Status switch
    {
        StepStatus.Completed => "ran",
        StepStatus.Cached => "cached",
        StepStatus.NotRun => "not run",
        StepStatus.NotTriggered => "not triggered",
        _ => step.Status.ToString().ToLowerInvariant(),
    };

    private static Dictionary<string, JsonElement> Properties(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.ValueKind == JsonValueKind.Object
            ? document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal)
            : [];
    }
}

/// <summary>One row of a comparison: a section, a key and each run's value (null where a run has none).</summary>
internal sealed record ComparedRow(string Section, string Key, IReadOnlyList<JsonElement?> Values)
{
    /// <summary>Whether the runs disagree (a value missing in one run counts as different).</summary>
    public bool Differs => Values.Select(v => v?.GetRawText()).Distinct(StringComparer.Ordinal).Skip(1).Any();
}
