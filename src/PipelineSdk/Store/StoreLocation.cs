namespace PipelineSdk.Store;

/// <summary>
/// Finds the folder that holds the metadata store and local artifacts: <c>$PIPELINES_HOME</c> if set, else the
/// nearest <c>.pipelines/</c> folder from the current directory upwards, else <c>pipelines/</c> in the
/// user's config folder (created on first use).
/// </summary>
public static class StoreLocation
{
    /// <summary>The folder name that <c>pipelines init</c> creates and that is searched for upwards.</summary>
    public const string FolderName = ".pipelines";

    /// <summary>Environment variable that overrides the store folder.</summary>
    public const string HomeVariable = "PIPELINES_HOME";

    /// <summary>Resolves the store folder for <paramref name="startDirectory"/> (default: the current directory).</summary>
    public static string Resolve(string? startDirectory = null)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(HomeVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Path.GetFullPath(fromEnvironment);
        }

        for (var directory = new DirectoryInfo(startDirectory ?? Directory.GetCurrentDirectory()); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, FolderName);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.Create), "pipelines");
    }
}
