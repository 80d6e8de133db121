using System.Data.Common;
using PipelineSdk.Postgres;
using PipelineSdk.Stacks;
using PipelineSdk.Store.Sql;

namespace PipelineSdk.Server.Hosting;

/// <summary>
/// The server's database: the SQLite file of its store folder by default, or PostgreSQL from a connection string without a
/// password (the password comes from <c>PIPELINES_DATABASE_PASSWORD</c> or a file, never from the command line).
/// </summary>
/// <param name="ConnectionString">A PostgreSQL connection string, or null for SQLite.</param>
/// <param name="PasswordFile">A file holding the PostgreSQL password.</param>
public sealed record ServerDatabase(string? ConnectionString = null, string? PasswordFile = null)
{
    /// <summary>Environment variable with the PostgreSQL password.</summary>
    public const string PasswordVariable = "PIPELINES_DATABASE_PASSWORD";

    /// <summary>Opens (and migrates) the database.</summary>
    /// <exception cref="StackException">It cannot be opened; the message says why.</exception>
    public SqlMetadataStore Open(string storeDirectory)
    {
        try
        {
            if (ConnectionString is null)
            {
                return SqlMetadataStore.OpenSqlite(storeDirectory);
            }

            Directory.CreateDirectory(storeDirectory);
            var dialect = PostgresDialect.Create(ConnectionString, Password());
            return SqlMetadataStore.Open(dialect, storeDirectory);
        }
        catch (DbException e)
        {
            throw new StackException($"the database cannot be used ({e.Message.Split('\n')[0].TrimEnd('.')}); check --database and its password");
        }
        catch (InvalidOperationException e) when (e.InnerException is System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new StackException($"the database cannot be reached ({e.Message.Split('\n')[0].TrimEnd('.')}); check --database");
        }
    }

    private string? Password()
    {
        if (PasswordFile is not null)
        {
            if (!File.Exists(PasswordFile))
            {
                throw new StackException($"--database-password-file {PasswordFile}: no such file");
            }

            return File.ReadAllText(PasswordFile).TrimEnd('\r', '\n');
        }

        return Environment.GetEnvironmentVariable(PasswordVariable) is { Length: > 0 } password ? password : null;
    }
}
