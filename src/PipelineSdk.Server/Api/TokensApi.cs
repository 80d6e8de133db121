using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PipelineSdk.Server.Security;

namespace PipelineSdk.Server.Api;

/// <summary>
/// <c>/api/v1/tokens</c>: who may use the server, managed remotely by an admin (the <c>pipelines server token</c> commands do
/// the same on the server's machine). A token's secret is answered once, when it is made.
/// </summary>
internal static class TokensApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var tokens = app.MapGroup("/api/v1/tokens");
        tokens.MapGet("/", (ApiTokens all) => TypedResults.Json(
            all.List().Select(t => new TokenBody(t.Name, ApiTokens.RoleName(t.Role), t.CreatedAt, t.ExpiresAt, t.RevokedAt, t.LastUsedAt)).ToList(), TokenJson.Default.ListTokenBody))
            .RequireRole(TokenRole.Admin, "listing tokens");
        tokens.MapPost("/", async (HttpRequest request, ApiTokens all) =>
        {
            var body = await ApiErrors.Body(request, TokenJson.Default.CreateTokenRequest).ConfigureAwait(false);
            var role = ApiTokens.ParseRole(body.Role)
                ?? throw new ApiException(StatusCodes.Status400BadRequest, $"role '{body.Role}' is not one of admin, write, read");
            var token = all.Create(body.Name, role, body.Expires is { } expires ? ApiTokens.ParseLifetime(expires) : null);
            return TypedResults.Json(new CreatedTokenBody(body.Name, ApiTokens.RoleName(role), token), TokenJson.Default.CreatedTokenBody, statusCode: StatusCodes.Status201Created);
        }).RequireRole(TokenRole.Admin, "creating tokens");
        tokens.MapDelete("/{name}", (string name, ApiTokens all) =>
        {
            ApiErrors.Found(all.List().FirstOrDefault(t => t.Name == name), $"token named '{name}'");
            all.Revoke(name);
            return TypedResults.NoContent();
        }).RequireRole(TokenRole.Admin, "revoking tokens");
    }
}
