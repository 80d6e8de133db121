using System.Text.Json.Serialization;

namespace PipelineSdk.Server.Api;

/// <summary>A token as <c>GET /api/v1/tokens</c> lists it: never its secret.</summary>
/// <param name="Name">Its unique name.</param>
/// <param name="Role"><c>admin</c>, <c>write</c> or <c>read</c>.</param>
/// <param name="CreatedAt">When it was made.</param>
/// <param name="ExpiresAt">When it stops working, if ever.</param>
/// <param name="RevokedAt">When it was revoked, if it was.</param>
/// <param name="LastUsedAt">When it last authorized a request (to the minute).</param>
internal sealed record TokenBody(string Name, string Role, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);

/// <summary>The body of <c>POST /api/v1/tokens</c>.</summary>
/// <param name="Name">The new token's name.</param>
/// <param name="Role"><c>admin</c>, <c>write</c> or <c>read</c>.</param>
/// <param name="Expires">Its lifetime, e.g. <c>30d</c>; none: it never expires.</param>
internal sealed record CreateTokenRequest(string Name, string Role, string? Expires = null);

/// <summary>What <c>POST /api/v1/tokens</c> answers: the token, shown this once.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Role">Its role.</param>
/// <param name="Token">The token itself (only its hash is kept).</param>
internal sealed record CreatedTokenBody(string Name, string Role, string Token);

/// <summary>Source-generated JSON for the token endpoints.</summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(List<TokenBody>))]
[JsonSerializable(typeof(CreateTokenRequest))]
[JsonSerializable(typeof(CreatedTokenBody))]
internal sealed partial class TokenJson : JsonSerializerContext;
