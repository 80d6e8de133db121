using PipelineSdk.Artifacts;
using PipelineSdk.Execution;
using PipelineSdk.Store;
using PipelineSdk.Store.Remote;
using PipelineSdk.Values;

namespace PipelineSdk;

/// <summary>
/// Which store registry calls use: inside a step, the store its run records to (the in-process orchestrator's store, the
/// store folder a local-process orchestrator names, or a Vertex container's live-recording server); in plain code, the
/// store this folder uses (<c>pipelines connect</c> included).
/// </summary>
internal static class RegistryStore
{
    /// <summary>Environment variable with the store folder of the run a step process belongs to.</summary>
    public const string HomeVariable = "PIPELINES_REGISTRY_HOME";

    /// <summary>The store of the run whose step runs in this flow (set by the in-process executor).</summary>
    public static AsyncLocal<MetadataStore?> Current { get; } = new();

    /// <summary>Calls <paramref name="use"/> with <paramref name="given"/>, else the store a run lends, else one opened (and closed) here.</summary>
    public static T Use<T>(MetadataStore? given, Func<MetadataStore, T> use)
    {
        if ((given ?? Current.Value) is { } lent)
        {
            return use(lent);
        }

        using var store = Environment.GetEnvironmentVariable(HomeVariable) is { Length: > 0 } home ? MetadataStore.Open(home)
            : Environment.GetEnvironmentVariable(LiveRecording.ServerUrlVariable) is { Length: > 0 } ? LiveRecording.OpenStoreAsync(CancellationToken.None).GetAwaiter().GetResult()
            : MetadataStore.Open(StoreLocation.Resolve());
        return use(store);
    }

    /// <summary>
    /// Reads a stored artifact's value: from its file when this machine can reach it (a local store, a mounted bucket), else
    /// streamed from the team's server.
    /// </summary>
    /// <exception cref="Stacks.StackException">The content cannot be reached from here.</exception>
    public static object? Read(MetadataStore store, ArtifactRecord artifact, ValueCodec codec)
    {
        var path = LocalPathOf(artifact.Uri);
        if (path is not null && ArtifactFiles.Exists(path))
        {
            return LocalArtifactStore.Read(new Uri(path).AbsoluteUri, codec, artifact.MetadataJson);
        }

        if (store is not ServerStore server)
        {
            throw new Stacks.StackException($"the content of artifact {artifact.Id} ({artifact.Uri}) cannot be read from this machine; "
                + "a step on Vertex AI or Kubeflow reads versions stored in its stack's artifact store, or any version through a team server its steps report to (see docs/mlops.md)");
        }

        // A file the server streams: copied to a scratch file, read as if it were local.
        var scratch = Path.Combine(Path.GetTempPath(), "pipelinesdk-registry", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(scratch);
        var copy = Path.Combine(scratch, "content");
        using (var content = server.OpenArtifactContent(artifact.Id))
        using (var file = File.Create(copy))
        {
            content.CopyTo(file);
        }

        return LocalArtifactStore.Read(new Uri(copy).AbsoluteUri, codec, artifact.MetadataJson);
    }

    private static string? LocalPathOf(string uri)
    {
        try
        {
            return GcsMount.LocalPath(uri);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
