using System.Collections.Concurrent;
using Google.Cloud.Storage.V1;
using PipelineSdk.Artifacts;

namespace PipelineSdk.Gcp.Artifacts;

/// <summary>
/// Reaches any <c>gs://bucket/name</c> through the Cloud Storage client, for step mode and the <c>pipelines</c>
/// tool where no bucket is mounted. Clients are made on first use (from <c>PIPELINES_GCS_ENDPOINT</c>,
/// <c>STORAGE_EMULATOR_HOST</c> and Application Default Credentials, as <see cref="GcsArtifactStore.CreateClient"/> does)
/// and kept per endpoint setting, so credentials are looked up once.
/// </summary>
internal sealed class GcsUriHandler : IArtifactUriHandler
{
    private readonly ConcurrentDictionary<string, StorageClient> _clients = new(StringComparer.Ordinal);

    public Task<Stream> OpenReadAsync(string uri, CancellationToken cancellationToken) =>
        StoreOf(uri).OpenReadAsync(uri, cancellationToken);

    public Task<StoredContent> WriteAsync(string uri, Func<Stream, CancellationToken, Task> writeContent, CancellationToken cancellationToken) =>
        StoreOf(uri).WriteAsync(uri, writeContent, cancellationToken);

    private GcsArtifactStore StoreOf(string uri)
    {
        var slash = uri.IndexOf('/', "gs://".Length);
        if (!uri.StartsWith("gs://", StringComparison.Ordinal) || slash < 0 || slash == uri.Length - 1)
        {
            throw new FormatException($"'{uri}' is not a Cloud Storage object URI like gs://bucket/path");
        }

        var endpoints = Environment.GetEnvironmentVariable(GcsArtifactStore.EndpointVariable) + " " + Environment.GetEnvironmentVariable(GcsArtifactStore.EmulatorHostVariable);
        var client = _clients.GetOrAdd(endpoints, _ => GcsArtifactStore.CreateClient());
        try
        {
            return new GcsArtifactStore(uri[..slash], client);
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message, e);
        }
    }
}
