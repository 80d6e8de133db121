using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PipelineSdk.Server.Security;
using PipelineSdk.Store;
using PipelineSdk.Store.Remote;

namespace PipelineSdk.Server.Api;

/// <summary>
/// <c>/api/v1/artifact-names</c>: named artifacts, their versions and tags, and model stages. A stage change is recorded as made
/// by the token that asked, whatever the client says.
/// </summary>
internal static class RegistryApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var names = app.MapGroup("/api/v1/artifact-names");
        names.MapGet("/", (MetadataStore store) => TypedResults.Json(store.ListArtifactNames().ToList(), RemoteJson.Default.ListArtifactNameRecord));
        names.MapGet("/{name}/versions", (string name, MetadataStore store) =>
            TypedResults.Json(store.ListArtifactVersions(name).ToList(), RemoteJson.Default.ListArtifactVersionRecord));
        names.MapPost("/{name}/versions/{version:int}/tags", async (string name, int version, HttpRequest request, MetadataStore store) =>
        {
            var body = await ApiErrors.Body(request, RemoteJson.Default.TagRequest).ConfigureAwait(false);
            return store.TagArtifactVersion(name, version, body.Tag)
                ? TypedResults.Json(new ChangedResponse(true), RemoteJson.Default.ChangedResponse)
                : throw new ApiException(StatusCodes.Status404NotFound, $"no version {version} of artifact '{name}'");
        });
        names.MapPost("/{name}/versions/{version:int}/stage", async (string name, int version, HttpContext context, MetadataStore store) =>
        {
            var body = await ApiErrors.Body(context.Request, RemoteJson.Default.StageRequest).ConfigureAwait(false);
            var changes = store.SetModelStage(name, version, body.Stage, body.KeepOthers, TokenAuthorization.CallerName(context), body.At);
            return TypedResults.Json(changes.ToList(), RemoteJson.Default.ListStageChangeRecord);
        });
        names.MapGet("/{name}/stage-changes", (string name, MetadataStore store) =>
            TypedResults.Json(store.GetStageChanges(name).ToList(), RemoteJson.Default.ListStageChangeRecord));
    }
}
