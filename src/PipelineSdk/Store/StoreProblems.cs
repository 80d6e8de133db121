using Microsoft.Data.Sqlite;

namespace PipelineSdk.Store;

/// <summary>Names what a SQLite error says about the store's database file, as one line with the file and what to do.</summary>
public static class StoreProblems
{
    // SQLite primary result codes (https://sqlite.org/rescode.html).
    private const int ReadOnly = 8, IoError = 10, Corrupt = 11, Full = 13, CannotOpen = 14, NotADatabase = 26;

    /// <summary>The environment problem behind <paramref name="error"/> on <paramref name="databasePath"/>, or null when it is not one.</summary>
    public static EnvironmentException? FromSqlite(SqliteException error, string databasePath)
    {
        var fix = $"make it and its folder writable, or set {StoreLocation.HomeVariable} to a writable folder";
        return (error.SqliteErrorCode & 0xff) switch
        {
            ReadOnly => new EnvironmentException(EnvironmentProblem.StoreNotWritable, $"the store's database {databasePath} is read-only; {fix}", error),
            CannotOpen => new EnvironmentException(EnvironmentProblem.StoreNotWritable, $"the store's database {databasePath} cannot be opened for writing; {fix}", error),
            Full => new EnvironmentException(EnvironmentProblem.DiskFull, $"the disk holding {databasePath} is full; free some space and try again", error),
            Corrupt or NotADatabase => Unreadable(databasePath, "is not a SQLite database or is damaged"),
            IoError => new EnvironmentException(EnvironmentProblem.StoreDatabaseUnreadable, $"the store's database {databasePath} cannot be read or written ({Execution.StepMode.FirstLine(error.Message)}); check the disk and the file's permissions", error),
            _ => null,
        };

        EnvironmentException Unreadable(string path, string what) => new(EnvironmentProblem.StoreDatabaseUnreadable,
            $"{path} {what}; move it away (a new store is created in its place) or set {StoreLocation.HomeVariable} to another folder", error);
    }
}
