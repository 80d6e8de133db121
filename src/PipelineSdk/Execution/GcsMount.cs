namespace PipelineSdk.Execution;

/// <summary>
/// Maps storage URIs to file paths the way Vertex AI's and Kubeflow's launchers do: <c>gs://bucket/path</c> is read and
/// written at <c>/gcs/bucket/path</c>, where Vertex mounts the buckets; Kubeflow's launcher downloads inputs to and
/// uploads outputs from <c>/minio/bucket/path</c> and <c>/s3/bucket/path</c> for <c>minio://</c> and <c>s3://</c> URIs.
/// Set <c>PIPELINES_GCS_MOUNT</c> (for <c>/gcs</c>) or <c>PIPELINES_KFP_MOUNT</c> (standing for <c>/</c> of
/// <c>/minio</c> and <c>/s3</c>) to another folder and the same URIs and paths land there, so a step runs unchanged locally.
/// Where none is present, <see cref="Artifacts.ArtifactUris"/> reaches the URIs through the clients that
/// PipelineSdk.Gcp and PipelineSdk.Kubeflow register.
/// </summary>
public static class GcsMount
{
    /// <summary>Environment variable that moves the mount root.</summary>
    public const string RootVariable = "PIPELINES_GCS_MOUNT";

    /// <summary>Where Vertex AI mounts Cloud Storage buckets.</summary>
    public const string VertexRoot = "/gcs";

    /// <summary>Environment variable with the folder that stands for <c>/</c> of Kubeflow's <c>/minio</c> and <c>/s3</c> paths.</summary>
    public const string KubeflowRootVariable = "PIPELINES_KFP_MOUNT";

    /// <summary>Kubeflow's launcher's local folders per URI scheme (backend/src/v2/component, LocalPathForURI).</summary>
    private static readonly (string Scheme, string Folder)[] KubeflowFolders = [("minio://", "/minio"), ("s3://", "/s3")];

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

    /// <summary>
    /// Whether a <c>minio://</c> or <c>s3://</c> URI is reached as a file: <c>$PIPELINES_KFP_MOUNT</c> is set, or the
    /// launcher's folder (<c>/minio</c>, <c>/s3</c>) exists, as inside a Kubeflow task. False for other schemes.
    /// </summary>
    public static bool IsKubeflowPathPresent(string uri) =>
        KubeflowFolders.Any(f => uri.StartsWith(f.Scheme, StringComparison.Ordinal))
        && (Environment.GetEnvironmentVariable(KubeflowRootVariable) is { Length: > 0 } || KubeflowFolders.Any(f => uri.StartsWith(f.Scheme, StringComparison.Ordinal) && Directory.Exists(f.Folder)));

    private static string KubeflowRoot =>
        Environment.GetEnvironmentVariable(KubeflowRootVariable) is { Length: > 0 } root ? Path.GetFullPath(root) : "/";

    /// <summary>The local path of an artifact URI (<c>gs://</c>, <c>minio://</c>, <c>s3://</c>, <c>file://</c>, or an absolute path).</summary>
    /// <exception cref="FormatException">The URI has a scheme this runtime cannot reach as a file.</exception>
    public static string LocalPath(string uri, string? root = null)
    {
        root ??= Root;
        if (uri.StartsWith("gs://", StringComparison.Ordinal))
        {
            return Path.Combine(root, uri["gs://".Length..]);
        }

        foreach (var (scheme, folder) in KubeflowFolders)
        {
            if (uri.StartsWith(scheme, StringComparison.Ordinal))
            {
                return Path.Combine(KubeflowRoot, folder[1..], uri[scheme.Length..]);
            }
        }

        if (uri.StartsWith("file://", StringComparison.Ordinal))
        {
            return new Uri(uri).LocalPath;
        }

        if (Path.IsPathRooted(uri))
        {
            return MapPath(uri, root);
        }

        throw new FormatException($"'{uri}' is not a gs://, minio://, s3://, file:// or absolute path, so it cannot be read as a file");
    }

    /// <summary>Re-roots a <c>/gcs/…</c> path under <paramref name="root"/> and a <c>/minio/…</c> or <c>/s3/…</c> path under <c>$PIPELINES_KFP_MOUNT</c>; other paths are returned as they are.</summary>
    public static string MapPath(string path, string? root = null)
    {
        root ??= Root;
        foreach (var (_, folder) in KubeflowFolders)
        {
            if (path.StartsWith(folder + "/", StringComparison.Ordinal))
            {
                return Path.Combine(KubeflowRoot, path[1..]);
            }
        }

        const string prefix = VertexRoot + "/";
        return root != VertexRoot && path.StartsWith(prefix, StringComparison.Ordinal)
            ? Path.Combine(root, path[prefix.Length..])
            : path;
    }

    /// <summary>The URI of a path a step wrote: <c>gs://bucket/path</c> for <c>/gcs/bucket/path</c> (<c>minio://</c>, <c>s3://</c> for <c>/minio/…</c>, <c>/s3/…</c>), else a <c>file://</c> URI.</summary>
    public static string UriOf(string path)
    {
        foreach (var (scheme, folder) in KubeflowFolders)
        {
            if (path.StartsWith(folder + "/", StringComparison.Ordinal))
            {
                return scheme + path[(folder.Length + 1)..];
            }
        }

        const string prefix = VertexRoot + "/";
        return path.StartsWith(prefix, StringComparison.Ordinal) ? "gs://" + path[prefix.Length..] : new Uri(Path.GetFullPath(path)).AbsoluteUri;
    }
}
