using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PipelineSdk.Server.Hosting;
using PipelineSdk.Store;
using PipelineSdk.Store.Remote;

namespace PipelineSdk.Server.Api;

/// <summary>
/// <c>/api/v1/artifacts</c>: artifact records, their consumers (lineage), the named-artifact versions they are, and their content streamed from the server's disk —
/// only files below the folders the server was told to serve (<c>--artifact-root</c>), since a URI is whatever a client recorded.
/// </summary>
internal static class ArtifactsApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var artifacts = app.MapGroup("/api/v1/artifacts");
        artifacts.MapGet("/{id:long}", (long id, MetadataStore store) => TypedResults.Json(Existing(store, id), RemoteJson.Default.ArtifactRecord));
        artifacts.MapGet("/{id:long}/consumers", (long id, MetadataStore store) =>
            TypedResults.Json(store.GetConsumers(Existing(store, id).Id).ToList(), RemoteJson.Default.ListStepRunRecord));
        // The names it is a version of (usually none or one), by scanning every name's versions: enough for a registry of hundreds.
        artifacts.MapGet("/{id:long}/versions", (long id, MetadataStore store) =>
        {
            var artifact = Existing(store, id);
            var versions = store.ListArtifactNames()
                .SelectMany(n => store.ListArtifactVersions(n.Name))
                .Where(v => v.Artifact.Id == artifact.Id)
                .ToList();
            return TypedResults.Json(versions, RemoteJson.Default.ListArtifactVersionRecord);
        });
        artifacts.MapGet("/{id:long}/content", (long id, MetadataStore store, ServerOptions options) =>
        {
            var artifact = Existing(store, id);
            var path = ServedPath(artifact, options.ArtifactRoots);
            return TypedResults.PhysicalFile(path, "application/octet-stream", enableRangeProcessing: true);
        });
    }

    private static ArtifactRecord Existing(MetadataStore store, long id) => ApiErrors.Found(store.GetArtifact(id), $"artifact {id}");

    public static string ServedPath(ArtifactRecord artifact, IReadOnlyList<string> roots)
    {
        if (!Uri.TryCreate(artifact.Uri, UriKind.Absolute, out var uri) || !uri.IsFile)
        {
            throw new ApiException(StatusCodes.Status404NotFound, $"artifact {artifact.Id} lives at {artifact.Uri}, which this server does not read; read it from there");
        }

        var path = Path.GetFullPath(uri.LocalPath);
        var root = roots.FirstOrDefault(r => path.StartsWith(r.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal));
        if (root is null || HasLink(root, path))
        {
            throw new ApiException(StatusCodes.Status404NotFound, $"artifact {artifact.Id} is at {path}, outside the folders this server serves; start the server with --artifact-root for it");
        }

        if (!File.Exists(path))
        {
            throw new ApiException(StatusCodes.Status404NotFound, Directory.Exists(path)
                ? $"artifact {artifact.Id} is a folder; the server streams files only"
                : $"the content of artifact {artifact.Id} is gone from {path}");
        }

        return path;
    }

    // A link below a served folder could point anywhere on the server's disk.
    private static bool HasLink(string root, string path)
    {
        for (var current = path; current.Length > root.TrimEnd(Path.DirectorySeparatorChar).Length; current = Path.GetDirectoryName(current)!)
        {
            var info = new FileInfo(current);
            if (info.Exists || Directory.Exists(current))
            {
                if (info.LinkTarget is not null || new DirectoryInfo(current).LinkTarget is not null)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
