using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PipelineSdk.Server.Api;

namespace PipelineSdk.Server.Security;

/// <summary>
/// Every request but the health check needs <c>Authorization: Bearer TOKEN</c> with a valid token (401 otherwise). A read
/// token may only read; a write token may also record (runs, stacks, components, schedules); what removes what others rely
/// on or manages access needs an admin token (endpoints marked with <see cref="RequireRoleExtensions.RequireRole"/>). Anything else is a 403.
/// </summary>
internal static class TokenAuthorization
{
    private const string RoleItem = "psdk.role";

    public static async Task Check(HttpContext context, ApiTokens tokens, RequestDelegate next)
    {
        if (context.Request.Path.StartsWithSegments(HealthApi.Path))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            throw new ApiException(StatusCodes.Status401Unauthorized, "this server needs an API token: send Authorization: Bearer TOKEN (`pipelines connect --url URL --token TOKEN`)");
        }

        if (tokens.Authenticate(header["Bearer ".Length..].Trim(), out var refusal) is not { } token)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            throw new ApiException(StatusCodes.Status401Unauthorized, refusal);
        }

        if (context.GetEndpoint()?.Metadata.GetMetadata<RequiredRole>() is { } required && token.Role < required.Role)
        {
            throw new ApiException(StatusCodes.Status403Forbidden,
                $"the token '{token.Name}' has the {ApiTokens.RoleName(token.Role)} role; {required.Action} needs an admin token (`pipelines server token create NAME --role admin`)");
        }

        if (token.Role == TokenRole.Read && !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            throw new ApiException(StatusCodes.Status403Forbidden, $"the token '{token.Name}' may only read; recording needs a write token (`pipelines server token create NAME --role write`)");
        }

        context.Items[RoleItem] = token.Role;
        await next(context).ConfigureAwait(false);
    }
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
