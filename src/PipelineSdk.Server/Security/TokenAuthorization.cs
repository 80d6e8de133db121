using Microsoft.AspNetCore.Http;
using PipelineSdk.Server.Api;

namespace PipelineSdk.Server.Security;

/// <summary>
/// Every request but the health check needs <c>Authorization: Bearer TOKEN</c> with a valid token (401 otherwise); a read
/// token may only read (403 for anything else).
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

        if (token.Role == TokenRole.Read && !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            throw new ApiException(StatusCodes.Status403Forbidden, $"the token '{token.Name}' may only read; recording needs a write token (`pipelines server token create NAME --role write`)");
        }

        context.Items[RoleItem] = token.Role;
        await next(context).ConfigureAwait(false);
    }
}
