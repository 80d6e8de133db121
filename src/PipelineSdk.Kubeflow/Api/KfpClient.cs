using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using PipelineSdk.Stacks;

namespace PipelineSdk.Kubeflow.Api;

/// <summary>How requests to the API prove who sends them: a bearer token (given, or read from a file at each request), and/or a session cookie.</summary>
/// <param name="Token">A bearer token, or null.</param>
/// <param name="TokenFile">A file holding a bearer token (a projected service account token is rotated, so it is read each time), or null.</param>
/// <param name="Cookie">A <c>Cookie</c> header value, e.g. Dex's <c>authservice_session=...</c>, or null.</param>
public sealed record KfpCredentials(string? Token = null, string? TokenFile = null, string? Cookie = null)
{
    /// <summary>Says which credentials are set, never their values (a record would print them).</summary>
    public override string ToString() =>
        $"KfpCredentials {{ Token = {(Token is null ? "none" : "set")}, TokenFile = {TokenFile ?? "none"}, Cookie = {(Cookie is null ? "none" : "set")} }}";

    internal void Apply(HttpRequestMessage request)
    {
        // A secret's value often ends in a newline, which no header may hold.
        var token = Token?.Trim();
        if (token is null && TokenFile is not null)
        {
            try
            {
                token = File.ReadAllText(TokenFile).Trim();
            }
            catch (IOException e)
            {
                throw new StackException($"cannot read the token file {TokenFile} ({e.Message}); check the kubeflow orchestrator's token_file");
            }
            catch (UnauthorizedAccessException)
            {
                throw new StackException($"cannot read the token file {TokenFile}: permission denied; check the kubeflow orchestrator's token_file");
            }
        }

        if (!string.IsNullOrEmpty(token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (Cookie?.Trim() is { Length: > 0 } cookie)
        {
            request.Headers.Add("Cookie", cookie);
        }
    }
}

/// <summary>
/// The Kubeflow Pipelines v2beta1 REST API (backend/api/v2beta1 in kubeflow/pipelines): experiments, pipelines and their
/// versions, runs and recurring runs. Retries 429 and 5xx and dropped connections with exponential backoff and jitter; a
/// create only when the server surely did not act on it (429, 503, a refused connection), except a run's, which is retried
/// after checking that the lost attempt made no run. Turns 401, 403 and an unreachable server into one-line errors that
/// say what to do.
/// </summary>
public sealed class KfpClient
{
    /// <summary>Environment variable with the first retry delay in milliseconds (default 500).</summary>
    public const string RetryDelayVariable = "PIPELINES_KFP_RETRY_MS";

    private const int MaxAttempts = 6;

    private readonly HttpClient _http;
    private readonly KfpCredentials _credentials;
    private readonly TimeSpan _firstDelay;

    /// <summary>Creates a client for the API at <paramref name="host"/>.</summary>
    /// <param name="host">The API endpoint, e.g. <c>http://localhost:8080</c>.</param>
    /// <param name="credentials">How requests are authenticated.</param>
    /// <param name="verifyTls">False accepts any certificate (a test installation's self-signed one).</param>
    public KfpClient(string host, KfpCredentials credentials, bool verifyTls = true)
    {
        Host = host.TrimEnd('/');
        _credentials = credentials;
        var handler = new SocketsHttpHandler();
        if (!verifyTls)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }

        // A host given through a secret reference skips the setting's URL check: say what is wrong here, not in a stack trace.
        if (!Uri.TryCreate(Host + "/", UriKind.Absolute, out var baseAddress) || baseAddress.Scheme is not ("http" or "https"))
        {
            handler.Dispose();
            throw new StackException($"the kubeflow orchestrator's host '{Host}' is not an http:// or https:// URL; set it with `pipelines orchestrator update NAME --host=http://localhost:8080`");
        }

        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(100) };
        _firstDelay = TimeSpan.FromMilliseconds(int.TryParse(Environment.GetEnvironmentVariable(RetryDelayVariable), out var ms) ? ms : 500);
    }

    /// <summary>The API endpoint.</summary>
    public string Host { get; }

    /// <summary>The experiment named <paramref name="name"/> in <paramref name="ns"/>, or null.</summary>
    public async Task<KfpExperiment?> FindExperimentAsync(string name, string? ns, CancellationToken cancellationToken)
    {
        var page = await GetAsync($"apis/v2beta1/experiments?page_size=1{Namespace(ns)}&filter={Filter("display_name", name)}", KfpJson.Default.KfpExperimentList, $"look up experiment '{name}'", cancellationToken).ConfigureAwait(false);
        return page.Experiments?.FirstOrDefault(e => e.DisplayName == name);
    }

    /// <summary>Creates an experiment.</summary>
    public Task<KfpExperiment> CreateExperimentAsync(string name, string? ns, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "apis/v2beta1/experiments", Json(new KfpExperiment { DisplayName = name, Namespace = ns, Description = "Runs submitted by PipelineSdk." }, KfpJson.Default.KfpExperiment), KfpJson.Default.KfpExperiment, $"create experiment '{name}'", cancellationToken);

    /// <summary>The pipeline named <paramref name="name"/> in <paramref name="ns"/>, or null.</summary>
    public async Task<KfpPipeline?> FindPipelineAsync(string name, string? ns, CancellationToken cancellationToken)
    {
        var (response, problem) = await TrySendAsync(HttpMethod.Get, $"apis/v2beta1/pipelines/names/{Uri.EscapeDataString(name)}?{Namespace(ns).TrimStart('&')}", null, cancellationToken).ConfigureAwait(false);
        using (response)
        {
            if (response?.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            return await ReadAsync(response, problem, KfpJson.Default.KfpPipeline, $"look up pipeline '{name}'", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Creates a pipeline with its first version; returns the pipeline.</summary>
    public Task<KfpPipeline> CreatePipelineAsync(KfpCreatePipelineAndVersion request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "apis/v2beta1/pipelines/create", Json(request, KfpJson.Default.KfpCreatePipelineAndVersion), KfpJson.Default.KfpPipeline, $"create pipeline '{request.Pipeline.Name}'", cancellationToken);

    /// <summary>The version of a pipeline named <paramref name="name"/>, or null.</summary>
    public async Task<KfpPipelineVersion?> FindPipelineVersionAsync(string pipelineId, string name, CancellationToken cancellationToken)
    {
        var page = await GetAsync($"apis/v2beta1/pipelines/{Uri.EscapeDataString(pipelineId)}/versions?page_size=1&filter={Filter("name", name)}", KfpJson.Default.KfpPipelineVersionList, $"look up pipeline version '{name}'", cancellationToken).ConfigureAwait(false);
        return page.PipelineVersions?.FirstOrDefault(v => v.Name == name);
    }

    /// <summary>Adds a version to a pipeline.</summary>
    public Task<KfpPipelineVersion> CreatePipelineVersionAsync(KfpPipelineVersion version, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"apis/v2beta1/pipelines/{Uri.EscapeDataString(version.PipelineId!)}/versions", Json(version, KfpJson.Default.KfpPipelineVersion), KfpJson.Default.KfpPipelineVersion, $"create pipeline version '{version.Name}'", cancellationToken);

    /// <summary>
    /// Creates a run. Runs have no client-chosen id, so a run is known by its <c>display_name</c>, unique per submission: before
    /// an attempt is repeated, the experiment's runs are searched for it, and a run that the lost attempt created is
    /// returned (with <c>Adopted</c> true) instead of a second one being made.
    /// </summary>
    public async Task<(KfpRun Run, bool Adopted)> CreateRunAsync(KfpRun run, string? ns, CancellationToken cancellationToken)
    {
        var body = Json(run, KfpJson.Default.KfpRun);
        for (var attempt = 1; ; attempt++)
        {
            if (attempt > 1 && await FindRunAsync(run.ExperimentId, run.DisplayName!, ns, cancellationToken).ConfigureAwait(false) is { } existing)
            {
                return (existing, true);
            }

            var (response, problem, _) = await SendOnceAsync(HttpMethod.Post, "apis/v2beta1/runs", body, cancellationToken).ConfigureAwait(false);
            using (response)
            {
                if (response is not null && !IsRetryable(response.StatusCode))
                {
                    return (await ReadAsync(response, problem, KfpJson.Default.KfpRun, $"create run '{run.DisplayName}'", cancellationToken).ConfigureAwait(false), false);
                }

                if (attempt == MaxAttempts)
                {
                    return (await ReadAsync(response, problem, KfpJson.Default.KfpRun, $"create run '{run.DisplayName}'", cancellationToken).ConfigureAwait(false), false);
                }
            }

            await Task.Delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads a run with its tasks.</summary>
    public Task<KfpRun> GetRunAsync(string runId, CancellationToken cancellationToken) =>
        GetAsync($"apis/v2beta1/runs/{Uri.EscapeDataString(runId)}", KfpJson.Default.KfpRun, $"read run {runId}", cancellationToken);

    /// <summary>
    /// Reads a run while following it: when the API is unreachable or overloaded even after the retries, returns no run and
    /// what went wrong, so the caller can poll again later instead of giving up on a run that goes on.
    /// </summary>
    public async Task<(KfpRun? Run, string? Problem)> PollRunAsync(string runId, CancellationToken cancellationToken)
    {
        var (response, problem) = await TrySendAsync(HttpMethod.Get, $"apis/v2beta1/runs/{Uri.EscapeDataString(runId)}", null, cancellationToken).ConfigureAwait(false);
        using (response)
        {
            if (response is null || IsRetryable(response.StatusCode))
            {
                return (null, problem ?? $"{(int?)response?.StatusCode} {response?.ReasonPhrase}");
            }

            return (await ReadAsync(response, null, KfpJson.Default.KfpRun, $"read run {runId}", cancellationToken).ConfigureAwait(false), null);
        }
    }

    /// <summary>Asks the server to stop a run (it ends CANCELED).</summary>
    public async Task TerminateRunAsync(string runId, CancellationToken cancellationToken)
    {
        var (response, problem) = await TrySendAsync(HttpMethod.Post, $"apis/v2beta1/runs/{Uri.EscapeDataString(runId)}:terminate", "{}", cancellationToken).ConfigureAwait(false);
        using (response)
        {
            await EnsureSuccessAsync(response, problem, $"terminate run {runId}").ConfigureAwait(false);
        }
    }

    /// <summary>Creates a recurring run.</summary>
    public Task<KfpRecurringRun> CreateRecurringRunAsync(KfpRecurringRun recurringRun, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "apis/v2beta1/recurringruns", Json(recurringRun, KfpJson.Default.KfpRecurringRun), KfpJson.Default.KfpRecurringRun, $"create recurring run '{recurringRun.DisplayName}'", cancellationToken);

    private async Task<KfpRun?> FindRunAsync(string? experimentId, string displayName, string? ns, CancellationToken cancellationToken)
    {
        var experiment = experimentId is null ? "" : "&experiment_id=" + Uri.EscapeDataString(experimentId);
        var page = await GetAsync($"apis/v2beta1/runs?page_size=2{Namespace(ns)}{experiment}&filter={Filter("display_name", displayName)}", KfpJson.Default.KfpRunList, $"look for run '{displayName}'", cancellationToken).ConfigureAwait(false);
        return page.Runs?.FirstOrDefault(r => r.DisplayName == displayName);
    }

    private async Task<T> GetAsync<T>(string path, JsonTypeInfo<T> type, string action, CancellationToken cancellationToken) =>
        await SendAsync(HttpMethod.Get, path, null, type, action, cancellationToken).ConfigureAwait(false);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, string? json, JsonTypeInfo<T> type, string action, CancellationToken cancellationToken)
    {
        var (response, problem) = await TrySendAsync(method, path, json, cancellationToken).ConfigureAwait(false);
        using (response)
        {
            return await ReadAsync(response, problem, type, action, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends with retries; the last answer (which may still be a retryable error), or none when no attempt got one, with the last problem.</summary>
    private async Task<(HttpResponseMessage? Response, string? Problem)> TrySendAsync(HttpMethod method, string path, string? json, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (response, problem, refused) = await SendOnceAsync(method, path, json, cancellationToken).ConfigureAwait(false);
            // A create that may have been carried out is not sent again, or a second object could be made (a run's create
            // looks for the first one instead, see CreateRunAsync): only a refused connection, 429 and 503 say it was not.
            var maybeDone = method == HttpMethod.Post && !refused && response?.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable);
            if ((response is not null && !IsRetryable(response.StatusCode)) || attempt == MaxAttempts || maybeDone)
            {
                return (response, problem);
            }

            response?.Dispose();
            await Task.Delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends once; <c>Refused</c> says the server never got the request (no connection was made).</summary>
    private async Task<(HttpResponseMessage? Response, string? Problem, bool Refused)> SendOnceAsync(HttpMethod method, string path, string? json, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        _credentials.Apply(request);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        try
        {
            var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return (response, IsRetryable(response.StatusCode) ? $"{(int)response.StatusCode} {response.ReasonPhrase}" : null, false);
        }
        catch (HttpRequestException e)
        {
            return (null, e.Message, e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, "the request timed out", false);
        }
    }

    private static bool IsRetryable(HttpStatusCode status) => status == HttpStatusCode.TooManyRequests || (int)status >= 500;

    /// <summary>Exponential backoff with ±25% jitter, so many clients do not retry in step.</summary>
    private TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(_firstDelay.TotalMilliseconds * Math.Pow(2, attempt - 1) * (0.75 + (Random.Shared.NextDouble() * 0.5)));

    private async Task<T> ReadAsync<T>(HttpResponseMessage? response, string? problem, JsonTypeInfo<T> type, string action, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, problem, action).ConfigureAwait(false);
        await using var body = await response!.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await JsonSerializer.DeserializeAsync(body, type, cancellationToken).ConfigureAwait(false)
                ?? throw new StackException($"Kubeflow Pipelines at {Host} answered with an empty body while trying to {action}");
        }
        catch (JsonException e)
        {
            throw new StackException($"{Host} did not answer as the Kubeflow Pipelines v2beta1 API does while trying to {action} ({e.Message}); check the kubeflow orchestrator's host");
        }
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage? response, string? problem, string action)
    {
        if (response is null)
        {
            throw new StackException($"Kubeflow Pipelines did not answer at {Host} after {MaxAttempts} attempts ({problem}); check that the API is up and the host is right (e.g. `kubectl port-forward -n kubeflow svc/ml-pipeline-ui 8080:80`)");
        }

        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var message = await MessageAsync(response).ConfigureAwait(false);
        throw new StackException(response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => $"Kubeflow Pipelines at {Host} rejected the credentials while trying to {action} (401: {message}); set the kubeflow orchestrator's token (a {{{{secret.name.key}}}} reference), token_file or cookie",
            HttpStatusCode.Forbidden => $"Kubeflow Pipelines at {Host} refused to {action} (403: {message}); the account needs access to the namespace (a contributor of the profile) — check the orchestrator's namespace and token",
            _ => $"Kubeflow Pipelines at {Host} could not {action} ({(int)response.StatusCode}: {message})",
        });
    }

    private static async Task<string> MessageAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        try
        {
            var error = JsonSerializer.Deserialize(text, KfpJson.Default.KfpErrorBody);
            if ((error?.Message ?? error?.Error) is { Length: > 0 } message)
            {
                return FirstLine(message);
            }
        }
        catch (JsonException)
        {
            // Not the API's error shape (a proxy's page, say): its first line says enough.
        }

        return text.Length == 0 ? response.ReasonPhrase ?? "no message" : FirstLine(text);
    }

    private static string FirstLine(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();
        return line.Length > 300 ? line[..300] + "…" : line;
    }

    private static string Json<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.Serialize(value, type);

    private static string Namespace(string? ns) => string.IsNullOrEmpty(ns) ? "" : "&namespace=" + Uri.EscapeDataString(ns);

    /// <summary>A url-encoded, JSON-serialized <c>v2beta1Filter</c> with one EQUALS predicate.</summary>
    private static string Filter(string key, string value)
    {
        var json = $"{{\"predicates\":[{{\"key\":{JsonSerializer.Serialize(key, KfpJson.Default.String)},\"operation\":\"EQUALS\",\"string_value\":{JsonSerializer.Serialize(value, KfpJson.Default.String)}}}]}}";
        return Uri.EscapeDataString(json);
    }
}
