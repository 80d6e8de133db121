using System.Security.Cryptography;
using System.Text;

namespace PipelineSdk.Artifacts;

/// <summary>Copying, measuring and hashing artifact content that may be a file or a folder.</summary>
public static class ArtifactFiles
{
    /// <summary>Whether a file or a folder exists at <paramref name="path"/>.</summary>
    public static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);

    /// <summary>Copies the file or folder at <paramref name="source"/> to <paramref name="target"/>, where nothing exists yet.</summary>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="source"/>.</exception>
    public static void Copy(string source, string target)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (File.Exists(source))
        {
            File.Copy(source, target);
            return;
        }

        if (!Directory.Exists(source))
        {
            throw new FileNotFoundException($"no file or folder at {source}", source);
        }

        Directory.CreateDirectory(target);
        foreach (var directory in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(target, Path.GetRelativePath(source, directory)));
        }

        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(target, Path.GetRelativePath(source, file)));
        }
    }

    /// <summary>The size of a file, or the total size of the files in a folder.</summary>
    public static long Size(string path) =>
        File.Exists(path) ? new FileInfo(path).Length
        : new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    /// <summary>
    /// The content hash of a file (SHA-256 of its bytes, as <see cref="ContentHash.Of"/>) or of a folder: SHA-256
    /// over its sorted relative paths with '/' separators, each folder marked and each file with its own hash,
    /// so equal trees hash equally on every machine and any renamed, added or changed file changes the hash.
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    public static string Hash(string path)
    {
        if (File.Exists(path))
        {
            using var file = File.OpenRead(path);
            return Convert.ToHexStringLower(SHA256.HashData(file));
        }

        if (!Directory.Exists(path))
        {
            throw new FileNotFoundException($"no file or folder at {path}", path);
        }

        var entries = new List<string>();
        foreach (var directory in Directory.EnumerateDirectories(path, "*", SearchOption.AllDirectories))
        {
            entries.Add(Relative(path, directory) + "/\0folder");
        }

        foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
        {
            entries.Add(Relative(path, file) + "\0" + Hash(file));
        }

        entries.Sort(StringComparer.Ordinal);
        var manifest = "pipelinesdk-folder-v1\n" + string.Join("\n", entries);
        return ContentHash.Of(Encoding.UTF8.GetBytes(manifest));
    }

    /// <summary>Deletes a scratch path made for a new artifact (and its folder); anything else is left alone.</summary>
    internal static void DeleteScratch(string path)
    {
        if (!ArtifactScratch.Contains(path))
        {
            return;
        }

        try
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Scratch content is only a temporary copy; the temp folder's cleanup takes it later.
        }
    }

    private static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');
}
