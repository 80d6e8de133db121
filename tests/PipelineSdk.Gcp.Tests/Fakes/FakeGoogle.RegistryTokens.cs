using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace PipelineSdk.Gcp.Tests.Fakes;

/// <summary>
/// Artifact Registry's token service, as the Docker token protocol has it: <c>GET /v2/token?service=..&amp;scope=..</c>
/// with Basic <c>oauth2accesstoken:&lt;Google access token&gt;</c> answers a registry token. The tokens are JWTs signed
/// with a certificate the real CNCF registry is configured to trust (<c>auth.token.rootcertbundle</c>), so the
/// registry itself checks them, scope by scope, as gcr.io and *-docker.pkg.dev do behind Google's front end.
/// </summary>
internal sealed partial class FakeGoogle
{
    public const string RegistryService = "fake-artifact-registry";
    public const string RegistryTokenIssuer = "fake-google-registry-tokens";

    private readonly RSA _registryKey = RSA.Create(2048);
    private X509Certificate2? _registryCertificate;

    public int RegistryTokensIssued;

    public System.Collections.Concurrent.ConcurrentQueue<string> RegistryTokenRequests { get; } = new();

    /// <summary>The realm to configure in the registry.</summary>
    public string RegistryTokenRealm => BaseUrl + "v2/token";

    /// <summary>Writes the certificate that signs registry tokens, as the PEM bundle the registry trusts.</summary>
    public string WriteRegistryCertificate(string directory)
    {
        var path = Path.Combine(directory, "registry-token-signer.pem");
        File.WriteAllText(path, RegistryCertificate.ExportCertificatePem() + "\n");
        return path;
    }

    private X509Certificate2 RegistryCertificate
    {
        get
        {
            if (_registryCertificate is null)
            {
                var request = new CertificateRequest("CN=fake registry token signer", _registryKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
                _registryCertificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            }

            return _registryCertificate;
        }
    }

    private IResult RegistryToken(HttpContext context)
    {
        var scopes = context.Request.Query["scope"].SelectMany(s => (s ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        RegistryTokenRequests.Enqueue($"{context.Request.Query["service"]} {string.Join(' ', scopes)}");
        var authorization = context.Request.Headers.Authorization.ToString();
        string? user = null, password = null;
        if (authorization.StartsWith("Basic ", StringComparison.Ordinal))
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..]));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            (user, password) = colon < 0 ? (decoded, "") : (decoded[..colon], decoded[(colon + 1)..]);
        }

        if (user != "oauth2accesstoken" || !IsIssuedToken(password ?? ""))
        {
            return Results.Json(new Dictionary<string, object> { ["errors"] = new[] { new Dictionary<string, string> { ["code"] = "UNAUTHORIZED", ["message"] = "Not Authorized." } } }, statusCode: 401);
        }

        if (context.Request.Query["service"] != RegistryService)
        {
            return Results.Json(new Dictionary<string, object> { ["errors"] = new[] { new Dictionary<string, string> { ["code"] = "DENIED", ["message"] = "Unknown service." } } }, statusCode: 400);
        }

        Interlocked.Increment(ref RegistryTokensIssued);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Json(w =>
        {
            w.WriteString("typ", "JWT");
            w.WriteString("alg", "RS256");
            w.WriteStartArray("x5c");
            w.WriteStringValue(Convert.ToBase64String(RegistryCertificate.RawData));
            w.WriteEndArray();
        });
        var claims = Json(w =>
        {
            w.WriteString("iss", RegistryTokenIssuer);
            w.WriteString("sub", "oauth2accesstoken");
            w.WriteString("aud", RegistryService);
            w.WriteNumber("iat", now);
            w.WriteNumber("nbf", now - 10);
            w.WriteNumber("exp", now + 300);
            w.WriteString("jti", Guid.NewGuid().ToString("N"));
            w.WriteStartArray("access");
            foreach (var scope in scopes)
            {
                // repository:NAME:ACTIONS, where NAME may not contain ':' but ACTIONS is the last part.
                var parts = scope.Split(':');
                if (parts.Length < 3)
                {
                    continue;
                }

                w.WriteStartObject();
                w.WriteString("type", parts[0]);
                w.WriteString("name", string.Join(':', parts[1..^1]));
                w.WriteStartArray("actions");
                foreach (var action in parts[^1].Split(','))
                {
                    w.WriteStringValue(action);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
        var signingInput = Base64Url(header) + "." + Base64Url(claims);
        var signature = _registryKey.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var token = signingInput + "." + Base64Url(signature);
        return Results.Json(new Dictionary<string, object> { ["token"] = token, ["access_token"] = token, ["expires_in"] = 300 });
    }

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static string Base64Url(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
