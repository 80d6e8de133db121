using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PipelineSdk.Store.Sql;

/// <summary>
/// The store over SQL: the embedded SQLite file by default, PostgreSQL for a team's server (PipelineSdk.Server). One set
/// of tables and queries for both; <see cref="SqlDialect"/> holds what differs.
/// </summary>
public sealed partial class SqlMetadataStore : MetadataStore
{
    private readonly SqlDialect _dialect;

    private SqlMetadataStore(SqlDialect dialect, string directory)
        : base(directory) => _dialect = dialect;

    /// <inheritdoc />
    public override string Location => _dialect.Location;

    /// <summary>The database file of the embedded store in <paramref name="directory"/>.</summary>
    public static string SqlitePath(string directory) => Path.Combine(directory, DatabaseFileName);

    /// <summary>Opens (creating when missing) the embedded SQLite store in <paramref name="directory"/>.</summary>
    /// <exception cref="EnvironmentException">The folder or database cannot be used (read-only, a file, damaged, newer, full disk).</exception>
    public static SqlMetadataStore OpenSqlite(string directory)
    {
        // Run parameters, artifacts and logs are private: the folder 0700, the database 0600.
        StoreLocation.CreatePrivateFolder(directory);
        var path = SqlitePath(directory);
        StoreLocation.CreatePrivateFile(path);
        return OpenSqlite(directory, path, readOnly: false);
    }

    /// <summary>Opens an existing embedded store that cannot be written, for reading only (no migration).</summary>
    /// <exception cref="EnvironmentException">The database cannot be read, or has an older schema that needs writing.</exception>
    public static SqlMetadataStore OpenSqliteReadOnly(string directory) => OpenSqlite(directory, SqlitePath(directory), readOnly: true);

    private static SqlMetadataStore OpenSqlite(string directory, string path, bool readOnly)
    {
        try
        {
            var dialect = new SqliteDialect(path, readOnly);
            if (!readOnly)
            {
                return Open(dialect, directory);
            }

            try
            {
                using (var db = dialect.Lease())
                {
                    var version = dialect.ReadSchemaVersion(db);
                    Migrations.ThrowIfNewer(version, path);
                    if (version < Migrations.SchemaVersion)
                    {
                        throw new EnvironmentException(EnvironmentProblem.StoreNotWritable,
                            $"{path} has an older schema ({version}) and cannot be upgraded because it is read-only; open it once with write access, or set {StoreLocation.HomeVariable} to another folder");
                    }
                }

                return new SqlMetadataStore(dialect, directory);
            }
            catch
            {
                dialect.Dispose();
                throw;
            }
        }
        catch (Microsoft.Data.Sqlite.SqliteException e) when (StoreProblems.FromSqlite(e, path) is { } problem)
        {
            throw problem;
        }
    }

    /// <summary>
    /// Opens a store on <paramref name="dialect"/>'s database, migrating it to this version's schema;
    /// <paramref name="directory"/> is the local folder for artifacts and logs.
    /// </summary>
    public static SqlMetadataStore Open(SqlDialect dialect, string directory)
    {
        try
        {
            Migrations.Run(dialect);
        }
        catch
        {
            (dialect as IDisposable)?.Dispose();
            throw;
        }

        return new SqlMetadataStore(dialect, directory);
    }

    /// <summary>Lends a connection to the server's own tables (tokens) that share this database.</summary>
    public Db Lease() => _dialect.Lease();

    /// <inheritdoc />
    public override void CreateRun(string runId, string pipeline, DateTimeOffset startedAt, string parametersJson, string orchestrator, string? stack = null, RunOwner? owner = null, string? specJson = null, string? experiment = null)
    {
        using var db = _dialect.Lease();
        db.Begin();
        string? specHash = null;
        if (specJson is not null)
        {
            specHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(specJson)));
            db.Execute("INSERT INTO pipeline_specs (hash, pipeline, spec, created_at) VALUES (@hash, @pipeline, @spec, @now) ON CONFLICT (hash) DO NOTHING;",
                ("@hash", specHash), ("@pipeline", pipeline), ("@spec", specJson), ("@now", SqlFormat.Time(DateTimeOffset.UtcNow)));
        }

        db.Execute("""
            INSERT INTO runs (id, pipeline, status, started_at, parameters, orchestrator, stack, owner_host, owner_pid, owner_started_at, owner_user, heartbeat_at, spec_hash, experiment)
            VALUES (@id, @pipeline, @status, @started, @parameters, @orchestrator, @stack, @host, @pid, @pstart, @user, @started, @spec, @experiment)
            ON CONFLICT (id) DO NOTHING;
            """,
            ("@id", runId), ("@pipeline", pipeline), ("@status", SqlFormat.Status(RunStatus.Running)), ("@started", SqlFormat.Time(startedAt)),
            ("@parameters", parametersJson), ("@orchestrator", orchestrator), ("@stack", stack), ("@host", owner?.Host), ("@pid", owner?.ProcessId),
            ("@pstart", owner is null ? null : SqlFormat.Time(owner.ProcessStartedAt)), ("@user", owner?.User), ("@spec", specHash), ("@experiment", experiment));
        db.Commit();
    }

    /// <inheritdoc />
    public override void SetRunRemote(string runId, string remoteId, string remoteUrl)
    {
        using var db = _dialect.Lease();
        db.Execute("UPDATE runs SET remote_id = @remote, remote_url = @url WHERE id = @id;", ("@id", runId), ("@remote", remoteId), ("@url", remoteUrl));
    }

    /// <inheritdoc />
    public override void EndRun(string runId, RunStatus status, DateTimeOffset endedAt, string? error)
    {
        using var db = _dialect.Lease();
        db.Execute("UPDATE runs SET status = @status, ended_at = @ended, error = @error WHERE id = @id;",
            ("@id", runId), ("@status", SqlFormat.Status(status)), ("@ended", SqlFormat.Time(endedAt)), ("@error", error));
    }

    /// <inheritdoc />
    public override void Heartbeat(string runId, DateTimeOffset at)
    {
        using var db = _dialect.Lease();
        db.Execute("UPDATE runs SET heartbeat_at = @at WHERE id = @id AND status = 'running';", ("@id", runId), ("@at", SqlFormat.Time(at)));
    }

    /// <inheritdoc />
    public override bool MarkRunCrashed(string runId, DateTimeOffset at, string reason)
    {
        using var db = _dialect.Lease();
        db.Begin();
        var changed = db.Execute("UPDATE runs SET status = 'crashed', ended_at = @at, error = @reason WHERE id = @id AND status = 'running';",
            ("@id", runId), ("@at", SqlFormat.Time(at)), ("@reason", reason)) > 0;
        if (changed)
        {
            db.Execute("UPDATE step_runs SET status = 'crashed', ended_at = @at, error = @reason WHERE run_id = @id AND status = 'running';",
                ("@id", runId), ("@at", SqlFormat.Time(at)), ("@reason", reason));
        }

        db.Commit();
        return changed;
    }

    /// <inheritdoc />
    public override string? GetRunSpec(string runId)
    {
        using var db = _dialect.Lease();
        return db.Scalar("SELECT s.spec FROM runs r JOIN pipeline_specs s ON s.hash = r.spec_hash WHERE r.id = @id;", ("@id", runId)) as string;
    }

    /// <inheritdoc />
    public override long StartStepRun(string runId, string taskKey, string stepName, DateTimeOffset startedAt, string? cacheKey, string? cacheKeyParts, IReadOnlyList<string>? dependsOn = null, bool? cacheEnabled = null, bool nextAttempt = false)
    {
        using var db = _dialect.Lease();
        db.Begin();
        db.Execute("""
            INSERT INTO step_runs (run_id, task_key, step_name, status, started_at, cache_key, cache_key_parts, depends_on, cache_enabled)
            VALUES (@run, @task, @step, @status, @started, @key, @parts, @depends, @cache) ON CONFLICT (run_id, task_key) DO NOTHING;
            """,
            ("@run", runId), ("@task", taskKey), ("@step", stepName), ("@status", SqlFormat.Status(StepStatus.Running)),
            ("@started", SqlFormat.Time(startedAt)), ("@key", cacheKey), ("@parts", cacheKeyParts), ("@depends", JsonList(dependsOn)),
            ("@cache", cacheEnabled is null ? null : cacheEnabled.Value ? 1 : 0));
        var id = StepRunId(db, runId, taskKey);
        // A step container started again after its task failed: the orchestrator retries it, and this is its next attempt.
        if (nextAttempt && db.Execute("UPDATE step_runs SET status = @status, ended_at = NULL, error = NULL, log_path = NULL WHERE id = @id AND status = 'failed';",
            ("@id", id), ("@status", SqlFormat.Status(StepStatus.Running))) > 0)
        {
            db.Execute("DELETE FROM step_run_inputs WHERE step_run_id = @id;", ("@id", id));
        }

        db.Commit();
        return id;
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, ArtifactRecord> FinishStepRun(
        long stepRunId,
        StepStatus status,
        DateTimeOffset endedAt,
        string? error,
        IReadOnlyList<StepInputRecord> inputs,
        IReadOnlyList<NewArtifact> producedOutputs,
        CachedStepRun? reusedFrom = null,
        string? logPath = null)
    {
        using var db = _dialect.Lease();
        db.Begin();

        // Only a running step run finishes; a second finish (a client retrying after a lost answer) reads what the first recorded.
        var finished = db.Execute("UPDATE step_runs SET status = @status, ended_at = @ended, error = @error, cached_from = @from, log_path = @log WHERE id = @id AND status = 'running';",
            ("@id", stepRunId), ("@status", SqlFormat.Status(status)), ("@ended", SqlFormat.Time(endedAt)), ("@error", error), ("@from", reusedFrom?.StepRunId), ("@log", logPath)) > 0;
        if (!finished)
        {
            var recorded = ReadOutputs(db, stepRunId);
            db.Commit();
            return recorded;
        }

        foreach (var input in inputs)
        {
            db.Execute("INSERT INTO step_run_inputs (step_run_id, input_name, source, artifact_id, content_hash) VALUES (@id, @name, @source, @artifact, @hash);",
                ("@id", stepRunId), ("@name", input.InputName), ("@source", input.Source), ("@artifact", input.ArtifactId), ("@hash", input.ContentHash));
        }

        var outputs = new Dictionary<string, ArtifactRecord>(StringComparer.Ordinal);
        foreach (var produced in producedOutputs)
        {
            var id = Convert.ToInt64(db.Scalar("""
                INSERT INTO artifacts (uri, kfp_type, value_type, size, content_hash, producer_step_run, output_name, metadata)
                VALUES (@uri, @kfp, @type, @size, @hash, @producer, @output, @metadata) RETURNING id;
                """,
                ("@uri", produced.Uri), ("@kfp", produced.KfpType), ("@type", produced.ValueType), ("@size", produced.Size),
                ("@hash", produced.ContentHash), ("@producer", stepRunId), ("@output", produced.OutputName), ("@metadata", produced.MetadataJson)), CultureInfo.InvariantCulture);
            outputs[produced.OutputName] = new ArtifactRecord(id, produced.Uri, produced.KfpType, produced.ValueType, produced.Size, produced.ContentHash, stepRunId, produced.OutputName, produced.MetadataJson);
            if (produced.Name is not null)
            {
                AddArtifactVersion(db, produced, id, stepRunId, endedAt);
            }
        }

        foreach (var reused in reusedFrom?.Outputs.Values ?? [])
        {
            outputs[reused.OutputName] = reused;
        }

        if (reusedFrom is not null)
        {
            CopyMetadata(db, reusedFrom.StepRunId, stepRunId);
        }

        foreach (var output in outputs.Values)
        {
            db.Execute("INSERT INTO step_run_outputs (step_run_id, output_name, artifact_id) VALUES (@id, @name, @artifact);",
                ("@id", stepRunId), ("@name", output.OutputName), ("@artifact", output.Id));
        }

        db.Commit();
        return outputs;
    }

    /// <inheritdoc />
    public override void RecordAttempt(long stepRunId, StepAttemptRecord attempt)
    {
        using var db = _dialect.Lease();
        db.Execute("""
            INSERT INTO step_attempts (step_run_id, number, started_at, ended_at, outcome, error) VALUES (@id, @number, @started, @ended, @outcome, @error)
            ON CONFLICT (step_run_id, number) DO NOTHING;
            """,
            ("@id", stepRunId), ("@number", attempt.Number), ("@started", SqlFormat.Time(attempt.StartedAt)), ("@ended", SqlFormat.Time(attempt.EndedAt)),
            ("@outcome", attempt.Outcome.ToString().ToLowerInvariant()), ("@error", attempt.Error));
    }

    /// <inheritdoc />
    public override IReadOnlyList<StepAttemptRecord> GetAttempts(long stepRunId)
    {
        using var db = _dialect.Lease();
        return db.Query("SELECT number, started_at, ended_at, outcome, error FROM step_attempts WHERE step_run_id = @id ORDER BY number;",
            r => new StepAttemptRecord((int)SqlFormat.Long(r, 0)!.Value, SqlFormat.Time(r, 1)!.Value, SqlFormat.Time(r, 2)!.Value,
                Enum.Parse<AttemptOutcome>(r.GetString(3), ignoreCase: true), SqlFormat.String(r, 4)), ("@id", stepRunId));
    }

    /// <inheritdoc />
    public override void RecordNotRun(string runId, string taskKey, string stepName, string reason, IReadOnlyList<string>? dependsOn = null, StepStatus status = StepStatus.NotRun)
    {
        using var db = _dialect.Lease();
        db.Execute("INSERT INTO step_runs (run_id, task_key, step_name, status, error, depends_on) VALUES (@run, @task, @step, @status, @error, @depends) ON CONFLICT (run_id, task_key) DO NOTHING;",
            ("@run", runId), ("@task", taskKey), ("@step", stepName), ("@status", SqlFormat.Status(status)), ("@error", reason), ("@depends", JsonList(dependsOn)));
    }

    /// <inheritdoc />
    public override CachedStepRun? FindCachedStepRun(string pipeline, string cacheKey)
    {
        using var db = _dialect.Lease();
        var found = db.Scalar("""
            SELECT s.id FROM step_runs s JOIN runs r ON r.id = s.run_id
            WHERE s.cache_key = @key AND s.status = 'completed' AND r.pipeline = @pipeline
            ORDER BY s.id DESC LIMIT 1;
            """, ("@key", cacheKey), ("@pipeline", pipeline));
        if (found is null)
        {
            return null;
        }

        var stepRunId = Convert.ToInt64(found, CultureInfo.InvariantCulture);
        return new CachedStepRun(stepRunId, ReadOutputs(db, stepRunId));
    }

    /// <inheritdoc />
    public override RunRecord? GetRun(string runId)
    {
        using var db = _dialect.Lease();
        return WithMetadata(db, db.Query(RunColumns + " WHERE id = @id;", ReadRun, ("@id", runId)), "@id", ("@id", runId)).SingleOrDefault();
    }

    /// <inheritdoc />
    public override IReadOnlyList<RunRecord> ListRuns(RunQuery query)
    {
        // Filters are added to the text rather than written as "@p IS NULL OR ...": PostgreSQL cannot type a null parameter there.
        var filters = new List<string>();
        var parameters = new List<(string, object?)>();
        if (query.Pipeline is not null)
        {
            filters.Add("pipeline = @pipeline");
            parameters.Add(("@pipeline", query.Pipeline));
        }

        if (query.Status is { } wanted)
        {
            filters.Add("status = @status");
            parameters.Add(("@status", SqlFormat.Status(wanted)));
        }

        if (query.Experiment is not null)
        {
            filters.Add("experiment = @experiment");
            parameters.Add(("@experiment", query.Experiment));
        }

        var where = filters.Count == 0 ? "" : " WHERE " + string.Join(" AND ", filters);
        using var db = _dialect.Lease();
        // Metadata conditions compare JSON values, numbers as numbers, the same on both databases: they are checked here.
        var limit = query.Where.Count == 0 ? " LIMIT @limit" : "";
        var runs = db.Query(RunColumns + where + " ORDER BY started_at DESC, id DESC" + limit + ";", ReadRun,
            query.Where.Count == 0 ? [.. parameters, ("@limit", query.Limit)] : [.. parameters]);
        runs = WithMetadata(db, runs, "SELECT id FROM runs" + where, [.. parameters]);
        return query.Where.Count == 0 ? runs : [.. runs.Where(r => query.Where.All(c => c.Matches(r.MetadataJson))).Take(query.Limit)];
    }

    /// <inheritdoc />
    public override IReadOnlyList<StepRunRecord> GetStepRuns(string runId)
    {
        using var db = _dialect.Lease();
        return WithMetadata(db, db.Query(StepRunColumns + " WHERE run_id = @run ORDER BY id;", ReadStepRun, ("@run", runId)));
    }

    /// <inheritdoc />
    public override StepRunRecord? GetStepRun(long stepRunId)
    {
        using var db = _dialect.Lease();
        return WithMetadata(db, db.Query(StepRunColumns + " WHERE id = @id;", ReadStepRun, ("@id", stepRunId))).SingleOrDefault();
    }

    /// <inheritdoc />
    public override StepRunRecord? FindPreviousStepRun(string pipeline, string taskKey, long beforeStepRunId)
    {
        using var db = _dialect.Lease();
        return WithMetadata(db, db.Query(StepRunColumns + """
             WHERE task_key = @task AND id < @before AND cache_key IS NOT NULL
             AND status IN ('completed', 'cached') AND run_id IN (SELECT id FROM runs WHERE pipeline = @pipeline)
             ORDER BY id DESC LIMIT 1;
            """, ReadStepRun, ("@task", taskKey), ("@before", beforeStepRunId), ("@pipeline", pipeline))).SingleOrDefault();
    }

    /// <inheritdoc />
    public override ArtifactRecord? GetArtifact(long artifactId)
    {
        using var db = _dialect.Lease();
        return db.Query("""
            SELECT id, uri, kfp_type, value_type, size, content_hash, producer_step_run, output_name, metadata FROM artifacts WHERE id = @id;
            """, ReadArtifact, ("@id", artifactId)).SingleOrDefault();
    }

    /// <inheritdoc />
    public override IReadOnlyList<StepRunRecord> GetConsumers(long artifactId)
    {
        using var db = _dialect.Lease();
        return WithMetadata(db, db.Query(StepRunColumns + " WHERE id IN (SELECT step_run_id FROM step_run_inputs WHERE artifact_id = @id) ORDER BY id;", ReadStepRun, ("@id", artifactId)));
    }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, ArtifactRecord> GetOutputs(long stepRunId)
    {
        using var db = _dialect.Lease();
        return ReadOutputs(db, stepRunId);
    }

    /// <inheritdoc />
    public override IReadOnlyList<StepInputRecord> GetInputs(long stepRunId)
    {
        using var db = _dialect.Lease();
        return db.Query("SELECT input_name, source, artifact_id, content_hash FROM step_run_inputs WHERE step_run_id = @id ORDER BY input_name;",
            r => new StepInputRecord(r.GetString(0), r.GetString(1), SqlFormat.Long(r, 2), r.GetString(3)), ("@id", stepRunId));
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            (_dialect as IDisposable)?.Dispose();
        }
    }

    private static long StepRunId(Db db, string runId, string taskKey) =>
        Convert.ToInt64(db.Scalar("SELECT id FROM step_runs WHERE run_id = @run AND task_key = @task;", ("@run", runId), ("@task", taskKey)), CultureInfo.InvariantCulture);

    private static Dictionary<string, ArtifactRecord> ReadOutputs(Db db, long stepRunId) =>
        db.Query("""
            SELECT a.id, a.uri, a.kfp_type, a.value_type, a.size, a.content_hash, a.producer_step_run, o.output_name, a.metadata
            FROM step_run_outputs o JOIN artifacts a ON a.id = o.artifact_id WHERE o.step_run_id = @id;
            """,
            ReadArtifact, ("@id", stepRunId)).ToDictionary(a => a.OutputName, StringComparer.Ordinal);

    private const string RunColumns = """
        SELECT id, pipeline, status, started_at, ended_at, parameters, orchestrator, error, stack, remote_id, remote_url,
               owner_host, owner_pid, owner_started_at, owner_user, heartbeat_at, experiment
        FROM runs
        """;

    private const string StepRunColumns = """
        SELECT id, run_id, task_key, step_name, status, started_at, ended_at, cache_key, cache_key_parts, cached_from, error, log_path, depends_on, cache_enabled
        FROM step_runs
        """;

    private static StepRunRecord ReadStepRun(DbDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), SqlFormat.ParseStepStatus(r.GetString(4)),
        SqlFormat.Time(r, 5), SqlFormat.Time(r, 6), SqlFormat.String(r, 7), SqlFormat.String(r, 8),
        SqlFormat.Long(r, 9), SqlFormat.String(r, 10), SqlFormat.String(r, 11),
        r.IsDBNull(12) ? [] : ParseList(r.GetString(12)), SqlFormat.Long(r, 13) is { } cache ? cache != 0 : null);

    private static ArtifactRecord ReadArtifact(DbDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetString(5), r.GetInt64(6), r.GetString(7), r.GetString(8));

    private static RunRecord ReadRun(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), SqlFormat.ParseRunStatus(r.GetString(2)), SqlFormat.Time(r, 3)!.Value, SqlFormat.Time(r, 4),
        r.GetString(5), r.GetString(6), SqlFormat.String(r, 7), SqlFormat.String(r, 8), SqlFormat.String(r, 9), SqlFormat.String(r, 10),
        r.IsDBNull(11) ? null : new RunOwner(r.GetString(11), (int)SqlFormat.Long(r, 12)!.Value, SqlFormat.Time(r, 13)!.Value, SqlFormat.String(r, 14) ?? ""),
        SqlFormat.Time(r, 15), SqlFormat.String(r, 16));

    private static string? JsonList(IReadOnlyList<string>? items) =>
        items is null ? null : System.Text.Json.JsonSerializer.Serialize(items, StoreJson.Default.IReadOnlyListString);

    private static string[] ParseList(string json) =>
        System.Text.Json.JsonSerializer.Deserialize(json, StoreJson.Default.StringArray) ?? [];
}
