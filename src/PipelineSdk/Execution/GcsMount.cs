namespace PipelineSdk.Execution;

/// <summary>
/// Maps storage URIs to file paths the way Vertex AI's launcher does: <c>gs://bucket/path</c> is read and
/// written at <c>/gcs/bucket/path</c>, where Vertex mounts the buckets. Set <c>PIPELINES_GCS_MOUNT</c> to
/// another folder and the same URIs (and <c>/gcs/…</c> paths) land there, so a step runs unchanged locally.
/// Where neither is present, <see cref="Artifacts.ArtifactUris"/> reaches <c>gs://</c> through the Cloud
/// Storage client that PipelineSdk.Gcp registers.
/// </summary>
public static class GcsMount
{
    /// <summary>Environment variable that moves the mount root.</summary>
    public const string RootVariable = "PIPELINES_GCS_MOUNT";

    /// <summary>Where Vertex AI mounts Cloud Storage buckets.</summary>
    public const string VertexRoot = "/gcs";

    /// <summary>The mount root in effect: <c>$PIPELINES_GCS_MOUNT</c>, else <c>/gcs</c>.</summary>
    public static string Root =>
        Environment.GetEnvironmentVariable(RootVariable) is { Length: > 0 } root ? Path.GetFullPath(root) : VertexRoot;

    /// <summary>
    /// Whether <c>gs://</c> URIs are reached as files: <c>$PIPELINES_GCS_MOUNT</c> is set, or <c>/gcs</c> exists
    /// (inside a Vertex AI task). Otherwise they go through the Cloud Storage client registered with
    /// <see cref="Artifacts.ArtifactUris.RegisterHandler"/>.
    /// </summary>
    public static bool IsPresent =>
        Environment.GetEnvironmentVariable(RootVariable) is { Length: > 0 } || Directory.Exists(VertexRoot);

    /// <summary>The local path of an artifact URI (<c>gs://</c>, <c>file://</c>, or an absolute path).</summary>
    /// <exception cref="FormatException">The URI has a scheme this runtime cannot reach as a file.</exception>
    public static string LocalPath(string uri, string? root = null)
    {
        root ??= Root;
        if (uri.StartsWith("gs://", StringComparison.Ordinal))
        {
            return Path.Combine(root, uri["gs://".Length..]);
        }

        if (uri.StartsWith("file://", StringComparison.Ordinal))
        {
            return new Uri(uri).LocalPath;
        }

        if (Path.IsPathRooted(uri))
        {
            return MapPath(uri, root);
        }

        throw new FormatException($"'{uri}' is not a gs://, file:// or absolute path, so it cannot be read as a file");
    }

    /// <summary>Re-roots a <c>/gcs/…</c> path under <paramref name="root"/>; other paths are returned as they are.</summary>
    public static string MapPath(string path, string? root = null)
    {
        root ??= Root;
        const string prefix = VertexRoot + "/";
        return root != VertexRoot && path.StartsWith(prefix, StringComparison.Ordinal)
            ? Path.Combine(root, path[prefix.Length..])
            : path;
    }

    /// <summary>The URI of a path a step wrote: <c>gs://bucket/path</c> for <c>/gcs/bucket/path</c>, else a <c>file://</c> URI.</summary>
    public static string UriOf(string path)
    {
        const string prefix = VertexRoot + "/";
        return path.StartsWith(prefix, StringComparison.Ordinal) ? "gs://" + path[prefix.Length..] : new Uri(Path.GetFullPath(path)).AbsoluteUri;
    }
}
