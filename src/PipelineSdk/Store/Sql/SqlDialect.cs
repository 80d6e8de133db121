using System.Data.Common;

namespace PipelineSdk.Store.Sql;

/// <summary>
/// What differs between the databases the SQL store runs on. Everything else — tables, queries, migrations — is one
/// text shared by SQLite and PostgreSQL, so both behave the same.
/// </summary>
public abstract class SqlDialect
{
    /// <summary>The column type of an auto-numbered 64-bit primary key.</summary>
    public abstract string IdColumn { get; }

    /// <summary>Where the records are kept, for people.</summary>
    public abstract string Location { get; }

    /// <summary>
    /// Lends a connection for one operation. The lease is disposed after the operation; a dialect with one shared
    /// connection serializes operations here.
    /// </summary>
    public abstract Db Lease();

    /// <summary>The schema version the database holds (0 when empty).</summary>
    public abstract int ReadSchemaVersion(Db db);

    /// <summary>Records the schema version inside the migration's transaction.</summary>
    public abstract void WriteSchemaVersion(Db db, int version);

    /// <summary>
    /// Keeps other processes from migrating at the same time until the returned lock is disposed. Taken before the
    /// migration's transaction starts, so that transaction sees whatever an earlier migration committed.
    /// </summary>
    public virtual IDisposable LockForMigration(Db db) => NoLock.Instance;

    private sealed class NoLock : IDisposable
    {
        public static readonly NoLock Instance = new();

        public void Dispose()
        {
        }
    }

}

/// <summary>One connection lent for one operation, with the few helpers the store's SQL needs.</summary>
public sealed class Db : IDisposable
{
    private readonly Action _release;
    private readonly PreparedStatements? _statements;
    private DbTransaction? _transaction;

    /// <summary>Wraps <paramref name="connection"/>; <paramref name="release"/> runs when the lease ends.</summary>
    public Db(DbConnection connection, Action release)
    {
        Connection = connection;
        _release = release;
    }

    /// <summary>
    /// Wraps a long-lived <paramref name="connection"/> whose commands <paramref name="statements"/> keeps between leases,
    /// so a statement is prepared once per connection rather than once per call.
    /// </summary>
    public Db(DbConnection connection, Action release, PreparedStatements statements)
        : this(connection, release) => _statements = statements;

    /// <summary>The lent connection.</summary>
    public DbConnection Connection { get; }

    /// <summary>Starts a transaction that the following commands join; commit it with <see cref="Commit"/>.</summary>
    public void Begin() => _transaction = Connection.BeginTransaction();

    /// <summary>Commits the transaction started with <see cref="Begin"/>.</summary>
    public void Commit()
    {
        _transaction?.Commit();
        _transaction?.Dispose();
        _transaction = null;
    }

    /// <summary>Runs a statement (or several, separated by semicolons).</summary>
    public int Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = Command(sql, parameters);
        try
        {
            return command.ExecuteNonQuery();
        }
        finally
        {
            Done(command);
        }
    }

    /// <summary>Runs a query and returns its first column of its first row, or null.</summary>
    public object? Scalar(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = Command(sql, parameters);
        try
        {
            var result = command.ExecuteScalar();
            return result is DBNull ? null : result;
        }
        finally
        {
            Done(command);
        }
    }

    /// <summary>Runs a query and reads every row.</summary>
    public List<T> Query<T>(string sql, Func<DbDataReader, T> read, params (string Name, object? Value)[] parameters)
    {
        var command = Command(sql, parameters);
        try
        {
            using var reader = command.ExecuteReader();
            var rows = new List<T>();
            while (reader.Read())
            {
                rows.Add(read(reader));
            }

            return rows;
        }
        finally
        {
            Done(command);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // A transaction not committed (an exception on the way) is rolled back before the connection goes back.
        _transaction?.Dispose();
        _transaction = null;
        _release();
    }

    private DbCommand Command(string sql, (string Name, object? Value)[] parameters)
    {
        if (_statements?.Find(sql, parameters.Length) is { } prepared)
        {
            prepared.Transaction = _transaction;
            foreach (var (name, value) in parameters)
            {
                prepared.Parameters[name].Value = value ?? DBNull.Value;
            }

            return prepared;
        }

        var command = Connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = _transaction;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        _statements?.Keep(sql, command);
        return command;
    }

    private void Done(DbCommand command)
    {
        if (_statements is null || !_statements.Holds(command))
        {
            command.Dispose();
        }
    }
}

/// <summary>
/// The commands of one long-lived connection, by SQL text, reused by every lease of it (SQLite prepares a command's
/// statements once and keeps them). Bounded: text made per call (an <c>IN</c> list) would otherwise pile up.
/// Used only under the connection's lease, so it needs no lock of its own.
/// </summary>
public sealed class PreparedStatements : IDisposable
{
    private const int Limit = 128;
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);

    internal DbCommand? Find(string sql, int parameterCount) =>
        _commands.TryGetValue(sql, out var command) && command.Parameters.Count == parameterCount ? command : null;

    internal void Keep(string sql, DbCommand command)
    {
        if (_commands.Count >= Limit)
        {
            Dispose();
        }

        if (_commands.TryGetValue(sql, out var replaced))
        {
            replaced.Dispose();
        }

        _commands[sql] = command;
    }

    internal bool Holds(DbCommand command) => _commands.TryGetValue(command.CommandText, out var kept) && ReferenceEquals(kept, command);

    /// <summary>Disposes every kept command (before the connection closes).</summary>
    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
    }
}
