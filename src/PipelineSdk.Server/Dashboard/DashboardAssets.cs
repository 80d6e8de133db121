using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;

namespace PipelineSdk.Server.Dashboard;

/// <summary>
/// The dashboard's built files (Vite's output, embedded in this assembly at build time as <c>dashboard/...</c> resources):
/// <c>/</c> is the page, <c>/assets/...</c> its scripts and styles, named by content hash so browsers keep them.
/// </summary>
internal static class DashboardAssets
{
    private const string ResourcePrefix = "dashboard/";

    /// <summary>The page may load only this server's scripts and styles, talk only to it, and frame only its sandboxed artifact pages.</summary>
    private const string PagePolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; " +
        "frame-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly Assembly Assembly = typeof(DashboardAssets).Assembly;
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    /// <summary>Whether the dashboard was built into this assembly (a build without Node leaves it out).</summary>
    public static bool IsEmbedded => Assembly.GetManifestResourceInfo(ResourcePrefix + "index.html") is not null;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext context) => Serve(context, "index.html", immutable: false));
        app.MapGet("/assets/{**file}", (HttpContext context, string file) => Serve(context, "assets/" + file, immutable: true));
    }

    private static IResult Serve(HttpContext context, string file, bool immutable)
    {
        if (file.Contains("..", StringComparison.Ordinal) || Assembly.GetManifestResourceStream(ResourcePrefix + file) is not { } content)
        {
            return file == "index.html"
                ? Results.Text("This server was built without its dashboard (Node.js was missing at build time); the API is under /api/v1.", "text/plain", statusCode: StatusCodes.Status404NotFound)
                : Results.NotFound();
        }

        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = PagePolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        headers.CacheControl = immutable ? "public, max-age=31536000, immutable" : "no-cache";
        return Results.Stream(content, ContentTypes.TryGetContentType(file, out var type) ? type : "application/octet-stream");
    }
}
