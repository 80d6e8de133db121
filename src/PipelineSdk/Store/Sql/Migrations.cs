namespace PipelineSdk.Store.Sql;

/// <summary>
/// The store's schema, as a list of steps that both databases run in the same order. Each step's text is shared; only
/// <c>{id}</c> (an auto-numbered key) differs by dialect.
/// </summary>
internal static class Migrations
{
    /// <summary>The schema version this PipelineSdk writes.</summary>
    public const int SchemaVersion = 9;

    private static readonly string[] Steps =
    [
        // 1: runs, step runs, artifacts and lineage.
        """
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
            id {id},
            run_id TEXT NOT NULL REFERENCES runs(id),
            task_key TEXT NOT NULL,
            step_name TEXT NOT NULL,
            status TEXT NOT NULL,
            started_at TEXT,
            ended_at TEXT,
            cache_key TEXT,
            cache_key_parts TEXT,
            cached_from BIGINT REFERENCES step_runs(id),
            error TEXT,
            UNIQUE (run_id, task_key));
        CREATE INDEX step_runs_by_cache_key ON step_runs(cache_key) WHERE status = 'completed';
        CREATE TABLE artifacts (
            id {id},
            uri TEXT NOT NULL,
            kfp_type TEXT NOT NULL,
            value_type TEXT NOT NULL,
            size BIGINT NOT NULL,
            content_hash TEXT NOT NULL,
            producer_step_run BIGINT NOT NULL REFERENCES step_runs(id),
            output_name TEXT NOT NULL);
        CREATE TABLE step_run_outputs (
            step_run_id BIGINT NOT NULL REFERENCES step_runs(id),
            output_name TEXT NOT NULL,
            artifact_id BIGINT NOT NULL REFERENCES artifacts(id),
            PRIMARY KEY (step_run_id, output_name));
        CREATE TABLE step_run_inputs (
            step_run_id BIGINT NOT NULL REFERENCES step_runs(id),
            input_name TEXT NOT NULL,
            source TEXT NOT NULL,
            artifact_id BIGINT REFERENCES artifacts(id),
            content_hash TEXT NOT NULL,
            PRIMARY KEY (step_run_id, input_name));
        CREATE INDEX step_run_inputs_by_artifact ON step_run_inputs(artifact_id);
        """,

        // 2: where a step's process wrote its output.
        "ALTER TABLE step_runs ADD COLUMN log_path TEXT;",

        // 3: stacks and components.
        """
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
        INSERT INTO components (type, name, flavor, settings, created_at) VALUES ('orchestrator', 'default', 'local', '{}', @now);
        INSERT INTO components (type, name, flavor, settings, created_at) VALUES ('artifact-store', 'default', 'local', '{}', @now);
        INSERT INTO stacks (name, created_at) VALUES ('default', @now);
        INSERT INTO stack_components (stack, type, component) VALUES ('default', 'orchestrator', 'default');
        INSERT INTO stack_components (stack, type, component) VALUES ('default', 'artifact-store', 'default');
        """,

        // 4: remote runs (Vertex) and their console links.
        "ALTER TABLE runs ADD COLUMN remote_id TEXT; ALTER TABLE runs ADD COLUMN remote_url TEXT;",

        // 5: artifact metadata (metrics, user metadata), as Kubeflow keeps it beside the URI.
        "ALTER TABLE artifacts ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';",

        // 6: who owns a run and whether it is alive (crash recovery), the spec it ran (the dashboard draws it),
        // schedules, and the server's API tokens (only hashes of their secrets).
        """
        ALTER TABLE runs ADD COLUMN owner_host TEXT;
        ALTER TABLE runs ADD COLUMN owner_pid INTEGER;
        ALTER TABLE runs ADD COLUMN owner_started_at TEXT;
        ALTER TABLE runs ADD COLUMN owner_user TEXT;
        ALTER TABLE runs ADD COLUMN heartbeat_at TEXT;
        ALTER TABLE runs ADD COLUMN spec_hash TEXT;
        CREATE INDEX runs_by_status ON runs(status);
        CREATE TABLE pipeline_specs (
            hash TEXT PRIMARY KEY,
            pipeline TEXT NOT NULL,
            spec TEXT NOT NULL,
            created_at TEXT NOT NULL);
        CREATE TABLE schedules (
            id TEXT PRIMARY KEY,
            display_name TEXT NOT NULL,
            pipeline TEXT NOT NULL,
            cron TEXT NOT NULL,
            orchestrator TEXT NOT NULL,
            stack TEXT,
            state TEXT NOT NULL,
            parameters TEXT NOT NULL,
            remote_url TEXT,
            created_at TEXT NOT NULL);
        CREATE TABLE api_tokens (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL,
            secret_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT,
            revoked_at TEXT,
            last_used_at TEXT);
        """,

        // 7: each attempt of a retried step with its error, and the dashboard's sessions (only hashes of their ids), so
        // a restart or another server on the same database keeps people signed in.
        """
        CREATE TABLE step_attempts (
            step_run_id BIGINT NOT NULL REFERENCES step_runs(id),
            number INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT NOT NULL,
            outcome TEXT NOT NULL,
            error TEXT,
            PRIMARY KEY (step_run_id, number));
        CREATE TABLE dashboard_sessions (
            id_hash TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            token_id TEXT REFERENCES api_tokens(id),
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL);
        CREATE INDEX dashboard_sessions_by_expiry ON dashboard_sessions(expires_at);
        """,

        // 8: experiments, and the metadata steps log for their run and their step run (a row per key, so two steps
        // logging different keys at once never overwrite each other; a run key remembers its step run, so a cache hit
        // on that step brings it to the new run).
        """
        ALTER TABLE runs ADD COLUMN experiment TEXT;
        CREATE INDEX runs_by_experiment ON runs(experiment, started_at);
        CREATE TABLE run_metadata (
            run_id TEXT NOT NULL REFERENCES runs(id),
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            step_run_id BIGINT REFERENCES step_runs(id),
            PRIMARY KEY (run_id, key));
        CREATE TABLE step_run_metadata (
            step_run_id BIGINT NOT NULL REFERENCES step_runs(id),
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (step_run_id, key));
        """,
        // 9: named, versioned artifacts and model stages. artifact_names keeps each name's newest version number, so making
        // the next one is one row update that concurrent writers take in turn.
        """
        CREATE TABLE artifact_names (
            name TEXT PRIMARY KEY,
            latest_version INTEGER NOT NULL,
            created_at TEXT NOT NULL);
        CREATE TABLE artifact_versions (
            name TEXT NOT NULL REFERENCES artifact_names(name),
            version INTEGER NOT NULL,
            artifact_id BIGINT NOT NULL REFERENCES artifacts(id),
            stage TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (name, version));
        CREATE INDEX artifact_versions_by_artifact ON artifact_versions(artifact_id);
        CREATE TABLE artifact_version_tags (
            name TEXT NOT NULL,
            version INTEGER NOT NULL,
            tag TEXT NOT NULL,
            PRIMARY KEY (name, version, tag),
            FOREIGN KEY (name, version) REFERENCES artifact_versions(name, version));
        CREATE TABLE model_stage_changes (
            id {id},
            name TEXT NOT NULL,
            version INTEGER NOT NULL,
            from_stage TEXT NOT NULL,
            to_stage TEXT NOT NULL,
            changed_by TEXT NOT NULL,
            changed_at TEXT NOT NULL);
        """,
    ];

    /// <summary>Refuses a database a newer PipelineSdk wrote: this one would misread it.</summary>
    /// <exception cref="EnvironmentException">It is newer.</exception>
    public static void ThrowIfNewer(int version, string location)
    {
        if (version > SchemaVersion)
        {
            throw new EnvironmentException(EnvironmentProblem.StoreDatabaseTooNew,
                $"{location} was written by a newer PipelineSdk (schema {version}, this one knows {SchemaVersion}); update PipelineSdk or set {StoreLocation.HomeVariable} to another folder");
        }
    }

    /// <summary>Brings the database to <see cref="SchemaVersion"/> in one transaction.</summary>
    /// <exception cref="EnvironmentException">The database was written by a newer PipelineSdk.</exception>
    public static void Run(SqlDialect dialect)
    {
        using var db = dialect.Lease();
        if (dialect.ReadSchemaVersion(db) == SchemaVersion)
        {
            return;
        }

        using var migrationLock = dialect.LockForMigration(db);
        db.Begin();
        var version = dialect.ReadSchemaVersion(db);
        ThrowIfNewer(version, dialect.Location);

        var now = SqlFormat.Time(DateTimeOffset.UtcNow);
        for (var step = version; step < SchemaVersion; step++)
        {
            db.Execute(Steps[step].Replace("{id}", dialect.IdColumn, StringComparison.Ordinal), ("@now", now));
        }

        dialect.WriteSchemaVersion(db, SchemaVersion);
        db.Commit();
    }
}
