using PipelineSdk.Values;

namespace PipelineSdk.Artifacts;

/// <summary>A value written to the artifact store.</summary>
/// <param name="Uri">Where it lives.</param>
/// <param name="Size">Content length in bytes.</param>
/// <param name="ContentHash">SHA-256 of the content, lower-case hex.</param>
public sealed record StoredContent(string Uri, long Size, string ContentHash);

/// <summary>
/// Artifacts as files under <c>artifacts/&lt;run-id&gt;/&lt;task-key&gt;/&lt;output&gt;</c> in the store folder,
/// addressed by <c>file://</c> URIs. Content is streamed and hashed on the way to disk.
/// </summary>
public sealed class LocalArtifactStore(string root)
{
    /// <summary>The folder that holds all artifacts.</summary>
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>The folder of one run's artifacts.</summary>
    public string RunDirectory(string runId) => Path.Combine(Root, runId);

    /// <summary>Writes one step output and returns where it went, its size and hash.</summary>
    public StoredContent Write(string runId, string taskKey, string outputName, ValueCodec codec, object? value)
    {
        var path = Path.Combine(RunDirectory(runId), taskKey, outputName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024);
        using var hashing = new HashingWriteStream(file);
        codec.WriteTo(value, hashing);
        hashing.Flush();
        return new StoredContent(new Uri(path).AbsoluteUri, hashing.BytesWritten, hashing.GetHashHex());
    }

    /// <summary>Reads a value back.</summary>
    /// <exception cref="FileNotFoundException">The artifact's file is gone.</exception>
    public static object? Read(string uri, ValueCodec codec)
    {
        using var file = new FileStream(LocalPath(uri), FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024);
        return codec.ReadFrom(file);
    }

    /// <summary>Whether the artifact's file still exists.</summary>
    public static bool Exists(string uri) => File.Exists(LocalPath(uri));

    /// <summary>The file path of a <c>file://</c> URI.</summary>
    public static string LocalPath(string uri) => new Uri(uri).LocalPath;
}
