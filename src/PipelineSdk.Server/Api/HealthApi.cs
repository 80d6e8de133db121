using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PipelineSdk.Store.Remote;

namespace PipelineSdk.Server.Api;

/// <summary><c>GET /api/v1/health</c>: the one endpoint that answers without a token (for probes and `pipelines connect`).</summary>
internal static class HealthApi
{
    public const string Path = "/api/v1/health";

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet(Path, () => TypedResults.Json(new HealthResponse("ok", Version), RemoteJson.Default.HealthResponse));

    public static string Version { get; } =
        typeof(HealthApi).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
