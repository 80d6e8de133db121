using PipelineSdk.Values;

namespace PipelineSdk.Artifacts;

/// <summary>A value written to the artifact store.</summary>
/// <param name="Uri">Where it lives.</param>
/// <param name="Size">Content length in bytes.</param>
/// <param name="ContentHash">SHA-256 of the content, lower-case hex (for a folder, see <see cref="ArtifactFiles.Hash"/>).</param>
/// <param name="MetadataJson">The artifact's metadata as a JSON object (<c>{}</c> when it has none).</param>
public sealed record StoredContent(string Uri, long Size, string ContentHash, string MetadataJson = "{}");

/// <summary>
/// Artifacts as files (or, for artifact codecs, files or folders) under
/// <c>artifacts/&lt;run-id&gt;/&lt;task-key&gt;/&lt;output&gt;</c> in the store folder, addressed by <c>file://</c> URIs.
/// Parameter values are streamed and hashed on the way to disk.
/// </summary>
public sealed class LocalArtifactStore(string root)
{
    /// <summary>Where a local artifact store without a <c>path</c> setting keeps artifacts: <c>artifacts/</c> in the store folder.</summary>
    public static string DefaultRoot(string storeDirectory) => Path.Combine(storeDirectory, "artifacts");

    /// <summary>The folder that holds all artifacts.</summary>
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>The folder of one run's artifacts.</summary>
    public string RunDirectory(string runId) => Path.Combine(Root, runId);

    /// <summary>The suffix of content still being written; such a file or folder is never an artifact, and gc removes it.</summary>
    public const string PartialMarker = ".partial-";

    /// <summary>
    /// Writes one step output and returns where it went, its size and hash. The content goes to a temporary name and is
    /// renamed into place only when complete, so a process killed mid-write leaves a temporary, never a torn artifact.
    /// </summary>
    public StoredContent Write(string runId, string taskKey, string outputName, ValueCodec codec, object? value)
    {
        var path = Path.Combine(RunDirectory(runId), taskKey, outputName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (ArtifactFiles.Exists(path))
        {
            throw new IOException($"an artifact already exists at {path}");
        }

        var partial = path + PartialMarker + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var stored = codec switch
            {
                ArtifactCodec { IsSingleFile: false } artifact => WriteArtifact(partial, path, artifact, value),
                ParameterCodec parameter => WriteParameter(partial, parameter, value),
                _ => WriteSingleFile(partial, codec, value),
            };
            if (codec is ArtifactCodec { IsSingleFile: false } && Directory.Exists(partial))
            {
                Directory.Move(partial, path);
            }
            else
            {
                File.Move(partial, path);
            }

            return stored with { Uri = new Uri(path).AbsoluteUri };
        }
        catch
        {
            // A half-written artifact must not pass for a whole one.
            Delete(partial);
            throw;
        }
    }

    /// <summary>Removes a file or a folder, if there is one.</summary>
    public static void Delete(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
        else
        {
            File.Delete(path);
        }
    }

    // A parameter is a few bytes: serialized once into a right-sized array, hashed, and written in one call.
    private static StoredContent WriteParameter(string path, ParameterCodec codec, object? value)
    {
        var bytes = codec.ToBytes(value);
        using (var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            RandomAccess.Write(file, bytes, 0);
        }

        return new StoredContent("", bytes.Length, ContentHash.Of(bytes));
    }

    // Single-file artifacts (byte[], Stream, JSON records) may be large: hashed as they stream to disk, without a buffer of
    // the file stream's own (the codecs write in large chunks).
    private static StoredContent WriteSingleFile(string path, ValueCodec codec, object? value)
    {
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        using var hashing = new HashingWriteStream(file);
        codec.WriteTo(value, hashing);
        hashing.Flush();
        return new StoredContent("", hashing.BytesWritten, hashing.GetHashHex());
    }

    /// <summary>Reads a value back; artifacts get <paramref name="metadataJson"/> as their metadata.</summary>
    /// <exception cref="FileNotFoundException">The artifact's file is gone.</exception>
    public static object? Read(string uri, ValueCodec codec, string metadataJson = "{}")
    {
        if (codec is ArtifactCodec artifact)
        {
            var path = LocalPath(uri);
            return ArtifactFiles.Exists(path)
                ? artifact.Read(new ArtifactContent(path, uri, metadataJson))
                : throw new FileNotFoundException($"the artifact at {uri} is gone", path);
        }

        if (codec is ParameterCodec)
        {
            // A parameter is a few bytes: read whole, without a stream's buffer.
            return codec.FromBytes(File.ReadAllBytes(LocalPath(uri)));
        }

        using var file = new FileStream(LocalPath(uri), FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024);
        return codec.ReadFrom(file);
    }

    /// <summary>Whether the artifact's file or folder still exists.</summary>
    public static bool Exists(string uri) => ArtifactFiles.Exists(LocalPath(uri));

    private static StoredContent WriteArtifact(string path, string finalPath, ArtifactCodec codec, object? value)
    {
        var metadata = codec.Write(value, path);
        if (!ArtifactFiles.Exists(path))
        {
            throw new FormatException($"storing the {codec.TypeName} wrote nothing at {finalPath}");
        }

        return new StoredContent("", ArtifactFiles.Size(path), ArtifactFiles.Hash(path), metadata?.ToJsonString() ?? "{}");
    }

    /// <summary>The file path of a <c>file://</c> URI.</summary>
    public static string LocalPath(string uri) => new Uri(uri).LocalPath;
}
