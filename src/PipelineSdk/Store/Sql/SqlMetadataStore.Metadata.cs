using System.Globalization;
using System.Text.Json;

namespace PipelineSdk.Store.Sql;

// Logged metadata (a row per key) and experiments.
public sealed partial class SqlMetadataStore
{
    private const string RunMetadataUpsert =
        "INSERT INTO run_metadata (run_id, key, value, step_run_id) VALUES (@owner, @key, @value, @step) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value, step_run_id = excluded.step_run_id;";

    private const string StepRunMetadataUpsert =
        "INSERT INTO step_run_metadata (step_run_id, key, value) VALUES (@owner, @key, @value) ON CONFLICT (step_run_id, key) DO UPDATE SET value = excluded.value;";

    /// <inheritdoc />
    public override void LogRunMetadata(string runId, string metadataJson, long? stepRunId = null)
    {
        using var db = _dialect.Lease();
        db.Begin();
        UpsertRunMetadata(db, runId, metadataJson, stepRunId);
        db.Commit();
    }

    /// <inheritdoc />
    public override void LogStepRunMetadata(long stepRunId, string metadataJson)
    {
        using var db = _dialect.Lease();
        db.Begin();
        UpsertStepRunMetadata(db, stepRunId, metadataJson);
        db.Commit();
    }

    /// <inheritdoc />
    public override IReadOnlyList<ExperimentRecord> ListExperiments()
    {
        using var db = _dialect.Lease();
        var pipelines = db.Query("SELECT DISTINCT experiment, pipeline FROM runs WHERE experiment IS NOT NULL;", r => (Experiment: r.GetString(0), Pipeline: r.GetString(1)))
            .ToLookup(p => p.Experiment, p => p.Pipeline, StringComparer.Ordinal);
        return db.Query("""
            SELECT experiment, COUNT(*), MIN(started_at), MAX(started_at) FROM runs WHERE experiment IS NOT NULL
            GROUP BY experiment ORDER BY MAX(started_at) DESC, experiment;
            """,
            r => new ExperimentRecord(r.GetString(0), (int)SqlFormat.Long(r, 1)!.Value, [.. pipelines[r.GetString(0)].Order(StringComparer.Ordinal)],
                SqlFormat.Time(r, 2)!.Value, SqlFormat.Time(r, 3)!.Value));
    }

    private static void UpsertRunMetadata(Db db, string runId, string metadataJson, long? stepRunId) =>
        Upsert(db, metadataJson, (key, value) => db.Execute(RunMetadataUpsert, ("@owner", runId), ("@key", key), ("@value", value), ("@step", stepRunId)));

    private static void UpsertStepRunMetadata(Db db, long stepRunId, string metadataJson) =>
        Upsert(db, metadataJson, (key, value) => db.Execute(StepRunMetadataUpsert, ("@owner", stepRunId), ("@key", key), ("@value", value)));

    /// <summary>Sets each key of the JSON object <paramref name="metadataJson"/>.</summary>
    private static void Upsert(Db db, string metadataJson, Action<string, string> set)
    {
        using var document = JsonDocument.Parse(metadataJson);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"metadata must be a JSON object, not {document.RootElement.ValueKind}");
        }

        foreach (var property in document.RootElement.EnumerateObject())
        {
            set(property.Name, property.Value.GetRawText());
        }
    }

    /// <summary>A cache hit brings the metadata its source step run logged, for itself and for its run, to the new step run and run.</summary>
    private static void CopyMetadata(Db db, long fromStepRunId, long toStepRunId)
    {
        db.Execute("""
            INSERT INTO step_run_metadata (step_run_id, key, value) SELECT @to, key, value FROM step_run_metadata WHERE step_run_id = @from
            ON CONFLICT (step_run_id, key) DO NOTHING;
            """, ("@from", fromStepRunId), ("@to", toStepRunId));
        db.Execute("""
            INSERT INTO run_metadata (run_id, key, value, step_run_id)
            SELECT (SELECT run_id FROM step_runs WHERE id = @to), key, value, @to FROM run_metadata WHERE step_run_id = @from
            ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value, step_run_id = excluded.step_run_id;
            """, ("@from", fromStepRunId), ("@to", toStepRunId));
    }

    private static List<RunRecord> WithMetadata(Db db, List<RunRecord> runs, string ownersSql, params (string Name, object? Value)[] parameters)
    {
        if (runs.Count == 0)
        {
            return runs;
        }

        var rows = db.Query($"SELECT run_id, key, value FROM run_metadata WHERE run_id IN ({ownersSql}) ORDER BY run_id, key;",
            r => (Owner: r.GetString(0), Key: r.GetString(1), Value: r.GetString(2)), parameters);
        var metadata = MetadataObjects(rows);
        return [.. runs.Select(run => metadata.TryGetValue(run.Id, out var json) ? run with { MetadataJson = json } : run)];
    }

    private static List<StepRunRecord> WithMetadata(Db db, List<StepRunRecord> stepRuns)
    {
        if (stepRuns.Count == 0)
        {
            return stepRuns;
        }

        var ids = string.Join(",", stepRuns.Select(s => s.Id.ToString(CultureInfo.InvariantCulture)));
        var rows = db.Query($"SELECT step_run_id, key, value FROM step_run_metadata WHERE step_run_id IN ({ids}) ORDER BY step_run_id, key;",
            r => (Owner: r.GetInt64(0).ToString(CultureInfo.InvariantCulture), Key: r.GetString(1), Value: r.GetString(2)));
        var metadata = MetadataObjects(rows);
        return [.. stepRuns.Select(s => metadata.TryGetValue(s.Id.ToString(CultureInfo.InvariantCulture), out var json) ? s with { MetadataJson = json } : s)];
    }

    /// <summary>Each owner's rows as one JSON object, keys in ordinal order.</summary>
    private static Dictionary<string, string> MetadataObjects(List<(string Owner, string Key, string Value)> rows)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in rows.GroupBy(r => r.Owner, StringComparer.Ordinal))
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                // Ordered here, not by the database: PostgreSQL may sort text by its locale.
                foreach (var row in group.OrderBy(r => r.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(row.Key);
                    writer.WriteRawValue(row.Value, skipInputValidation: true);
                }

                writer.WriteEndObject();
            }

            result[group.Key] = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        }

        return result;
    }
}
