using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PipelineSdk.Server.Api;
using PipelineSdk.Server.Security;
using PipelineSdk.Store;

namespace PipelineSdk.Server.Dashboard;

/// <summary>
/// Signing the dashboard in and out: <c>POST /api/v1/session</c> takes an API token and sets the session cookie,
/// <c>GET</c> says who is signed in (and the CSRF token for writes), <c>DELETE</c> signs out; <c>GET /login?code=</c>
/// says what the server runs on (<c>/api/v1/overview</c>); <c>GET /login?code=</c> spends a one-time login code (the link <c>pipelines dashboard</c> prints) and goes to the dashboard.
/// </summary>
internal static class DashboardApi
{
    public const string SessionPath = "/api/v1/session";

    public const string LoginPath = "/login";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost(SessionPath, async (HttpContext context, ApiTokens tokens, DashboardSessions sessions) =>
        {
            // A cross-site form cannot send JSON without a preflight this server never answers: no signing in by another site.
            if (BehindUntrustedTlsProxy(context.Request))
            {
                throw new ApiException(StatusCodes.Status400BadRequest, UntrustedProxy);
            }

            if (!context.Request.HasJsonContentType() || !SameOrigin(context.Request))
            {
                throw new ApiException(StatusCodes.Status400BadRequest, "sign in from the dashboard's own page with a JSON body {\"token\": \"...\"}");
            }

            var body = await ApiErrors.Body(context.Request, DashboardJson.Default.SignInRequest).ConfigureAwait(false);
            if (tokens.Authenticate(body.Token.Trim(), out var refusal) is not { } token)
            {
                throw new ApiException(StatusCodes.Status401Unauthorized, refusal);
            }

            var session = sessions.SignIn(context, token.Name, token.Role, ApiTokens.IdOf(body.Token.Trim()));
            return TypedResults.Json(SessionBody.From(session), DashboardJson.Default.SessionBody);
        });
        app.MapGet(SessionPath, (HttpContext context, DashboardSessions sessions) =>
            sessions.Find(context) is { } session
                ? TypedResults.Json(SessionBody.From(session), DashboardJson.Default.SessionBody)
                : throw new ApiException(StatusCodes.Status401Unauthorized, "this request authenticated with a bearer token, not a dashboard session"));
        app.MapDelete(SessionPath, (HttpContext context, DashboardSessions sessions) =>
        {
            sessions.SignOut(context);
            return TypedResults.NoContent();
        });
        app.MapGet("/api/v1/overview", (MetadataStore store) =>
            TypedResults.Json(new OverviewBody(HealthApi.Version, store.ActiveStackName, store.Location), DashboardJson.Default.OverviewBody));
        app.MapGet(LoginPath, (HttpContext context, DashboardSessions sessions, string? code) =>
        {
            context.Response.Headers["Referrer-Policy"] = "no-referrer";
            context.Response.Headers.CacheControl = "no-store";
            // A navigation carries no Origin: the proxy's forwarded scheme tells that its cookie could not be Secure.
            if (!context.Request.IsHttps && string.Equals(context.Request.Headers["X-Forwarded-Proto"].ToString(), "https", StringComparison.OrdinalIgnoreCase))
            {
                return Results.Text(UntrustedProxy, statusCode: StatusCodes.Status400BadRequest);
            }

            return code is { Length: > 0 } && sessions.Redeem(context, code) is not null
                ? Results.Redirect("/#/runs")
                : Results.Redirect("/#/login?expired=1");
        });
    }

    private const string UntrustedProxy =
        "the dashboard's page came over HTTPS but this request reached the server over HTTP: behind a TLS proxy, start the server with --trusted-proxy ADDRESS-OF-THE-PROXY (see docs/server.md)";

    // The page's origin is https://this-host while the request came in as http: a proxy ended TLS and is not trusted to say so.
    private static bool BehindUntrustedTlsProxy(HttpRequest request) =>
        !request.IsHttps && string.Equals(request.Headers.Origin.ToString(), $"https://{request.Host}", StringComparison.OrdinalIgnoreCase);

    private static bool SameOrigin(HttpRequest request) =>
        request.Headers.Origin.ToString() is not { Length: > 0 } origin ||
        string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
}

/// <summary>What <c>POST /api/v1/session</c> takes.</summary>
/// <param name="Token">An API token.</param>
internal sealed record SignInRequest(string Token);

/// <summary>Who is signed in.</summary>
/// <param name="Name">The token's name.</param>
/// <param name="Role">What it may do.</param>
/// <param name="Csrf">The token a write must send in the CSRF header.</param>
/// <param name="ExpiresAt">When the session ends.</param>
internal sealed record SessionBody(string Name, string Role, string Csrf, DateTimeOffset ExpiresAt)
{
    public static SessionBody From(DashboardSession session) => new(session.Name, ApiTokens.RoleName(session.Role), session.Csrf, session.ExpiresAt);
}

/// <summary>What the server runs on.</summary>
/// <param name="Version">The server's version.</param>
/// <param name="ActiveStack">The store's active stack.</param>
/// <param name="Database">Where the records are (never a password).</param>
internal sealed record OverviewBody(string Version, string ActiveStack, string Database);
