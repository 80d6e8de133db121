using System.Globalization;
using Microsoft.Data.Sqlite;

namespace PipelineSdk.Store;

/// <summary>
/// The SQLite metadata store (<c>metadata.db</c> in the store folder, WAL mode): runs, step runs, artifacts
/// and lineage. Safe to share between threads; writes are serialized. The CLI reads the same file.
/// </summary>
public sealed partial class MetadataStore : IDisposable
{
    /// <summary>The database file name inside the store folder.</summary>
    public const string DatabaseFileName = "metadata.db";

    private const int SchemaVersion = 5;

    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();

    private MetadataStore(SqliteConnection connection, string directory)
    {
        _connection = connection;
        Directory = directory;
    }

    /// <summary>The store folder.</summary>
    public string Directory { get; }

    /// <summary>The database file.</summary>
    public string DatabasePath => Path.Combine(Directory, DatabaseFileName);

    /// <summary>Opens (creating when missing) the store in <paramref name="directory"/>: the folder 0700, the database 0600.</summary>
    /// <exception cref="EnvironmentException">The folder or database cannot be used (read-only, a file, damaged, newer, full disk).</exception>
    public static MetadataStore Open(string directory)
    {
        StoreLocation.CreatePrivateFolder(directory);
        var path = Path.Combine(directory, DatabaseFileName);
        StoreLocation.CreatePrivateFile(path);
        return OpenDatabase(directory, path, new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }, readOnly: false);
    }

    /// <summary>
    /// Opens the store for commands that only read it: like <see cref="Open"/>, but an existing store that
    /// cannot be written (a read-only folder or file system) is opened read-only instead of failing.
    /// </summary>
    /// <exception cref="EnvironmentException">The folder or database cannot be used.</exception>
    public static MetadataStore OpenForReading(string directory)
    {
        var path = Path.Combine(directory, DatabaseFileName);
        try
        {
            return Open(directory);
        }
        catch (EnvironmentException e) when (e.Problem == EnvironmentProblem.StoreNotWritable && File.Exists(path))
        {
            // Immutable: nothing can write it from here, and SQLite need not create its -shm file beside it.
            var uri = new Uri(Path.GetFullPath(path)).AbsoluteUri + "?immutable=1";
            return OpenDatabase(directory, path, new SqliteConnectionStringBuilder { DataSource = uri, Mode = SqliteOpenMode.ReadOnly, Pooling = false }, readOnly: true);
        }
    }

    private static MetadataStore OpenDatabase(string directory, string path, SqliteConnectionStringBuilder settings, bool readOnly)
    {
        var connection = new SqliteConnection(settings.ToString());
        try
        {
            connection.Open();
            if (readOnly)
            {
                Execute(connection, "PRAGMA query_only=ON;");
                CheckVersion(connection, path, readOnly: true);
            }
            else
            {
                Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;");
                Migrate(connection, path);
            }
        }
        catch (SqliteException e) when (StoreProblems.FromSqlite(e, path) is { } problem)
        {
            connection.Dispose();
            throw problem;
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        return new MetadataStore(connection, directory);
    }

    private static int CheckVersion(SqliteConnection connection, string path, bool readOnly)
    {
        var version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version;"), CultureInfo.InvariantCulture);
        if (version > SchemaVersion)
        {
            throw new EnvironmentException(EnvironmentProblem.StoreDatabaseTooNew,
                $"{path} was written by a newer PipelineSdk (schema {version}, this one knows {SchemaVersion}); update PipelineSdk or set {StoreLocation.HomeVariable} to another folder");
        }

        if (readOnly && version < SchemaVersion)
        {
            throw new EnvironmentException(EnvironmentProblem.StoreNotWritable,
                $"{path} has an older schema ({version}) and cannot be upgraded because it is read-only; open it once with write access, or set {StoreLocation.HomeVariable} to another folder");
        }

        return version;
    }

    private static void Migrate(SqliteConnection connection, string path)
    {
        using var transaction = connection.BeginTransaction();
        var version = CheckVersion(connection, path, readOnly: false);

        if (version < 1)
        {
            Execute(connection, """
                CREATE TABLE runs (
                    id TEXT PRIMARY KEY,
                    pipeline TEXT NOT NULL,
                    status TEXT NOT NULL,
                    started_at TEXT NOT NULL,
                    ended_at TEXT,
                    parameters TEXT NOT NULL,
                    orchestrator TEXT NOT NULL,
                    error TEXT);
                CREATE INDEX runs_by_pipeline ON runs(pipeline, started_at);
                CREATE TABLE step_runs (
                    id INTEGER PRIMARY KEY,
                    run_id TEXT NOT NULL REFERENCES runs(id),
                    task_key TEXT NOT NULL,
                    step_name TEXT NOT NULL,
                    status TEXT NOT NULL,
                    started_at TEXT,
                    ended_at TEXT,
                    cache_key TEXT,
                    cache_key_parts TEXT,
                    cached_from INTEGER REFERENCES step_runs(id),
                    error TEXT,
                    UNIQUE (run_id, task_key));
                CREATE INDEX step_runs_by_cache_key ON step_runs(cache_key) WHERE status = 'completed';
                CREATE TABLE artifacts (
                    id INTEGER PRIMARY KEY,
                    uri TEXT NOT NULL,
                    kfp_type TEXT NOT NULL,
                    value_type TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    content_hash TEXT NOT NULL,
                    producer_step_run INTEGER NOT NULL REFERENCES step_runs(id),
                    output_name TEXT NOT NULL);
                CREATE TABLE step_run_outputs (
                    step_run_id INTEGER NOT NULL REFERENCES step_runs(id),
                    output_name TEXT NOT NULL,
                    artifact_id INTEGER NOT NULL REFERENCES artifacts(id),
                    PRIMARY KEY (step_run_id, output_name));
                CREATE TABLE step_run_inputs (
                    step_run_id INTEGER NOT NULL REFERENCES step_runs(id),
                    input_name TEXT NOT NULL,
                    source TEXT NOT NULL,
                    artifact_id INTEGER REFERENCES artifacts(id),
                    content_hash TEXT NOT NULL,
                    PRIMARY KEY (step_run_id, input_name));
                CREATE INDEX step_run_inputs_by_artifact ON step_run_inputs(artifact_id);
                """);
        }

        if (version < 2)
        {
            Execute(connection, "ALTER TABLE step_runs ADD COLUMN log_path TEXT;");
        }

        if (version < 3)
        {
            Execute(connection, """
                ALTER TABLE runs ADD COLUMN stack TEXT;
                ALTER TABLE step_runs ADD COLUMN depends_on TEXT;
                ALTER TABLE step_runs ADD COLUMN cache_enabled INTEGER;
                CREATE TABLE components (
                    type TEXT NOT NULL,
                    name TEXT NOT NULL,
                    flavor TEXT NOT NULL,
                    settings TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    PRIMARY KEY (type, name));
                CREATE TABLE stacks (
                    name TEXT PRIMARY KEY,
                    created_at TEXT NOT NULL);
                CREATE TABLE stack_components (
                    stack TEXT NOT NULL REFERENCES stacks(name),
                    type TEXT NOT NULL,
                    component TEXT NOT NULL,
                    PRIMARY KEY (stack, type),
                    FOREIGN KEY (type, component) REFERENCES components(type, name));
                CREATE TABLE store_settings (
                    key TEXT PRIMARY KEY,
                    value TEXT NOT NULL);
                """);
            CreateDefaultStack(connection);
        }

        if (version < 4)
        {
            Execute(connection, "ALTER TABLE runs ADD COLUMN remote_id TEXT; ALTER TABLE runs ADD COLUMN remote_url TEXT;");
        }

        if (version < 5)
        {
            // Artifact metadata (metrics, user metadata), as Kubeflow keeps it beside the URI.
            Execute(connection, "ALTER TABLE artifacts ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';");
        }

        Execute(connection, $"PRAGMA user_version = {SchemaVersion};");
        transaction.Commit();
    }

    /// <summary>Records the start of a run.</summary>
    public void CreateRun(string runId, string pipeline, DateTimeOffset startedAt, string parametersJson, string orchestrator, string? stack = null)
    {
        lock (_gate)
        {
            Execute(_connection,
                "INSERT INTO runs (id, pipeline, status, started_at, parameters, orchestrator, stack) VALUES ($id, $pipeline, $status, $started, $parameters, $orchestrator, $stack);",
                ("$id", runId), ("$pipeline", pipeline), ("$status", Format(RunStatus.Running)), ("$started", Format(startedAt)),
                ("$parameters", parametersJson), ("$orchestrator", orchestrator), ("$stack", stack));
        }
    }

    /// <summary>Records where a remotely orchestrated run lives (its resource name and console link).</summary>
    public void SetRunRemote(string runId, string remoteId, string remoteUrl)
    {
        lock (_gate)
        {
            Execute(_connection, "UPDATE runs SET remote_id = $remote, remote_url = $url WHERE id = $id;", ("$id", runId), ("$remote", remoteId), ("$url", remoteUrl));
        }
    }

    /// <summary>Records how a run ended.</summary>
    public void EndRun(string runId, RunStatus status, DateTimeOffset endedAt, string? error)
    {
        lock (_gate)
        {
            Execute(_connection, "UPDATE runs SET status = $status, ended_at = $ended, error = $error WHERE id = $id;",
                ("$id", runId), ("$status", Format(status)), ("$ended", Format(endedAt)), ("$error", error));
        }
    }

    /// <summary>Records that a step started running; returns the new step run's id.</summary>
    public long StartStepRun(string runId, string taskKey, string stepName, DateTimeOffset startedAt, string? cacheKey, string? cacheKeyParts, IReadOnlyList<string>? dependsOn = null, bool? cacheEnabled = null)
    {
        lock (_gate)
        {
            return Convert.ToInt64(Scalar(_connection, """
                INSERT INTO step_runs (run_id, task_key, step_name, status, started_at, cache_key, cache_key_parts, depends_on, cache_enabled)
                VALUES ($run, $task, $step, $status, $started, $key, $parts, $depends, $cache) RETURNING id;
                """,
                ("$run", runId), ("$task", taskKey), ("$step", stepName), ("$status", Format(StepStatus.Running)),
                ("$started", Format(startedAt)), ("$key", cacheKey), ("$parts", cacheKeyParts), ("$depends", JsonList(dependsOn)), ("$cache", cacheEnabled)), CultureInfo.InvariantCulture);
        }
    }

    /// <summary>
    /// Records a finished step run in one transaction: its status, the inputs it consumed, and its outputs —
    /// new artifacts it produced, or (for a cache hit) the artifacts it reused.
    /// </summary>
    /// <returns>The step run's output artifacts, by output name.</returns>
    public IReadOnlyDictionary<string, ArtifactRecord> FinishStepRun(
        long stepRunId,
        StepStatus status,
        DateTimeOffset endedAt,
        string? error,
        IReadOnlyList<StepInputRecord> inputs,
        IReadOnlyList<NewArtifact> producedOutputs,
        CachedStepRun? reusedFrom = null,
        string? logPath = null)
    {
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            Execute(_connection, "UPDATE step_runs SET status = $status, ended_at = $ended, error = $error, cached_from = $from, log_path = $log WHERE id = $id;",
                ("$id", stepRunId), ("$status", Format(status)), ("$ended", Format(endedAt)), ("$error", error), ("$from", reusedFrom?.StepRunId), ("$log", logPath));

            foreach (var input in inputs)
            {
                Execute(_connection, "INSERT INTO step_run_inputs (step_run_id, input_name, source, artifact_id, content_hash) VALUES ($id, $name, $source, $artifact, $hash);",
                    ("$id", stepRunId), ("$name", input.InputName), ("$source", input.Source), ("$artifact", input.ArtifactId), ("$hash", input.ContentHash));
            }

            var outputs = new Dictionary<string, ArtifactRecord>(StringComparer.Ordinal);
            foreach (var produced in producedOutputs)
            {
                var id = Convert.ToInt64(Scalar(_connection, """
                    INSERT INTO artifacts (uri, kfp_type, value_type, size, content_hash, producer_step_run, output_name, metadata)
                    VALUES ($uri, $kfp, $type, $size, $hash, $producer, $output, $metadata) RETURNING id;
                    """,
                    ("$uri", produced.Uri), ("$kfp", produced.KfpType), ("$type", produced.ValueType), ("$size", produced.Size),
                    ("$hash", produced.ContentHash), ("$producer", stepRunId), ("$output", produced.OutputName), ("$metadata", produced.MetadataJson)), CultureInfo.InvariantCulture);
                outputs[produced.OutputName] = new ArtifactRecord(id, produced.Uri, produced.KfpType, produced.ValueType, produced.Size, produced.ContentHash, stepRunId, produced.OutputName, produced.MetadataJson);
            }

            foreach (var reused in reusedFrom?.Outputs.Values ?? [])
            {
                outputs[reused.OutputName] = reused;
            }

            foreach (var output in outputs.Values)
            {
                Execute(_connection, "INSERT INTO step_run_outputs (step_run_id, output_name, artifact_id) VALUES ($id, $name, $artifact);",
                    ("$id", stepRunId), ("$name", output.OutputName), ("$artifact", output.Id));
            }

            transaction.Commit();
            return outputs;
        }
    }

    /// <summary>
    /// Records a task that did not run: because a task it depends on failed (<see cref="StepStatus.NotRun"/>), or because
    /// its branch's condition was false (<see cref="StepStatus.NotTriggered"/>).
    /// </summary>
    public void RecordNotRun(string runId, string taskKey, string stepName, string reason, IReadOnlyList<string>? dependsOn = null, StepStatus status = StepStatus.NotRun)
    {
        lock (_gate)
        {
            Execute(_connection, "INSERT INTO step_runs (run_id, task_key, step_name, status, error, depends_on) VALUES ($run, $task, $step, $status, $error, $depends);",
                ("$run", runId), ("$task", taskKey), ("$step", stepName), ("$status", Format(status)), ("$error", reason), ("$depends", JsonList(dependsOn)));
        }
    }

    /// <summary>
    /// Finds the newest step run of <paramref name="pipeline"/> that completed with <paramref name="cacheKey"/>,
    /// in any run (a failed run's completed steps count), with its output artifacts.
    /// </summary>
    public CachedStepRun? FindCachedStepRun(string pipeline, string cacheKey)
    {
        lock (_gate)
        {
            var found = Scalar(_connection, """
                SELECT s.id FROM step_runs s JOIN runs r ON r.id = s.run_id
                WHERE s.cache_key = $key AND s.status = 'completed' AND r.pipeline = $pipeline
                ORDER BY s.id DESC LIMIT 1;
                """, ("$key", cacheKey), ("$pipeline", pipeline));
            if (found is null)
            {
                return null;
            }

            var stepRunId = Convert.ToInt64(found, CultureInfo.InvariantCulture);
            return new CachedStepRun(stepRunId, ReadOutputs(stepRunId));
        }
    }

    /// <summary>Reads a run.</summary>
    public RunRecord? GetRun(string runId)
    {
        lock (_gate)
        {
            return Query(_connection, "SELECT id, pipeline, status, started_at, ended_at, parameters, orchestrator, error, stack, remote_id, remote_url FROM runs WHERE id = $id;", ReadRun, ("$id", runId)).SingleOrDefault();
        }
    }

    /// <summary>Lists runs, newest first, optionally of one pipeline only.</summary>
    public IReadOnlyList<RunRecord> ListRuns(string? pipeline = null, int limit = 100)
    {
        lock (_gate)
        {
            return Query(_connection, """
                SELECT id, pipeline, status, started_at, ended_at, parameters, orchestrator, error, stack, remote_id, remote_url FROM runs
                WHERE $pipeline IS NULL OR pipeline = $pipeline ORDER BY started_at DESC, rowid DESC LIMIT $limit;
                """, ReadRun, ("$pipeline", pipeline), ("$limit", limit));
        }
    }

    /// <summary>Lists a run's step runs in the order they started.</summary>
    public IReadOnlyList<StepRunRecord> GetStepRuns(string runId)
    {
        lock (_gate)
        {
            return Query(_connection, StepRunColumns + " WHERE run_id = $run ORDER BY id;", ReadStepRun, ("$run", runId));
        }
    }

    /// <summary>Reads one step run.</summary>
    public StepRunRecord? GetStepRun(long stepRunId)
    {
        lock (_gate)
        {
            return Query(_connection, StepRunColumns + " WHERE id = $id;", ReadStepRun, ("$id", stepRunId)).SingleOrDefault();
        }
    }

    /// <summary>
    /// The newest step run of task <paramref name="taskKey"/> of <paramref name="pipeline"/> that started before
    /// <paramref name="beforeStepRunId"/> and computed a cache key — what a cache decision compares against.
    /// </summary>
    public StepRunRecord? FindPreviousStepRun(string pipeline, string taskKey, long beforeStepRunId)
    {
        lock (_gate)
        {
            return Query(_connection, StepRunColumns + """
                 WHERE task_key = $task AND id < $before AND cache_key IS NOT NULL
                 AND status IN ('completed', 'cached') AND run_id IN (SELECT id FROM runs WHERE pipeline = $pipeline)
                 ORDER BY id DESC LIMIT 1;
                """, ReadStepRun, ("$task", taskKey), ("$before", beforeStepRunId), ("$pipeline", pipeline)).SingleOrDefault();
        }
    }

    /// <summary>Reads one artifact.</summary>
    public ArtifactRecord? GetArtifact(long artifactId)
    {
        lock (_gate)
        {
            return Query(_connection, """
                SELECT id, uri, kfp_type, value_type, size, content_hash, producer_step_run, output_name, metadata FROM artifacts WHERE id = $id;
                """, ReadArtifact, ("$id", artifactId)).SingleOrDefault();
        }
    }

    /// <summary>The step runs that consumed an artifact (lineage), oldest first.</summary>
    public IReadOnlyList<StepRunRecord> GetConsumers(long artifactId)
    {
        lock (_gate)
        {
            return Query(_connection, StepRunColumns + " WHERE id IN (SELECT step_run_id FROM step_run_inputs WHERE artifact_id = $id) ORDER BY id;", ReadStepRun, ("$id", artifactId));
        }
    }

    /// <summary>Reads a step run's output artifacts by output name.</summary>
    public IReadOnlyDictionary<string, ArtifactRecord> GetOutputs(long stepRunId)
    {
        lock (_gate)
        {
            return ReadOutputs(stepRunId);
        }
    }

    /// <summary>Reads what a step run consumed (lineage).</summary>
    public IReadOnlyList<StepInputRecord> GetInputs(long stepRunId)
    {
        lock (_gate)
        {
            return Query(_connection, "SELECT input_name, source, artifact_id, content_hash FROM step_run_inputs WHERE step_run_id = $id ORDER BY input_name;",
                r => new StepInputRecord(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetInt64(2), r.GetString(3)), ("$id", stepRunId));
        }
    }

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();

    private Dictionary<string, ArtifactRecord> ReadOutputs(long stepRunId) =>
        Query(_connection, """
            SELECT a.id, a.uri, a.kfp_type, a.value_type, a.size, a.content_hash, a.producer_step_run, o.output_name, a.metadata
            FROM step_run_outputs o JOIN artifacts a ON a.id = o.artifact_id WHERE o.step_run_id = $id;
            """,
            ReadArtifact, ("$id", stepRunId)).ToDictionary(a => a.OutputName, StringComparer.Ordinal);

    private const string StepRunColumns = """
        SELECT id, run_id, task_key, step_name, status, started_at, ended_at, cache_key, cache_key_parts, cached_from, error, log_path, depends_on, cache_enabled
        FROM step_runs
        """;

    private static StepRunRecord ReadStepRun(SqliteDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), ParseStepStatus(r.GetString(4)),
        ReadTime(r, 5), ReadTime(r, 6), r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8),
        r.IsDBNull(9) ? null : r.GetInt64(9), r.IsDBNull(10) ? null : r.GetString(10), r.IsDBNull(11) ? null : r.GetString(11),
        r.IsDBNull(12) ? [] : ParseList(r.GetString(12)), r.IsDBNull(13) ? null : r.GetBoolean(13));

    private static ArtifactRecord ReadArtifact(SqliteDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetString(5), r.GetInt64(6), r.GetString(7), r.GetString(8));

    private static RunRecord ReadRun(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), Enum.Parse<RunStatus>(r.GetString(2), ignoreCase: true), ReadTime(r, 3)!.Value, ReadTime(r, 4),
        r.GetString(5), r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8),
        r.IsDBNull(9) ? null : r.GetString(9), r.IsDBNull(10) ? null : r.GetString(10));

    private static string Format(RunStatus status) => status.ToString().ToLowerInvariant();

    private static string Format(StepStatus status) => status switch
    {
        StepStatus.NotRun => "not_run",
        StepStatus.NotTriggered => "not_triggered",
        _ => status.ToString().ToLowerInvariant(),
    };

    private static string? JsonList(IReadOnlyList<string>? items) =>
        items is null ? null : System.Text.Json.JsonSerializer.Serialize(items, StoreJson.Default.IReadOnlyListString);

    private static string[] ParseList(string json) =>
        System.Text.Json.JsonSerializer.Deserialize(json, StoreJson.Default.StringArray) ?? [];

    private static StepStatus ParseStepStatus(string text) =>
        text == "not_run" ? StepStatus.NotRun : text == "not_triggered" ? StepStatus.NotTriggered : Enum.Parse<StepStatus>(text, ignoreCase: true);

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset? ReadTime(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.Parse(reader.GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static SqliteCommand Command(SqliteConnection connection, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private static void Execute(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        var result = command.ExecuteScalar();
        return result is DBNull ? null : result;
    }

    private static List<T> Query<T>(SqliteConnection connection, string sql, Func<SqliteDataReader, T> read, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}

/// <summary>An output a step run produced, to be recorded as a new artifact.</summary>
/// <param name="OutputName">The step output.</param>
/// <param name="Uri">Where the content was written.</param>
/// <param name="KfpType">The Kubeflow type.</param>
/// <param name="ValueType">The .NET type as written in C#.</param>
/// <param name="Size">Content length in bytes.</param>
/// <param name="ContentHash">SHA-256 of the content, lower-case hex.</param>
/// <param name="MetadataJson">The artifact's metadata as a JSON object.</param>
public sealed record NewArtifact(string OutputName, string Uri, string KfpType, string ValueType, long Size, string ContentHash, string MetadataJson = "{}");

/// <summary>A completed step run whose outputs a cache hit can reuse.</summary>
/// <param name="StepRunId">The step run.</param>
/// <param name="Outputs">Its output artifacts by output name.</param>
public sealed record CachedStepRun(long StepRunId, IReadOnlyDictionary<string, ArtifactRecord> Outputs);

/// <summary>Source-generated JSON for the small lists the store keeps (no reflection, AOT-safe).</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyList<string>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
internal sealed partial class StoreJson : System.Text.Json.Serialization.JsonSerializerContext;
