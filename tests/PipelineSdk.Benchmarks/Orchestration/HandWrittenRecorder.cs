using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using PipelineSdk.Store;

namespace PipelineSdk.Benchmarks.Orchestration;

/// <summary>
/// The floor for what a local run must record: a hand-written program that calls the steps in order and writes
/// the same artifact files (same layout, same bytes, SHA-256 hashed) and the same SQLite rows (runs, step_runs
/// with cache keys, artifacts, step_run_inputs, step_run_outputs) into a store of the same schema and pragmas.
/// It does the least a crash-safe recorder can do: prepared statements, one transaction per finished step.
/// </summary>
public sealed class HandWrittenRecorder : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly string _artifactsRoot;
    private readonly SqliteCommand _insertRun;
    private readonly SqliteCommand _endRun;
    private readonly SqliteCommand _insertStepRun;
    private readonly SqliteCommand _insertInput;
    private readonly SqliteCommand _insertArtifact;
    private readonly SqliteCommand _insertOutput;
    private int _runs;

    public HandWrittenRecorder(string storeDirectory)
    {
        // The schema is PipelineSdk's own; only the writing is ours.
        MetadataStore.Open(storeDirectory).Dispose();
        _artifactsRoot = Path.Combine(storeDirectory, "artifacts");
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(storeDirectory, MetadataStore.DatabaseFileName),
            Pooling = false,
        }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
        _insertRun = Prepare("INSERT INTO runs (id, pipeline, status, started_at, parameters, orchestrator) VALUES ($id, $pipeline, 'running', $started, '{}', 'hand-written');", "$id", "$pipeline", "$started");
        _endRun = Prepare("UPDATE runs SET status = 'completed', ended_at = $ended WHERE id = $id;", "$id", "$ended");
        _insertStepRun = Prepare("""
            INSERT INTO step_runs (run_id, task_key, step_name, status, started_at, ended_at, cache_key, cache_key_parts)
            VALUES ($run, $task, $step, 'completed', $started, $ended, $key, $parts) RETURNING id;
            """, "$run", "$task", "$step", "$started", "$ended", "$key", "$parts");
        _insertInput = Prepare("INSERT INTO step_run_inputs (step_run_id, input_name, source, artifact_id, content_hash) VALUES ($id, 'value', 'task', $artifact, $hash);", "$id", "$artifact", "$hash");
        _insertArtifact = Prepare("""
            INSERT INTO artifacts (uri, kfp_type, value_type, size, content_hash, producer_step_run, output_name)
            VALUES ($uri, 'NUMBER_INTEGER', 'int', $size, $hash, $producer, 'Output') RETURNING id;
            """, "$uri", "$size", "$hash", "$producer");
        _insertOutput = Prepare("INSERT INTO step_run_outputs (step_run_id, output_name, artifact_id) VALUES ($id, 'Output', $artifact);", "$id", "$artifact");
    }

    /// <summary>Runs <paramref name="graph"/> step by step, recording as it goes; returns the sum of the outputs.</summary>
    public long Run(TrivialGraph graph, string pipelineName)
    {
        var runId = $"{pipelineName}-{++_runs}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        Bind(_insertRun, runId, pipelineName, Now()).ExecuteNonQuery();

        var values = new int[graph.Count];
        var artifactIds = new long[graph.Count];
        var hashes = new string[graph.Count];
        long sum = 0;
        for (var i = 0; i < graph.Count; i++)
        {
            var started = Now();
            var producer = graph.Producer[i];
            var isSource = producer < 0;
            values[i] = isSource ? TrivialSteps.Source() : TrivialSteps.Increment(values[producer]);
            sum += values[i];

            var bytes = Encoding.UTF8.GetBytes(values[i].ToString(CultureInfo.InvariantCulture));
            hashes[i] = Convert.ToHexStringLower(SHA256.HashData(bytes));
            var path = Path.Combine(_artifactsRoot, runId, graph.Keys[i], "Output");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);

            var step = isSource ? TrivialGraph.SourceStep : TrivialGraph.IncrementStep;
            var parts = CacheKeyParts(step.MethodName, step.CodeParts[0].Symbol, step.CodeParts[0].Hash, isSource ? null : hashes[producer]);
            var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(parts)));

            using var transaction = _connection.BeginTransaction();
            _insertStepRun.Transaction = _insertInput.Transaction = _insertArtifact.Transaction = _insertOutput.Transaction = transaction;
            var stepRunId = (long)Bind(_insertStepRun, runId, graph.Keys[i], step.Name, started, Now(), key, parts).ExecuteScalar()!;
            if (!isSource)
            {
                Bind(_insertInput, stepRunId, artifactIds[producer], hashes[producer]).ExecuteNonQuery();
            }

            artifactIds[i] = (long)Bind(_insertArtifact, new Uri(path).AbsoluteUri, (long)bytes.Length, hashes[i], stepRunId).ExecuteScalar()!;
            Bind(_insertOutput, stepRunId, artifactIds[i]).ExecuteNonQuery();
            transaction.Commit();
        }

        Bind(_endRun, runId, Now()).ExecuteNonQuery();
        return sum;
    }

    /// <summary>The artifacts folder of the store, for cleaning up between iterations.</summary>
    public string ArtifactsRoot => _artifactsRoot;

    public void Dispose()
    {
        foreach (var command in new[] { _insertRun, _endRun, _insertStepRun, _insertInput, _insertArtifact, _insertOutput })
        {
            command.Dispose();
        }

        _connection.Dispose();
    }

    private static string CacheKeyParts(string method, string symbol, string codeHash, string? inputHash) =>
        "{\"version\":1,\"step\":\"" + method + "\",\"code\":{\"" + symbol + "\":\"" + codeHash + "\"},\"inputs\":{"
        + (inputHash is null ? "" : "\"value\":\"" + inputHash + "\"") + "},\"outputs\":{\"Output\":\"int\"}}";

    private static string Now() => DateTimeOffset.UtcNow.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }

    private static SqliteCommand Bind(SqliteCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }

        return command;
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
