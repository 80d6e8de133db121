using BenchmarkDotNet.Attributes;
using PipelineSdk.Benchmarks.Infrastructure;
using PipelineSdk.Postgres;
using PipelineSdk.Store;
using PipelineSdk.Store.Sql;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Benchmarks.Store;

/// <summary>
/// Issue 13. Write throughput of the two database backends of the store: the same step records written to PostgreSQL (a
/// real cluster on 127.0.0.1, started for the run) and to the embedded SQLite file (baseline), by one writer and by 8 at
/// once (each its own store instance, as 8 programs or a server's request threads are).
/// </summary>
public class DatabaseWriteBenchmarks
{
    private const int Steps = 400;

    private string _directory = null!;
    private List<MetadataStore> _sqlite = null!;
    private List<MetadataStore> _postgres = null!;

    public static IEnumerable<int> WriterCounts => [1, 8];

    [ParamsSource(nameof(WriterCounts))]
    public int Writers { get; set; }

    /// <summary>Step records per operation.</summary>
    public static int StepsPerOperation => Suite.Smoke ? 16 : Steps;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Suite.Temp, $"database-write-{Writers}");
        var sqliteDirectory = Path.Combine(_directory, "sqlite");
        _sqlite = [.. Enumerable.Range(0, Writers).Select(_ => (MetadataStore)SqlMetadataStore.OpenSqlite(sqliteDirectory))];
        var cluster = PostgresCluster.GetAsync().GetAwaiter().GetResult();
        var database = cluster.CreateDatabaseAsync().GetAwaiter().GetResult();
        _postgres = [.. Enumerable.Range(0, Writers).Select(_ => (MetadataStore)SqlMetadataStore.Open(PostgresDialect.Create(database, null), Path.Combine(_directory, "postgres")))];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sqlite.Concat(_postgres).ToList().ForEach(s => s.Dispose());
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "SQLite (embedded file)")]
    public void Sqlite() => Write(_sqlite);

    [Benchmark(Description = "PostgreSQL")]
    public void Postgres() => Write(_postgres);

    private static void Write(List<MetadataStore> writers)
    {
        var run = StepRecording.NewRun(writers[0], "bench-database");
        StepRecording.RecordConcurrently(writers, run, StepsPerOperation);
    }
}
