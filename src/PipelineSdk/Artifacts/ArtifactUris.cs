using PipelineSdk.Execution;
using PipelineSdk.Stacks;

namespace PipelineSdk.Artifacts;

/// <summary>
/// Reads and writes artifact content at the URIs of one scheme when they cannot be reached as files — e.g.
/// <c>gs://</c> outside Vertex AI, where no bucket is mounted at <c>/gcs</c>. Packages implement it and
/// register it with <see cref="ArtifactUris.RegisterHandler"/> (PipelineSdk.Gcp registers one for
/// <c>gs://</c> in <c>GcpStackComponents.Register()</c>).
/// </summary>
public interface IArtifactUriHandler
{
    /// <summary>
    /// Opens the content at <paramref name="uri"/> for reading as a stream. The stream checks the content's
    /// integrity as it is read and throws an <see cref="IOException"/> instead of ending when it is corrupt.
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing is stored at <paramref name="uri"/>.</exception>
    /// <exception cref="StackException">The storage refused access or does not exist; the message says what to do.</exception>
    Task<Stream> OpenReadAsync(string uri, CancellationToken cancellationToken);

    /// <summary>
    /// Stores what <paramref name="writeContent"/> writes as the content at <paramref name="uri"/>, streaming it
    /// (never holding it whole), and returns its size and SHA-256. Content exists at the URI only when this
    /// returns: if <paramref name="writeContent"/> throws, nothing is stored and its exception is rethrown.
    /// </summary>
    /// <exception cref="IOException">The content could not be stored intact.</exception>
    /// <exception cref="StackException">The storage refused access or does not exist; the message says what to do.</exception>
    Task<StoredContent> WriteAsync(string uri, Func<Stream, CancellationToken, Task> writeContent, CancellationToken cancellationToken);
}

/// <summary>
/// Artifact content by URI, the way step mode and the <c>pipelines</c> tool reach it: <c>file://</c> URIs and
/// absolute paths as files; <c>gs://bucket/path</c> as a file under the Cloud Storage mount when one is
/// present (<see cref="GcsMount.IsPresent"/>), else through the handler registered for <c>gs</c>; <c>minio://</c> and
/// <c>s3://</c> likewise under Kubeflow's launcher folders (<see cref="GcsMount.IsKubeflowPathPresent"/>); any other
/// scheme through its registered handler.
/// </summary>
public static class ArtifactUris
{
    private const int FileBufferSize = 64 * 1024;
    private static readonly Dictionary<string, Lazy<IArtifactUriHandler>> Handlers = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Registers how to make the handler for URIs of <paramref name="scheme"/> (e.g. <c>gs</c>), replacing any earlier one.
    /// It is made on first use, so a program that never reaches such a URI never loads the client libraries behind it.
    /// </summary>
    public static void RegisterHandler(string scheme, Func<IArtifactUriHandler> create)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        ArgumentNullException.ThrowIfNull(create);
        lock (Handlers)
        {
            Handlers[scheme] = new Lazy<IArtifactUriHandler>(create);
        }
    }

    /// <summary>
    /// The file at which <paramref name="uri"/> is read and written, or null when its content goes through a
    /// registered handler instead (<c>gs://</c> with no mount present, or another scheme).
    /// </summary>
    public static string? FilePath(string uri)
    {
        if (uri.StartsWith("gs://", StringComparison.Ordinal))
        {
            return GcsMount.IsPresent ? GcsMount.LocalPath(uri) : null;
        }

        if (uri.StartsWith("minio://", StringComparison.Ordinal) || uri.StartsWith("s3://", StringComparison.Ordinal))
        {
            return GcsMount.IsKubeflowPathPresent(uri) ? GcsMount.LocalPath(uri) : null;
        }

        return uri.StartsWith("file://", StringComparison.Ordinal) || Path.IsPathRooted(uri) ? GcsMount.LocalPath(uri) : null;
    }

    /// <summary>Opens the content at <paramref name="uri"/> for reading.</summary>
    /// <exception cref="FileNotFoundException">Nothing is stored there.</exception>
    /// <exception cref="IOException">The content could not be read intact.</exception>
    /// <exception cref="StackException">No file or handler reaches the URI, or its storage refused access; the message says what to do.</exception>
    public static async Task<Stream> OpenReadAsync(string uri, CancellationToken cancellationToken)
    {
        if (FilePath(uri) is { } path)
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileBufferSize, useAsync: true);
        }

        return await Handler(uri).OpenReadAsync(uri, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores what <paramref name="writeContent"/> writes at <paramref name="uri"/> and returns its size and
    /// SHA-256; see <see cref="IArtifactUriHandler.WriteAsync"/>. A file is replaced; its folders are created.
    /// </summary>
    /// <exception cref="IOException">The content could not be stored intact.</exception>
    /// <exception cref="StackException">No file or handler reaches the URI, or its storage refused access; the message says what to do.</exception>
    public static async Task<StoredContent> WriteAsync(string uri, Func<Stream, CancellationToken, Task> writeContent, CancellationToken cancellationToken)
    {
        if (FilePath(uri) is not { } path)
        {
            return await Handler(uri).WriteAsync(uri, writeContent, cancellationToken).ConfigureAwait(false);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, FileBufferSize, useAsync: true);
            await using var hashing = new HashingWriteStream(file);
            await writeContent(hashing, cancellationToken).ConfigureAwait(false);
            await hashing.FlushAsync(cancellationToken).ConfigureAwait(false);
            return new StoredContent(uri, hashing.BytesWritten, hashing.GetHashHex());
        }
        catch
        {
            // A half-written artifact must not pass for a whole one.
            File.Delete(path);
            throw;
        }
    }

    private static IArtifactUriHandler Handler(string uri)
    {
        var separator = uri.IndexOf("://", StringComparison.Ordinal);
        var scheme = separator > 0 ? uri[..separator] : "";
        lock (Handlers)
        {
            if (Handlers.TryGetValue(scheme, out var handler))
            {
                return handler.Value;
            }
        }

        throw scheme == "gs"
            ? new StackException($"cannot reach {uri}: no Cloud Storage mount at {GcsMount.VertexRoot} (set {GcsMount.RootVariable} to use a folder instead) and no gs:// client in this program; reference PipelineSdk.Gcp and call GcpStackComponents.Register() at start-up")
            : scheme is "minio" or "s3"
                ? new StackException($"cannot reach {uri}: no Kubeflow launcher folder (/{scheme}; set {GcsMount.KubeflowRootVariable} to use a folder instead) and no S3 client in this program; reference PipelineSdk.Kubeflow and call KubeflowStackComponents.Register() at start-up")
                : new StackException($"cannot reach {uri}: this program reads artifacts from file://, gs://, minio://, s3:// and absolute paths{(separator > 0 ? $", and has no handler for {scheme}://" : "")}");
    }
}
