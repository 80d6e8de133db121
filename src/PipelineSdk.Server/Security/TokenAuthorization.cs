using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PipelineSdk.Server.Api;
using PipelineSdk.Server.Dashboard;

namespace PipelineSdk.Server.Security;

/// <summary>
/// Every API request but the health check and signing in needs <c>Authorization: Bearer TOKEN</c> with a valid token, or the
/// dashboard's session cookie (401 otherwise). A read token may only read; a write token may also record (runs, stacks,
/// components, schedules); what removes what others rely on or manages access needs an admin token (endpoints marked with
/// <see cref="RequireRoleExtensions.RequireRole"/>). Anything else is a 403. A write by cookie must
/// also carry the session's CSRF header, so another site cannot make a signed-in browser write. The dashboard's own files
/// (everything outside <c>/api</c>) are public: they hold no data.
/// </summary>
internal static class TokenAuthorization
{
    private const string RoleItem = "psdk.role";
    private const string NameItem = "psdk.name";

    /// <summary>The name of the token (or dashboard session) that made this request: who a change it makes is recorded as.</summary>
    public static string CallerName(HttpContext context) => context.Items[NameItem] as string ?? "unknown";

    public static async Task Check(HttpContext context, ApiTokens tokens, DashboardSessions sessions, RequestDelegate next)
    {
        if (IsPublic(context.Request))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var (name, role) = Authenticate(context, tokens, sessions);
        if (context.GetEndpoint()?.Metadata.GetMetadata<RequiredRole>() is { } required && role < required.Role)
        {
            throw new ApiException(StatusCodes.Status403Forbidden,
                $"the token '{name}' has the {ApiTokens.RoleName(role)} role; {required.Action} needs an admin token (`pipelines server token create NAME --role admin`)");
        }

        if (role == TokenRole.Read && !IsRead(context.Request) && !IsSignOut(context.Request))
        {
            throw new ApiException(StatusCodes.Status403Forbidden, $"the token '{name}' may only read; recording needs a write token (`pipelines server token create NAME --role write`)");
        }

        context.Items[RoleItem] = role;
        context.Items[NameItem] = name;
        await next(context).ConfigureAwait(false);
    }

    private static (string Name, TokenRole Role) Authenticate(HttpContext context, ApiTokens tokens, DashboardSessions sessions)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            if (tokens.Authenticate(header["Bearer ".Length..].Trim(), out var refusal) is not { } token)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                throw new ApiException(StatusCodes.Status401Unauthorized, refusal);
            }

            return token;
        }

        if (sessions.Find(context) is { } session)
        {
            if (!IsRead(context.Request) && !DashboardSessions.HasCsrfToken(context, session))
            {
                throw new ApiException(StatusCodes.Status403Forbidden, $"a write from the dashboard must send the session's {DashboardSessions.CsrfHeader} header (from GET {DashboardApi.SessionPath})");
            }

            return (session.Name, session.Role);
        }

        context.Response.Headers.WWWAuthenticate = "Bearer";
        throw new ApiException(StatusCodes.Status401Unauthorized, "this server needs an API token: send Authorization: Bearer TOKEN (`pipelines connect --url URL --token TOKEN`), or sign in to the dashboard");
    }

    private static bool IsPublic(HttpRequest request) =>
        !request.Path.StartsWithSegments("/api", StringComparison.Ordinal) ||
        request.Path.StartsWithSegments(HealthApi.Path, StringComparison.Ordinal) ||
        (request.Path.Equals(DashboardApi.SessionPath, StringComparison.Ordinal) && HttpMethods.IsPost(request.Method));

    // Whoever signed in may sign out, whatever the token may do.
    private static bool IsSignOut(HttpRequest request) =>
        request.Path.Equals(DashboardApi.SessionPath, StringComparison.Ordinal) && HttpMethods.IsDelete(request.Method);

    private static bool IsRead(HttpRequest request) => HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);
}

/// <summary>An endpoint that needs more than its method implies: <paramref name="Action"/> says what, for the 403.</summary>
internal sealed record RequiredRole(TokenRole Role, string Action);

/// <summary>Marks endpoints that need a token of a role above what their method implies.</summary>
internal static class RequireRoleExtensions
{
    /// <summary>Requires <paramref name="role"/> for <paramref name="action"/> (e.g. "deleting a stack").</summary>
    public static TBuilder RequireRole<TBuilder>(this TBuilder builder, TokenRole role, string action)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredRole(role, action));
}
