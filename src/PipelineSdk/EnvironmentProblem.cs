namespace PipelineSdk;

/// <summary>
/// What is wrong with the machine rather than with the pipeline or the command line. Each is also the exit
/// code of a pipeline program, of step mode and of the <c>pipelines</c> tool, so scripts can tell them apart.
/// </summary>
public enum EnvironmentProblem
{
    /// <summary>The store folder (or the home folder it would be created in) cannot be written.</summary>
    StoreNotWritable = 10,

    /// <summary>The store path (<c>PIPELINES_HOME</c>, <c>.pipelines</c>) is a file, not a folder.</summary>
    StoreNotAFolder = 11,

    /// <summary>The local secrets file cannot be read or is not the JSON it should be.</summary>
    SecretsFileUnreadable = 12,

    /// <summary><c>metadata.db</c> cannot be read or is not a PipelineSdk store.</summary>
    StoreDatabaseUnreadable = 13,

    /// <summary><c>metadata.db</c> was written by a newer PipelineSdk.</summary>
    StoreDatabaseTooNew = 14,

    /// <summary>The disk is full.</summary>
    DiskFull = 15,

    /// <summary>A step's output file (<c>outputs.outputFile</c> and the files beside it) cannot be written.</summary>
    OutputNotWritable = 16,
}

/// <summary>A problem of the machine (see <see cref="EnvironmentProblem"/>); the message is one line naming the path and what to do.</summary>
public sealed class EnvironmentException : Exception
{
    /// <summary>Creates the exception for <paramref name="problem"/>.</summary>
    public EnvironmentException(EnvironmentProblem problem, string message, Exception? innerException = null)
        : base(message, innerException) => Problem = problem;

    /// <summary>What is wrong.</summary>
    public EnvironmentProblem Problem { get; }

    /// <summary>The process exit code for this problem.</summary>
    public int ExitCode => (int)Problem;

    /// <summary>
    /// Turns a failed file operation on <paramref name="path"/> into the problem it reveals (full disk, no
    /// permission, read-only file system), or null when it is something else.
    /// </summary>
    /// <param name="error">What the operation threw.</param>
    /// <param name="path">The file or folder it worked on.</param>
    /// <param name="fix">What to do when the path cannot be written (e.g. "set PIPELINES_HOME to a writable folder").</param>
    /// <param name="notWritable">The problem to report when the path cannot be written.</param>
    public static EnvironmentException? FromFileError(Exception error, string path, string fix, EnvironmentProblem notWritable = EnvironmentProblem.StoreNotWritable)
    {
        const int noSpace = 28, readOnlyFileSystem = 30, quotaExceeded = 122;
        return error switch
        {
            EnvironmentException known => known,
            UnauthorizedAccessException => new EnvironmentException(notWritable, $"{path} cannot be written (permission denied); {fix}", error),
            IOException { HResult: noSpace or quotaExceeded } or IOException { HResult: unchecked((int)0x80070070) } =>
                new EnvironmentException(EnvironmentProblem.DiskFull, $"the disk holding {path} is full; free some space and try again", error),
            IOException { HResult: readOnlyFileSystem } => new EnvironmentException(notWritable, $"{path} is on a read-only file system; {fix}", error),
            _ => null,
        };
    }
}
