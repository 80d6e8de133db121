using System.Globalization;
using PipelineSdk.Stacks;

namespace PipelineSdk.Store.Sql;

// Named artifact versions and model stages (see MetadataStore.Registry.cs).
public sealed partial class SqlMetadataStore
{
    /// <inheritdoc />
    public override IReadOnlyList<ArtifactNameRecord> ListArtifactNames()
    {
        using var db = _dialect.Lease();
        return db.Query("""
            SELECT n.name, n.latest_version, a.kfp_type, v.created_at
            FROM artifact_names n
            JOIN artifact_versions v ON v.name = n.name AND v.version = n.latest_version
            JOIN artifacts a ON a.id = v.artifact_id
            ORDER BY n.name;
            """,
            r => new ArtifactNameRecord(r.GetString(0), (int)SqlFormat.Long(r, 1)!.Value, r.GetString(2), SqlFormat.Time(r, 3)!.Value));
    }

    /// <inheritdoc />
    public override IReadOnlyList<ArtifactVersionRecord> ListArtifactVersions(string name)
    {
        using var db = _dialect.Lease();
        var tags = db.Query("SELECT version, tag FROM artifact_version_tags WHERE name = @name ORDER BY tag;",
            r => (Version: (int)SqlFormat.Long(r, 0)!.Value, Tag: r.GetString(1)), ("@name", name)).ToLookup(t => t.Version, t => t.Tag);
        return db.Query("""
            SELECT v.version, v.stage, v.created_at, s.run_id,
                   a.id, a.uri, a.kfp_type, a.value_type, a.size, a.content_hash, a.producer_step_run, a.output_name, a.metadata
            FROM artifact_versions v
            JOIN artifacts a ON a.id = v.artifact_id
            JOIN step_runs s ON s.id = a.producer_step_run
            WHERE v.name = @name ORDER BY v.version DESC;
            """,
            r =>
            {
                var version = (int)SqlFormat.Long(r, 0)!.Value;
                var artifact = new ArtifactRecord(r.GetInt64(4), r.GetString(5), r.GetString(6), r.GetString(7), r.GetInt64(8), r.GetString(9), r.GetInt64(10), r.GetString(11), r.GetString(12));
                return new ArtifactVersionRecord(name, version, artifact, r.GetString(3), ParseStage(r.GetString(1)), [.. tags[version]], SqlFormat.Time(r, 2)!.Value);
            },
            ("@name", name));
    }

    /// <inheritdoc />
    public override bool TagArtifactVersion(string name, int version, string tag)
    {
        using var db = _dialect.Lease();
        db.Begin();
        var exists = db.Scalar("SELECT 1 FROM artifact_versions WHERE name = @name AND version = @version;", ("@name", name), ("@version", version)) is not null;
        if (exists)
        {
            db.Execute("INSERT INTO artifact_version_tags (name, version, tag) VALUES (@name, @version, @tag) ON CONFLICT (name, version, tag) DO NOTHING;",
                ("@name", name), ("@version", version), ("@tag", tag));
        }

        db.Commit();
        return exists;
    }

    /// <inheritdoc />
    public override IReadOnlyList<StageChangeRecord> SetModelStage(string name, int version, ModelStage stage, bool keepOthers, string changedBy, DateTimeOffset at)
    {
        using var db = _dialect.Lease();
        db.Begin();
        var changes = SetModelStage(db, name, version, stage, keepOthers, changedBy, at);
        db.Commit();
        return changes;
    }

    /// <summary>Moves a version to <paramref name="stage"/> inside the caller's transaction (see the public overload).</summary>
    private static List<StageChangeRecord> SetModelStage(Db db, string name, int version, ModelStage stage, bool keepOthers, string changedBy, DateTimeOffset at)
    {
        // Updating the name's row first makes concurrent promotions of one model take turns (PostgreSQL's row lock; SQLite's
        // single writer), so "one version per stage" holds when two promote at once.
        if (db.Execute("UPDATE artifact_names SET latest_version = latest_version WHERE name = @name;", ("@name", name)) == 0)
        {
            throw new StackException($"there is no model '{name}'; `pipelines model list` shows the models");
        }

        var stages = db.Query("SELECT version, stage FROM artifact_versions WHERE name = @name;",
            r => (Version: (int)SqlFormat.Long(r, 0)!.Value, Stage: ParseStage(r.GetString(1))), ("@name", name)).ToDictionary(v => v.Version, v => v.Stage);
        if (!stages.TryGetValue(version, out var current))
        {
            throw new StackException($"model '{name}' has no version {version.ToString(CultureInfo.InvariantCulture)}; `pipelines model versions {name}` lists them");
        }

        var changes = new List<StageChangeRecord>();
        if (current == stage)
        {
            return changes;
        }

        if (!keepOthers && stage is ModelStage.Staging or ModelStage.Production)
        {
            foreach (var other in stages.Where(s => s.Value == stage && s.Key != version).Select(s => s.Key).Order())
            {
                changes.Add(ChangeStage(db, name, other, stage, ModelStage.Archived, changedBy, at));
            }
        }

        changes.Add(ChangeStage(db, name, version, current, stage, changedBy, at));
        return changes;
    }

    /// <inheritdoc />
    public override IReadOnlyList<StageChangeRecord> GetStageChanges(string name)
    {
        using var db = _dialect.Lease();
        return db.Query("SELECT version, from_stage, to_stage, changed_by, changed_at FROM model_stage_changes WHERE name = @name ORDER BY id;",
            r => new StageChangeRecord(name, (int)SqlFormat.Long(r, 0)!.Value, ParseStage(r.GetString(1)), ParseStage(r.GetString(2)), r.GetString(3), SqlFormat.Time(r, 4)!.Value),
            ("@name", name));
    }

    /// <summary>
    /// Records a named output, inside the caller's transaction: the name's next version, or for a promoting output whose
    /// content already is a version, that version; a promoting output's version then moves to its stage, changed by the run.
    /// </summary>
    private static void AddArtifactVersion(Db db, NewArtifact produced, long artifactId, long stepRunId, DateTimeOffset at)
    {
        var name = produced.Name!;
        if (produced.PromotesTo is not { } promotesTo)
        {
            AddArtifactVersion(db, name, artifactId, produced.Tags ?? [], at);
            return;
        }

        var existing = produced.ContentHash.Length == 0 ? null : db.Scalar("""
            SELECT v.version FROM artifact_versions v JOIN artifacts a ON a.id = v.artifact_id
            WHERE v.name = @name AND a.content_hash = @hash ORDER BY v.version DESC LIMIT 1;
            """, ("@name", name), ("@hash", produced.ContentHash));
        var version = existing is null ? AddArtifactVersion(db, name, artifactId, produced.Tags ?? [], at) : Convert.ToInt32(existing, CultureInfo.InvariantCulture);
        var runId = (string)db.Scalar("SELECT run_id FROM step_runs WHERE id = @id;", ("@id", stepRunId))!;
        SetModelStage(db, name, version, ParseStage(promotesTo), keepOthers: false, $"run {runId}", at);
    }

    /// <summary>Makes the next version of <paramref name="name"/> for a new artifact, inside the caller's transaction; returns it.</summary>
    private static int AddArtifactVersion(Db db, string name, long artifactId, IReadOnlyList<string> tags, DateTimeOffset at)
    {
        // One statement that both creates the name and counts up: the row it writes is locked until the transaction ends.
        var version = Convert.ToInt32(db.Scalar("""
            INSERT INTO artifact_names (name, latest_version, created_at) VALUES (@name, 1, @at)
            ON CONFLICT (name) DO UPDATE SET latest_version = artifact_names.latest_version + 1 RETURNING latest_version;
            """, ("@name", name), ("@at", SqlFormat.Time(at))), CultureInfo.InvariantCulture);
        db.Execute("INSERT INTO artifact_versions (name, version, artifact_id, stage, created_at) VALUES (@name, @version, @artifact, @stage, @at);",
            ("@name", name), ("@version", version), ("@artifact", artifactId), ("@stage", StageName(ModelStage.None)), ("@at", SqlFormat.Time(at)));
        foreach (var tag in tags.Distinct(StringComparer.Ordinal))
        {
            db.Execute("INSERT INTO artifact_version_tags (name, version, tag) VALUES (@name, @version, @tag);", ("@name", name), ("@version", version), ("@tag", tag));
        }

        return version;
    }

    private static StageChangeRecord ChangeStage(Db db, string name, int version, ModelStage from, ModelStage to, string changedBy, DateTimeOffset at)
    {
        db.Execute("UPDATE artifact_versions SET stage = @stage WHERE name = @name AND version = @version;", ("@name", name), ("@version", version), ("@stage", StageName(to)));
        db.Execute("INSERT INTO model_stage_changes (name, version, from_stage, to_stage, changed_by, changed_at) VALUES (@name, @version, @from, @to, @by, @at);",
            ("@name", name), ("@version", version), ("@from", StageName(from)), ("@to", StageName(to)), ("@by", changedBy), ("@at", SqlFormat.Time(at)));
        return new StageChangeRecord(name, version, from, to, changedBy, at);
    }

    private static string StageName(ModelStage stage) => stage.ToString().ToLowerInvariant();

    private static ModelStage ParseStage(string text) => Enum.Parse<ModelStage>(text, ignoreCase: true);
}
