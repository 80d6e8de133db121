using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using PipelineSdk.Gcp.Auth;
using PipelineSdk.Stacks;

namespace PipelineSdk.Gcp.Secrets;

/// <summary>
/// Secrets in Google Secret Manager (REST v1: the client library is not available to us). Each PipelineSdk
/// secret is one Secret Manager secret whose latest version holds its key-value pairs as JSON.
/// </summary>
public sealed class GcpSecretsManager : ISecretsManager
{
    /// <summary>Environment variable that points the client at another endpoint (an emulator or a test server).</summary>
    public const string EndpointVariable = "PIPELINES_SECRET_MANAGER_ENDPOINT";

    private const string DefaultEndpoint = "https://secretmanager.googleapis.com/";

    private readonly HttpClient _http;
    private readonly GoogleAuth _auth;
    private readonly string _project;

    /// <summary>Creates a client for <paramref name="project"/>.</summary>
    public GcpSecretsManager(string project, GoogleAuth auth, HttpClient? http = null)
    {
        _project = project;
        _auth = auth;
        _http = http ?? new HttpClient();
        _http.BaseAddress ??= new Uri(Environment.GetEnvironmentVariable(EndpointVariable) is { Length: > 0 } endpoint ? endpoint : DefaultEndpoint);
    }

    /// <inheritdoc />
    public async Task CreateAsync(string name, IReadOnlyDictionary<string, string> values, CancellationToken cancellationToken)
    {
        using (var created = await SendAsync(HttpMethod.Post, $"v1/projects/{_project}/secrets?secretId={Uri.EscapeDataString(name)}",
            Json(w =>
            {
                w.WriteStartObject("replication");
                w.WriteStartObject("automatic");
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteStartObject("labels");
                w.WriteString("managed-by", "pipelinesdk");
                w.WriteEndObject();
            }), cancellationToken).ConfigureAwait(false))
        {
            if (created.StatusCode == HttpStatusCode.Conflict)
            {
                throw new StackException($"A secret named '{name}' exists in project {_project}; delete it first with `pipelines secret delete {name}`.");
            }

            await EnsureSuccessAsync(created, $"create secret '{name}'").ConfigureAwait(false);
        }

        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes(Json(w =>
        {
            foreach (var (key, value) in values.OrderBy(v => v.Key, StringComparer.Ordinal))
            {
                w.WriteString(key, value);
            }
        })));
        try
        {
            using var version = await SendAsync(HttpMethod.Post, $"v1/projects/{_project}/secrets/{Uri.EscapeDataString(name)}:addVersion",
                Json(w =>
                {
                    w.WriteStartObject("payload");
                    w.WriteString("data", payload);
                    w.WriteEndObject();
                }), cancellationToken).ConfigureAwait(false);
            await EnsureSuccessAsync(version, $"store the value of secret '{name}'").ConfigureAwait(false);
        }
        catch (StackException)
        {
            // A secret without a value would block a retry ("exists") and read as missing: take it back.
            await DeleteAsync(name, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string>?> GetAsync(string name, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, $"v1/projects/{_project}/secrets/{Uri.EscapeDataString(name)}/versions/latest:access", null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, $"read secret '{name}'").ConfigureAwait(false);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        var data = Convert.FromBase64String(body.RootElement.GetProperty("payload").GetProperty("data").GetString()!);
        try
        {
            using var values = JsonDocument.Parse(data);
            return values.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new StackException($"secret '{name}' in project {_project} was not written by PipelineSdk (its value is not a JSON object of strings)");
        }
    }

    /// <summary>
    /// Reads the text of one secret version by its resource name, <c>projects/P/secrets/S/versions/V</c> — a value stored as
    /// it is (e.g. an API token added with <c>gcloud secrets versions add</c>), not a PipelineSdk secret.
    /// </summary>
    /// <exception cref="StackException">The version does not exist, or these credentials may not read it.</exception>
    public async Task<string> ReadVersionAsync(string resourceName, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, $"v1/{resourceName}:access", null, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var message = await Http.GoogleError.MessageAsync(response).ConfigureAwait(false);
            throw new StackException(response.StatusCode switch
            {
                HttpStatusCode.NotFound => $"the secret version {resourceName} does not exist ({message})",
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => $"Secret Manager refused to read {resourceName} ({(int)response.StatusCode}: {message}); the service account the steps run as needs the Secret Manager Secret Accessor role (roles/secretmanager.secretAccessor) on it",
                _ => $"Secret Manager could not read {resourceName} ({(int)response.StatusCode}: {message})",
            });
        }

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        return Encoding.UTF8.GetString(Convert.FromBase64String(body.RootElement.GetProperty("payload").GetProperty("data").GetString()!));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken)
    {
        var names = new List<string>();
        string? pageToken = null;
        do
        {
            var path = $"v1/projects/{_project}/secrets?pageSize=250" + (pageToken is null ? "" : "&pageToken=" + Uri.EscapeDataString(pageToken));
            using var response = await SendAsync(HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false);
            await EnsureSuccessAsync(response, "list secrets").ConfigureAwait(false);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            if (body.RootElement.TryGetProperty("secrets", out var secrets))
            {
                names.AddRange(secrets.EnumerateArray().Select(s => s.GetProperty("name").GetString()!.Split('/')[^1]));
            }

            pageToken = body.RootElement.TryGetProperty("nextPageToken", out var next) && next.GetString() is { Length: > 0 } token ? token : null;
        }
        while (pageToken is not null);

        return [.. names.Order(StringComparer.Ordinal)];
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Delete, $"v1/projects/{_project}/secrets/{Uri.EscapeDataString(name)}", null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, $"delete secret '{name}'").ConfigureAwait(false);
        return true;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? json, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await _auth.GetAccessTokenAsync(cancellationToken).ConfigureAwait(false));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        try
        {
            return await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new StackException($"could not reach Secret Manager at {_http.BaseAddress} ({e.Message})");
        }
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string action)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var message = await Http.GoogleError.MessageAsync(response).ConfigureAwait(false);
        throw new StackException(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
            ? $"Secret Manager refused to {action} in project {_project} ({(int)response.StatusCode}: {message}); the credentials in use need the Secret Manager Admin role (roles/secretmanager.admin) on the project"
            : $"Secret Manager could not {action} in project {_project} ({(int)response.StatusCode}: {message})");
    }

    private static string Json(Action<Utf8JsonWriter> writeProperties)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
