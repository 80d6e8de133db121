using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PipelineSdk.Gcp.Tests.Fakes;

/// <summary>
/// Google's token endpoint and Secret Manager REST v1 on 127.0.0.1, checking requests as the real services do:
/// the service account's JWT must be RS256-signed by its key, for its email, Google's token audience, at most an hour, and the
/// cloud-platform scope; every API call needs the issued bearer token; ids, paths and bodies are validated,
/// and errors come back in Google's JSON error shape. It also plays Artifact Registry's token service (see
/// FakeGoogle.RegistryTokens.cs).
/// </summary>
internal sealed partial class FakeGoogle : IAsyncDisposable
{
    public const string ServiceAccount = "runner@my-project.iam.gserviceaccount.com";
    public const string ForbiddenProject = "forbidden-project";

    private readonly WebApplication _app;
    private readonly RSA _key = RSA.Create(2048);
    private readonly ConcurrentDictionary<string, SecretState> _secrets = new();
    // Every access token issued stays valid (as Google's do until they expire): several processes share this fake.
    private readonly ConcurrentDictionary<string, bool> _issuedTokens = new(StringComparer.Ordinal);

    private FakeGoogle(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public int TokensIssued;

    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Whether <paramref name="authorization"/> carries an access token this fake issued.</summary>
    public bool IsAuthorized(string authorization) => authorization.StartsWith("Bearer ", StringComparison.Ordinal) && IsIssuedToken(authorization["Bearer ".Length..]);

    /// <summary>The stored payload of a secret's latest version, decoded.</summary>
    public string? Payload(string project, string secret) =>
        _secrets.TryGetValue($"{project}/{secret}", out var state) && state.Versions.Count > 0 ? Encoding.UTF8.GetString(state.Versions[^1]) : null;

    /// <summary>Stores <paramref name="payload"/> as the first version of a new secret, as <c>gcloud secrets create --data-file</c> does.</summary>
    public void AddSecret(string project, string secret, string payload)
    {
        var state = new SecretState();
        state.Versions.Add(Encoding.UTF8.GetBytes(payload));
        _secrets[$"{project}/{secret}"] = state;
    }

    /// <summary>The Secret Manager requests that read <paramref name="secret"/>.</summary>
    public int Reads(string project, string secret) => Requests.Count(r => r.StartsWith($"GET /v1/projects/{project}/secrets/{secret}/versions/", StringComparison.Ordinal));

    /// <summary>Whether <paramref name="token"/> is an access token this endpoint issued (the other fakes accept only those).</summary>
    public bool IsIssuedToken(string token) => _issuedTokens.ContainsKey(token);

    public static async Task<FakeGoogle> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeGoogle(app);
        fake.Map(app);
        await app.StartAsync();
        fake.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/') + "/";
        return fake;
    }

    /// <summary>Our auth with a key file (written to <paramref name="directory"/>) whose tokens this fake issues, through Google's library.</summary>
    public PipelineSdk.Gcp.Auth.GoogleAuth Auth(string directory)
    {
        var keyFile = WriteKeyFile(directory);
        return new PipelineSdk.Gcp.Auth.GoogleAuth(() => Task.FromResult<Google.Apis.Auth.OAuth2.ITokenAccess>(
            Google.Apis.Auth.OAuth2.CredentialFactory.FromFile<Google.Apis.Auth.OAuth2.ServiceAccountCredential>(keyFile).ToGoogleCredential()
                .CreateScoped(PipelineSdk.Gcp.Auth.GoogleAuth.CloudPlatformScope)));
    }

    /// <summary>Writes a service-account key file whose token_uri points here.</summary>
    public string WriteKeyFile(string directory)
    {
        var path = Path.Combine(directory, "key.json");
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "service_account");
            writer.WriteString("project_id", "my-project");
            writer.WriteString("private_key_id", "key-1");
            writer.WriteString("private_key", _key.ExportPkcs8PrivateKeyPem() + "\n");
            writer.WriteString("client_email", ServiceAccount);
            writer.WriteString("client_id", "1234567890");
            writer.WriteString("token_uri", BaseUrl + "token");
            writer.WriteEndObject();
        }

        File.WriteAllBytes(path, buffer.ToArray());
        return path;
    }

    /// <summary>A service account whose key this fake does not know: its tokens are refused.</summary>
    public sealed class Stranger(string baseUrl)
    {
        public string WriteKeyFile(string directory)
        {
            using var key = RSA.Create(2048);
            var path = Path.Combine(directory, "stranger.json");
            File.WriteAllText(path, $$"""
                {"type": "service_account", "project_id": "my-project", "private_key_id": "other", "client_email": "{{ServiceAccount}}",
                 "client_id": "1", "token_uri": "{{baseUrl}}token", "private_key": {{JsonSerializer.Serialize(key.ExportPkcs8PrivateKeyPem() + "\n")}}}
                """);
            return path;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _key.Dispose();
        _registryCertificate?.Dispose();
        _registryKey.Dispose();
    }

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            Requests.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
            await next(context);
        });
        app.MapPost("/token", (Delegate)Token);
        app.MapPost("/v1/projects/{project}/secrets", CreateSecret);
        app.MapGet("/v1/projects/{project}/secrets", ListSecrets);
        app.MapPost("/v1/projects/{project}/secrets/{secretAndVerb}", AddVersion);
        app.MapGet("/v1/projects/{project}/secrets/{secret}/versions/{versionAndVerb}", Access);
        app.MapDelete("/v1/projects/{project}/secrets/{secret}", DeleteSecret);
        app.MapGet("/v2/token", RegistryToken);
    }

    private async Task<IResult> Token(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        if (form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer")
        {
            return Results.Json(new Dictionary<string, string> { ["error"] = "unsupported_grant_type" }, statusCode: 400);
        }

        var parts = form["assertion"].ToString().Split('.');
        if (parts.Length != 3 || !_key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return Results.Json(new Dictionary<string, string> { ["error"] = "invalid_grant", ["error_description"] = "Invalid JWT Signature." }, statusCode: 400);
        }

        using var header = JsonDocument.Parse(Base64Url(parts[0]));
        using var claims = JsonDocument.Parse(Base64Url(parts[1]));
        var c = claims.RootElement;
        if (header.RootElement.GetProperty("alg").GetString() != "RS256"
            || c.GetProperty("iss").GetString() != ServiceAccount
            || c.GetProperty("aud").GetString() != "https://oauth2.googleapis.com/token"
            || c.GetProperty("exp").GetInt64() - c.GetProperty("iat").GetInt64() > 3600
            || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - c.GetProperty("iat").GetInt64()) > 300
            || !(c.GetProperty("scope").GetString() ?? "").Split(' ').Contains("https://www.googleapis.com/auth/cloud-platform"))
        {
            return Results.Json(new Dictionary<string, string> { ["error"] = "invalid_grant", ["error_description"] = "Invalid JWT claims." }, statusCode: 400);
        }

        Interlocked.Increment(ref TokensIssued);
        var issued = "ya29.test-" + Guid.NewGuid().ToString("N");
        _issuedTokens[issued] = true;
        return Results.Json(new Dictionary<string, object> { ["access_token"] = issued, ["expires_in"] = 3600, ["token_type"] = "Bearer" });
    }

    private async Task<IResult> CreateSecret(HttpContext context, string project)
    {
        if (Refuse(context, project) is { } refusal)
        {
            return refusal;
        }

        var id = context.Request.Query["secretId"].ToString();
        if (!System.Text.RegularExpressions.Regex.IsMatch(id, "^[A-Za-z0-9_-]{1,255}$"))
        {
            return Error(400, "INVALID_ARGUMENT", $"Secret ID [{id}] is invalid.");
        }

        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        if (!body.RootElement.TryGetProperty("replication", out var replication) || replication.EnumerateObject().Count() != 1)
        {
            return Error(400, "INVALID_ARGUMENT", "Secret.replication is required.");
        }

        return _secrets.TryAdd($"{project}/{id}", new SecretState())
            ? Results.Json(new Dictionary<string, object> { ["name"] = $"projects/{project}/secrets/{id}", ["replication"] = new Dictionary<string, object>() })
            : Error(409, "ALREADY_EXISTS", $"Secret [projects/{project}/secrets/{id}] already exists.");
    }

    private async Task<IResult> AddVersion(HttpContext context, string project, string secretAndVerb)
    {
        if (Refuse(context, project) is { } refusal)
        {
            return refusal;
        }

        if (!secretAndVerb.EndsWith(":addVersion", StringComparison.Ordinal))
        {
            return Error(404, "NOT_FOUND", "Method not found.");
        }

        var secret = secretAndVerb[..^":addVersion".Length];
        if (!_secrets.TryGetValue($"{project}/{secret}", out var state))
        {
            return Error(404, "NOT_FOUND", $"Secret [projects/{project}/secrets/{secret}] not found or has no versions.");
        }

        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        byte[] data;
        try
        {
            data = Convert.FromBase64String(body.RootElement.GetProperty("payload").GetProperty("data").GetString()!);
        }
        catch (Exception e) when (e is FormatException or KeyNotFoundException)
        {
            return Error(400, "INVALID_ARGUMENT", "payload.data must be base64.");
        }

        lock (state)
        {
            state.Versions.Add(data);
        }

        return Results.Json(new Dictionary<string, object> { ["name"] = $"projects/{project}/secrets/{secret}/versions/{state.Versions.Count}", ["state"] = "ENABLED" });
    }

    private IResult Access(HttpContext context, string project, string secret, string versionAndVerb)
    {
        if (Refuse(context, project) is { } refusal)
        {
            return refusal;
        }

        if (versionAndVerb != "latest:access")
        {
            return Error(404, "NOT_FOUND", "Method not found.");
        }

        if (!_secrets.TryGetValue($"{project}/{secret}", out var state) || state.Versions.Count == 0)
        {
            return Error(404, "NOT_FOUND", $"Secret [projects/{project}/secrets/{secret}] not found or has no versions.");
        }

        return Results.Json(new Dictionary<string, object>
        {
            ["name"] = $"projects/{project}/secrets/{secret}/versions/{state.Versions.Count}",
            ["payload"] = new Dictionary<string, string> { ["data"] = Convert.ToBase64String(state.Versions[^1]) },
        });
    }

    private IResult ListSecrets(HttpContext context, string project)
    {
        if (Refuse(context, project) is { } refusal)
        {
            return refusal;
        }

        // Pages of two, so clients must follow nextPageToken as the real API may make them.
        var all = _secrets.Keys.Where(k => k.StartsWith(project + "/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        var start = int.TryParse(context.Request.Query["pageToken"], out var token) ? token : 0;
        var page = all.Skip(start).Take(2).Select(k => new Dictionary<string, string> { ["name"] = $"projects/{project}/secrets/{k[(project.Length + 1)..]}" }).ToList();
        var response = new Dictionary<string, object> { ["secrets"] = page };
        if (start + 2 < all.Count)
        {
            response["nextPageToken"] = (start + 2).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return Results.Json(response);
    }

    private IResult DeleteSecret(HttpContext context, string project, string secret)
    {
        if (Refuse(context, project) is { } refusal)
        {
            return refusal;
        }

        return _secrets.TryRemove($"{project}/{secret}", out _)
            ? Results.Json(new Dictionary<string, object>())
            : Error(404, "NOT_FOUND", $"Secret [projects/{project}/secrets/{secret}] not found.");
    }

    private IResult? Refuse(HttpContext context, string project)
    {
        if (!IsAuthorized(context.Request.Headers.Authorization.ToString()))
        {
            return Error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token.");
        }

        return project == ForbiddenProject
            ? Error(403, "PERMISSION_DENIED", $"Permission 'secretmanager.secrets.create' denied for resource 'projects/{project}' (or it may not exist).")
            : null;
    }

    private static IResult Error(int code, string status, string message) =>
        Results.Json(new Dictionary<string, object> { ["error"] = new Dictionary<string, object> { ["code"] = code, ["message"] = message, ["status"] = status } }, statusCode: code);

    private static byte[] Base64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded + new string('=', (4 - (padded.Length % 4)) % 4));
    }

    private sealed class SecretState
    {
        public List<byte[]> Versions { get; } = [];
    }
}
