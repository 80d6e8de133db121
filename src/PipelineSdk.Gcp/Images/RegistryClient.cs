using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using PipelineSdk.Stacks;

namespace PipelineSdk.Gcp.Images;

/// <summary>
/// The few calls of the OCI distribution API the publisher makes itself (is the registry there, does a tag exist),
/// with the registry auth handshake: a 401 challenge answered with Basic credentials, or with a Bearer token fetched
/// from the challenge's realm (what Docker Hub, GCR and Artifact Registry use).
/// </summary>
internal sealed partial class RegistryClient : IDisposable
{
    private static readonly string[] ManifestTypes =
    [
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    ];

    private readonly HttpClient _http;
    private readonly bool _insecure;
    private readonly RegistryCredential? _credential;
    private readonly string _loginAdvice;
    private string _scheme;
    private AuthenticationHeaderValue? _authorization;

    /// <param name="registry">The registry's <c>host[:port]</c>.</param>
    /// <param name="insecure">Whether plain HTTP (and any TLS certificate) is allowed, as for the SDK's insecure registries.</param>
    /// <param name="credential">The credentials to answer challenges with; null for anonymous.</param>
    /// <param name="loginAdvice">What to tell the user when credentials are missing or refused.</param>
    public RegistryClient(string registry, bool insecure, RegistryCredential? credential, string loginAdvice)
    {
        Registry = registry;
        _insecure = insecure;
        _credential = credential;
        _loginAdvice = loginAdvice;
        _scheme = "https";
        var handler = new SocketsHttpHandler { AllowAutoRedirect = true };
        if (insecure)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }

        _http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("PipelineSdk/1.0");
    }

    public string Registry { get; }

    /// <summary>Checks that the registry answers the API and accepts the credentials (<c>GET /v2/</c>).</summary>
    /// <exception cref="StackException">It cannot be reached, or refuses the credentials.</exception>
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, "/v2/", cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new StackException($"the container registry {Registry} answered GET /v2/ with {(int)response.StatusCode} {response.ReasonPhrase}; check that the container registry's uri names an OCI registry");
        }
    }

    /// <summary>Whether <paramref name="repository"/> has a manifest tagged <paramref name="tag"/>.</summary>
    public async Task<bool> TagExistsAsync(string repository, string tag, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Head, $"/v2/{repository}/manifests/{tag}", cancellationToken).ConfigureAwait(false);
        return response.StatusCode switch
        {
            HttpStatusCode.OK => true,
            HttpStatusCode.NotFound => false,
            _ => throw new StackException($"the container registry {Registry} answered HEAD /v2/{repository}/manifests/{tag} with {(int)response.StatusCode} {response.ReasonPhrase}; check the container registry's uri"),
        };
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, CancellationToken cancellationToken)
    {
        var response = await SendOnceAsync(method, path, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        var challenge = response.Headers.WwwAuthenticate.FirstOrDefault();
        response.Dispose();
        _authorization = await AnswerAsync(challenge, cancellationToken).ConfigureAwait(false);
        response = await SendOnceAsync(method, path, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            var status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
            response.Dispose();
            throw Refused(status);
        }

        return response;
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpMethod method, string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            using var request = new HttpRequestMessage(method, $"{_scheme}://{Registry}{path}");
            request.Headers.Authorization = _authorization;
            foreach (var type in ManifestTypes)
            {
                request.Headers.Accept.ParseAdd(type);
            }

            try
            {
                return await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (_insecure && _scheme == "https" && e.HttpRequestError == HttpRequestError.SecureConnectionError)
            {
                // An insecure registry that does not speak TLS: plain HTTP, as the .NET SDK falls back to.
                _scheme = "http";
            }
            catch (HttpRequestException e)
            {
                throw Unreachable(FirstLine(e.InnerException?.Message ?? e.Message));
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw Unreachable($"no answer within {_http.Timeout.TotalSeconds:0} s");
            }
        }
    }

    private async Task<AuthenticationHeaderValue> AnswerAsync(AuthenticationHeaderValue? challenge, CancellationToken cancellationToken)
    {
        if (_credential is null)
        {
            throw new StackException($"the container registry {Registry} needs credentials and none were found; {_loginAdvice}");
        }

        if (challenge is null || challenge.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            if (_credential.IsIdentityToken)
            {
                throw new StackException($"the container registry {Registry} asks for a user name and password but {_credential.Description} holds an identity token for it; {_loginAdvice}");
            }

            return new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_credential.Username}:{_credential.Secret}")));
        }

        if (!challenge.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            throw new StackException($"the container registry {Registry} asks for '{challenge.Scheme}' authentication, which is not supported; use a registry that takes Basic or Bearer tokens");
        }

        var parameters = ChallengeParameter().Matches(challenge.Parameter ?? "").ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value, StringComparer.OrdinalIgnoreCase);
        if (!parameters.TryGetValue("realm", out var realm) || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri)
            || !(realmUri.Scheme == Uri.UriSchemeHttps || (realmUri.Scheme == Uri.UriSchemeHttp && _insecure)))
        {
            throw new StackException($"the container registry {Registry} sent an unusable token realm '{realm}'; check the container registry's uri");
        }

        var query = new List<string>();
        foreach (var key in new[] { "service", "scope" })
        {
            if (parameters.TryGetValue(key, out var value))
            {
                query.Add($"{key}={Uri.EscapeDataString(value)}");
            }
        }

        using var request = _credential.IsIdentityToken
            ? new HttpRequestMessage(HttpMethod.Post, realmUri)
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "refresh_token",
                    ["refresh_token"] = _credential.Secret,
                    ["client_id"] = "pipelinesdk",
                    ["service"] = parameters.GetValueOrDefault("service") ?? "",
                    ["scope"] = parameters.GetValueOrDefault("scope") ?? "",
                }),
            }
            : new HttpRequestMessage(HttpMethod.Get, new UriBuilder(realmUri) { Query = string.Join('&', query) }.Uri)
            {
                Headers = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_credential.Username}:{_credential.Secret}"))) },
            };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new StackException($"the token service of container registry {Registry} at {realmUri.GetLeftPart(UriPartial.Path)} is unreachable ({FirstLine(e.InnerException?.Message ?? e.Message)}); check the network");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw Refused($"{(int)response.StatusCode} {response.ReasonPhrase} from its token service");
            }

            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            var token = (body.RootElement.TryGetProperty("token", out var t) ? t.GetString() : null)
                ?? (body.RootElement.TryGetProperty("access_token", out var a) ? a.GetString() : null)
                ?? throw new StackException($"the token service of container registry {Registry} answered without a token; check the container registry's uri");
            return new AuthenticationHeaderValue("Bearer", token);
        }
    }

    private StackException Refused(string status) =>
        new(_credential is null
            ? $"the container registry {Registry} needs credentials and none were found ({status}); {_loginAdvice}"
            : $"the container registry {Registry} refused {_credential.Description} ({status}); {_loginAdvice}");

    private StackException Unreachable(string reason) =>
        new($"the container registry {Registry} is unreachable ({reason}); check the container registry's uri and that the registry is running"
            + (_insecure ? "" : $" (a registry without TLS must be listed in {ImagePublisher.InsecureRegistriesVariable})"));

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();

    [GeneratedRegex("(?<key>\\w+)=\"(?<value>[^\"]*)\"")]
    private static partial Regex ChallengeParameter();
}
