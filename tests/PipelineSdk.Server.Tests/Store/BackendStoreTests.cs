using PipelineSdk.Postgres;
using PipelineSdk.Store;
using PipelineSdk.Store.Sql;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Server.Tests.Store;

/// <summary>What the SQL stores add to the contract: a database of an older schema is migrated and keeps its records.</summary>
public abstract class SqlStoreContractTests : StoreContractTests
{
    /// <summary>Writes the schema version as the dialect keeps it.</summary>
    protected abstract void SetSchemaVersion(Db db, int version);

    [Test]
    public async Task A_database_of_schema_6_is_migrated_to_record_attempts_and_sessions_and_keeps_its_runs()
    {
        var store = (SqlMetadataStore)await CreateStoreAsync(Folder);
        var at = DateTimeOffset.UtcNow;
        store.CreateRun("old-run", "p", at, "{}", "local");
        var step = store.StartStepRun("old-run", "a", "a", at, null, null);
        using (var db = store.Lease())
        {
            // What migrations 7, 8 and 9 added, taken away again: the database as PipelineSdk of schema 6 left it.
            db.Execute("DROP TABLE step_attempts; DROP TABLE dashboard_sessions;");
            db.Execute("DROP TABLE model_stage_changes; DROP TABLE artifact_version_tags; DROP TABLE artifact_versions; DROP TABLE artifact_names;");
            db.Execute("DROP TABLE run_metadata; DROP TABLE step_run_metadata; DROP INDEX runs_by_experiment; ALTER TABLE runs DROP COLUMN experiment;");
            SetSchemaVersion(db, 6);
        }

        using var migrated = (SqlMetadataStore)await OpenAgainAsync(store);
        store.Dispose();
        migrated.RecordAttempt(step, new StepAttemptRecord(1, at, at, AttemptOutcome.Failed, "boom"));
        migrated.LogRunMetadata("old-run", """{"accuracy":0.5}""");

        Assert.That(migrated.GetRun("old-run"), Is.Not.Null);
        Assert.That(migrated.GetAttempts(step).Single().Error, Is.EqualTo("boom"));
        Assert.That(migrated.GetRun("old-run")!.MetadataJson, Is.EqualTo("""{"accuracy":0.5}"""), "migration 8 adds logged metadata");
        using var check = migrated.Lease();
        Assert.That(Convert.ToInt64(check.Scalar("SELECT COUNT(*) FROM dashboard_sessions;")), Is.Zero);
        Assert.That(migrated.ListArtifactNames(), Is.Empty, "migration 9's tables exist again");
    }
}

/// <summary>The store contract on the embedded SQLite file.</summary>
public sealed class SqliteStoreTests : SqlStoreContractTests
{
    protected override void SetSchemaVersion(Db db, int version) => db.Execute($"PRAGMA user_version = {version};");

    protected override Task<MetadataStore> CreateStoreAsync(string directory) => Task.FromResult<MetadataStore>(SqlMetadataStore.OpenSqlite(directory));

    protected override Task<MetadataStore> OpenAgainAsync(MetadataStore store) => Task.FromResult<MetadataStore>(SqlMetadataStore.OpenSqlite(store.Directory));
}

/// <summary>The store contract on a real PostgreSQL server (a database of its own per test).</summary>
public sealed class PostgresStoreTests : SqlStoreContractTests
{
    protected override void SetSchemaVersion(Db db, int version) => db.Execute("UPDATE schema_version SET version = @v;", ("@v", version));

    private readonly Dictionary<MetadataStore, string> _connectionStrings = [];

    protected override async Task<MetadataStore> CreateStoreAsync(string directory)
    {
        var cluster = await PostgresCluster.GetAsync();
        var connectionString = await cluster.CreateDatabaseAsync();
        var store = SqlMetadataStore.Open(PostgresDialect.Create(connectionString), directory);
        _connectionStrings[store] = connectionString;
        return store;
    }

    protected override Task<MetadataStore> OpenAgainAsync(MetadataStore store)
    {
        var again = SqlMetadataStore.Open(PostgresDialect.Create(_connectionStrings[store]), store.Directory);
        _connectionStrings[again] = _connectionStrings[store];
        return Task.FromResult<MetadataStore>(again);
    }

    [Test]
    public async Task Several_processes_migrating_one_database_at_once_end_with_one_schema()
    {
        var cluster = await PostgresCluster.GetAsync();
        var connectionString = await cluster.CreateDatabaseAsync();
        var stores = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => SqlMetadataStore.Open(PostgresDialect.Create(connectionString), Folder))));
        try
        {
            Assert.That(stores.Select(s => s.ListStacks().Count), Is.All.EqualTo(1), "the default stack is created once");
        }
        finally
        {
            foreach (var store in stores)
            {
                store.Dispose();
            }
        }
    }

    [Test]
    public void A_password_in_the_connection_string_is_refused_with_what_to_do_instead()
    {
        var e = Assert.Throws<PipelineSdk.Stacks.StackException>(() => PostgresDialect.Create("Host=127.0.0.1;Database=x;Username=u;Password=secret"))!;
        Assert.That(e.Message, Does.Contain("PIPELINES_DATABASE_PASSWORD"));
        Assert.That(e.Message, Does.Not.Contain("secret"));
    }
}
