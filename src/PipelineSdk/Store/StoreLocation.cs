namespace PipelineSdk.Store;

/// <summary>
/// Finds the folder that holds the metadata store and local artifacts: <c>$PIPELINES_HOME</c> if set, else the
/// nearest <c>.pipelines/</c> folder from the current directory upwards, else <c>pipelines/</c> in the
/// user's config folder (created on first use). The folder is private: created 0700, its database 0600.
/// </summary>
public static class StoreLocation
{
    /// <summary>The folder name that <c>pipelines init</c> creates and that is searched for upwards.</summary>
    public const string FolderName = ".pipelines";

    /// <summary>Environment variable that overrides the store folder.</summary>
    public const string HomeVariable = "PIPELINES_HOME";

    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const string WritableFix = $"make it writable, or set {HomeVariable} to a writable folder";

    /// <summary>Resolves the store folder for <paramref name="startDirectory"/> (default: the current directory).</summary>
    /// <exception cref="EnvironmentException"><c>$PIPELINES_HOME</c> names a file.</exception>
    public static string Resolve(string? startDirectory = null)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(HomeVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            var path = Path.GetFullPath(fromEnvironment);
            return File.Exists(path)
                ? throw new EnvironmentException(EnvironmentProblem.StoreNotAFolder, $"{HomeVariable}={fromEnvironment} is a file, not a folder; point {HomeVariable} at a folder (it is created when missing) or unset it")
                : path;
        }

        for (var directory = new DirectoryInfo(startDirectory ?? Directory.GetCurrentDirectory()); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, FolderName);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        // Not created here: the store's own creation reports a read-only home as one line.
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.DoNotVerify), "pipelines");
    }

    /// <summary>
    /// Creates <paramref name="directory"/> owner-only (0700) when missing, and takes group and other access
    /// away from a store folder and database made by an earlier version.
    /// </summary>
    /// <exception cref="EnvironmentException">The path is a file, or it cannot be created (read-only, full disk).</exception>
    public static void CreatePrivateFolder(string directory)
    {
        if (File.Exists(directory))
        {
            throw new EnvironmentException(EnvironmentProblem.StoreNotAFolder, $"the store path {directory} is a file, not a folder; move the file away or set {HomeVariable} to a folder");
        }

        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
                return;
            }

            // Only the store folder is private: parents (the user's config folder) keep their usual modes.
            if (Path.GetDirectoryName(Path.GetFullPath(directory)) is { } parent)
            {
                Directory.CreateDirectory(parent);
            }

            Directory.CreateDirectory(directory, OwnerOnlyFolder);
            Tighten(directory, OwnerOnlyFolder);
            Tighten(Path.Combine(directory, MetadataStore.DatabaseFileName), OwnerOnlyFile);
        }
        catch (Exception e) when (EnvironmentException.FromFileError(e, directory, WritableFix) is { } problem)
        {
            throw problem;
        }
    }

    /// <summary>Creates the empty database file owner-only (0600) before SQLite opens it, so it is never readable by others.</summary>
    /// <exception cref="EnvironmentException">It cannot be created (read-only folder, full disk).</exception>
    public static void CreatePrivateFile(string path)
    {
        if (OperatingSystem.IsWindows() || File.Exists(path))
        {
            return;
        }

        try
        {
            using var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnlyFile });
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first, with the same mode.
        }
        catch (Exception e) when (EnvironmentException.FromFileError(e, path, WritableFix) is { } problem)
        {
            throw problem;
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void Tighten(string path, UnixFileMode mode)
    {
        if (!Path.Exists(path) || (File.GetUnixFileMode(path) & ~mode) == 0)
        {
            return;
        }

        try
        {
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) & mode);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            // Someone else's store or a read-only one, used for reading: not ours to tighten.
        }
    }
}
