using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PipelineSdk.Server.Hosting;
using PipelineSdk.Store;

namespace PipelineSdk.Server.Api;

/// <summary>
/// <c>GET /api/v1/artifacts/{id}/html</c>: an HTML artifact as a page the dashboard frames, under CSP <c>sandbox</c> — an opaque
/// origin with no scripts, forms or plugins — so whatever a step wrote can neither run nor reach the API with the viewer's session.
/// </summary>
internal static class ArtifactPreviewApi
{
    /// <summary>What the framed page may load: nothing but its own inline styles and inline images.</summary>
    public const string SandboxPolicy = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'";

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/artifacts/{id:long}/html", (long id, HttpContext context, MetadataStore store, ServerOptions options) =>
        {
            var artifact = ApiErrors.Found(store.GetArtifact(id), $"artifact {id}");
            var path = ArtifactsApi.ServedPath(artifact, options.ArtifactRoots);
            context.Response.Headers.ContentSecurityPolicy = SandboxPolicy;
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers["Referrer-Policy"] = "no-referrer";
            return TypedResults.PhysicalFile(path, "text/html; charset=utf-8");
        });
}
