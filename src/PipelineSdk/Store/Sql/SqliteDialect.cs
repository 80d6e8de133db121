using System.Globalization;
using Microsoft.Data.Sqlite;

namespace PipelineSdk.Store.Sql;

/// <summary>The embedded store: one SQLite file in WAL mode, one connection per process, operations serialized.</summary>
internal sealed class SqliteDialect : SqlDialect, IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();
    private readonly PreparedStatements _statements = new();

    public SqliteDialect(string databasePath, bool readOnly = false)
    {
        Location = databasePath;
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            // Read-only stores are opened immutable: nothing can write them from here, and SQLite need not create -shm.
            DataSource = readOnly ? new Uri(Path.GetFullPath(databasePath)).AbsoluteUri + "?immutable=1" : databasePath,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        try
        {
            _connection.Open();
            using var pragmas = _connection.CreateCommand();
            pragmas.CommandText = readOnly
                ? "PRAGMA query_only=ON;"
                : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;";
            pragmas.ExecuteNonQuery();
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    public override string IdColumn => "INTEGER PRIMARY KEY";

    public override string Location { get; }

    public override Db Lease()
    {
        _gate.Enter();
        return new Db(_connection, _gate.Exit, _statements);
    }

    public override int ReadSchemaVersion(Db db) => Convert.ToInt32(db.Scalar("PRAGMA user_version;"), CultureInfo.InvariantCulture);

    public override void WriteSchemaVersion(Db db, int version) => db.Execute($"PRAGMA user_version = {version.ToString(CultureInfo.InvariantCulture)};");


    public void Dispose()
    {
        lock (_gate)
        {
            _statements.Dispose();
        }

        _connection.Dispose();
    }
}
