using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using PipelineSdk.Gcp.Auth;
using PipelineSdk.Gcp.Http;
using PipelineSdk.Stacks;

namespace PipelineSdk.Gcp.Vertex;

/// <summary>
/// Vertex AI's REST API v1 for pipeline jobs and schedules (the client library is not available to us).
/// Retries 429 and 503 — and 500, 504 and dropped connections where repeating is safe — with exponential
/// backoff and jitter; turns 401 and 403 into errors that name the missing credential or permission.
/// </summary>
public sealed class VertexClient
{
    /// <summary>Environment variable that points the client at another endpoint (a test server).</summary>
    public const string EndpointVariable = "PIPELINES_VERTEX_ENDPOINT";

    /// <summary>Environment variable with the first retry delay in milliseconds (default 500).</summary>
    public const string RetryDelayVariable = "PIPELINES_VERTEX_RETRY_MS";

    private const int MaxAttempts = 6;

    private readonly HttpClient _http;
    private readonly GoogleAuth _auth;
    private readonly TimeSpan _firstDelay;

    /// <summary>Creates a client for one project and region.</summary>
    public VertexClient(string project, string location, GoogleAuth auth, HttpClient? http = null)
    {
        Project = project;
        Location = location;
        _auth = auth;
        _http = http ?? new HttpClient { Timeout = TimeSpan.FromSeconds(100) };
        _http.BaseAddress ??= new Uri(Environment.GetEnvironmentVariable(EndpointVariable) is { Length: > 0 } endpoint ? endpoint : $"https://{location}-aiplatform.googleapis.com/");
        _firstDelay = TimeSpan.FromMilliseconds(int.TryParse(Environment.GetEnvironmentVariable(RetryDelayVariable), out var ms) ? ms : 500);
    }

    /// <summary>The project.</summary>
    public string Project { get; }

    /// <summary>The region.</summary>
    public string Location { get; }

    private string Parent => $"v1/projects/{Project}/locations/{Location}";

    /// <summary>
    /// Creates a job with a chosen id. Creating is idempotent by id: when the job exists already (a retried
    /// create whose first answer was lost), the existing job is returned and <c>Adopted</c> is true.
    /// </summary>
    public async Task<(PipelineJob Job, bool Adopted)> CreatePipelineJobAsync(string jobId, PipelineJob job, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(job, VertexJson.Default.PipelineJob);
        using var response = await SendAsync(HttpMethod.Post, $"{Parent}/pipelineJobs?pipelineJobId={Uri.EscapeDataString(jobId)}", body, retryServerErrors: true, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            return (await GetPipelineJobAsync(jobId, cancellationToken).ConfigureAwait(false), true);
        }

        await EnsureSuccessAsync(response, $"create pipeline job {jobId}").ConfigureAwait(false);
        return (await ReadAsync(response, VertexJson.Default.PipelineJob, cancellationToken).ConfigureAwait(false), false);
    }

    /// <summary>Reads a job.</summary>
    public async Task<PipelineJob> GetPipelineJobAsync(string jobId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, $"{Parent}/pipelineJobs/{Uri.EscapeDataString(jobId)}", null, retryServerErrors: true, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, $"read pipeline job {jobId}").ConfigureAwait(false);
        return await ReadAsync(response, VertexJson.Default.PipelineJob, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads a job while following it: when Vertex AI is unreachable or overloaded even after the retries, returns no job
    /// and what went wrong, so the caller can poll again later instead of giving up on a job that still runs.
    /// </summary>
    internal async Task<(PipelineJob? Job, string? Problem)> PollPipelineJobAsync(string jobId, CancellationToken cancellationToken)
    {
        var (response, problem) = await TrySendAsync(HttpMethod.Get, $"{Parent}/pipelineJobs/{Uri.EscapeDataString(jobId)}", null, retryServerErrors: true, cancellationToken).ConfigureAwait(false);
        using (response)
        {
            if (response is null || IsRetryable(response.StatusCode, retryServerErrors: true))
            {
                return (null, problem);
            }

            await EnsureSuccessAsync(response, $"read pipeline job {jobId}").ConfigureAwait(false);
            return (await ReadAsync(response, VertexJson.Default.PipelineJob, cancellationToken).ConfigureAwait(false), null);
        }
    }

    /// <summary>Asks Vertex AI to cancel a job (it ends as CANCELLED).</summary>
    public async Task CancelPipelineJobAsync(string jobId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, $"{Parent}/pipelineJobs/{Uri.EscapeDataString(jobId)}:cancel", "{}", retryServerErrors: true, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, $"cancel pipeline job {jobId}").ConfigureAwait(false);
    }

    /// <summary>
    /// Makes sure Vertex AI Experiment <paramref name="experiment"/> exists: reads its metadata context and creates it (schema
    /// <c>system.Experiment</c>, as the Vertex AI SDK does) when there is none. Returns its resource name.
    /// </summary>
    /// <exception cref="StackException">A context of that id exists but is not an experiment, or Vertex AI refused.</exception>
    public async Task<string> EnsureExperimentAsync(string experiment, CancellationToken cancellationToken)
    {
        var path = $"{MetadataStore}/contexts/{Uri.EscapeDataString(experiment)}";
        using (var found = await SendAsync(HttpMethod.Get, path, null, retryServerErrors: true, cancellationToken).ConfigureAwait(false))
        {
            if (found.StatusCode != HttpStatusCode.NotFound)
            {
                await EnsureSuccessAsync(found, $"read experiment '{experiment}'").ConfigureAwait(false);
                return CheckExperiment(await ReadAsync(found, VertexJson.Default.MetadataContext, cancellationToken).ConfigureAwait(false), experiment);
            }
        }

        var context = new MetadataContext
        {
            DisplayName = experiment,
            SchemaTitle = ExperimentSchema,
            SchemaVersion = "0.0.1",
            Metadata = new() { ["experiment_deleted"] = JsonSerializer.SerializeToElement(false, VertexJson.Default.Boolean) },
        };
        using var created = await SendAsync(HttpMethod.Post, $"{MetadataStore}/contexts?contextId={Uri.EscapeDataString(experiment)}",
            JsonSerializer.Serialize(context, VertexJson.Default.MetadataContext), retryServerErrors: true, cancellationToken).ConfigureAwait(false);
        if (created.StatusCode == HttpStatusCode.Conflict)
        {
            // Another submission created it at the same moment (or a retry whose first answer was lost): use it.
            return await EnsureExperimentAsync(experiment, cancellationToken).ConfigureAwait(false);
        }

        await EnsureSuccessAsync(created, $"create experiment '{experiment}'").ConfigureAwait(false);
        return CheckExperiment(await ReadAsync(created, VertexJson.Default.MetadataContext, cancellationToken).ConfigureAwait(false), experiment);
    }

    /// <summary>
    /// Adds a pipeline run's metadata context (<see cref="PipelineJobDetail.PipelineRunContext"/>) to an experiment, which is how
    /// a run belongs to a Vertex AI Experiment. Adding it again changes nothing.
    /// </summary>
    public async Task AddRunToExperimentAsync(string experimentName, string runContextName, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new AddContextChildrenRequest { ChildContexts = [runContextName] }, VertexJson.Default.AddContextChildrenRequest);
        using var response = await SendAsync(HttpMethod.Post, $"v1/{experimentName}:addContextChildren", body, retryServerErrors: true, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, $"add run {runContextName.Split('/')[^1]} to experiment '{experimentName.Split('/')[^1]}'").ConfigureAwait(false);
    }

    /// <summary>The schema of a Vertex AI Experiment's metadata context.</summary>
    public const string ExperimentSchema = "system.Experiment";

    private string MetadataStore => $"{Parent}/metadataStores/default";

    private static string CheckExperiment(MetadataContext context, string experiment) =>
        context.SchemaTitle == ExperimentSchema && context.Name is { } name
            ? name
            : throw new StackException($"the Vertex AI metadata context '{experiment}' is a {context.SchemaTitle ?? "context of no schema"}, not an experiment; choose another experiment name");

    /// <summary>Creates a schedule.</summary>
    public async Task<Schedule> CreateScheduleAsync(Schedule schedule, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, $"{Parent}/schedules", JsonSerializer.Serialize(schedule, VertexJson.Default.Schedule), retryServerErrors: false, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, $"create schedule '{schedule.DisplayName}'").ConfigureAwait(false);
        return await ReadAsync(response, VertexJson.Default.Schedule, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists the project's schedules in this region.</summary>
    public async Task<IReadOnlyList<Schedule>> ListSchedulesAsync(CancellationToken cancellationToken)
    {
        var schedules = new List<Schedule>();
        string? pageToken = null;
        do
        {
            var path = $"{Parent}/schedules?pageSize=100" + (pageToken is null ? "" : "&pageToken=" + Uri.EscapeDataString(pageToken));
            using var response = await SendAsync(HttpMethod.Get, path, null, retryServerErrors: true, cancellationToken).ConfigureAwait(false);
            await EnsureSuccessAsync(response, "list schedules").ConfigureAwait(false);
            var page = await ReadAsync(response, VertexJson.Default.ListSchedulesResponse, cancellationToken).ConfigureAwait(false);
            schedules.AddRange(page.Schedules ?? []);
            pageToken = page.NextPageToken is { Length: > 0 } next ? next : null;
        }
        while (pageToken is not null);

        return schedules;
    }

    /// <summary>Pauses a schedule: no new runs until it is resumed.</summary>
    public Task PauseScheduleAsync(string scheduleId, CancellationToken cancellationToken) => ScheduleVerbAsync(scheduleId, "pause", cancellationToken);

    /// <summary>Resumes a paused schedule.</summary>
    public Task ResumeScheduleAsync(string scheduleId, CancellationToken cancellationToken) => ScheduleVerbAsync(scheduleId, "resume", cancellationToken);

    /// <summary>Deletes a schedule (runs it created are kept).</summary>
    public async Task DeleteScheduleAsync(string scheduleId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Delete, $"{Parent}/schedules/{Uri.EscapeDataString(scheduleId)}", null, retryServerErrors: true, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, $"delete schedule {scheduleId}").ConfigureAwait(false);
    }

    private async Task ScheduleVerbAsync(string scheduleId, string verb, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, $"{Parent}/schedules/{Uri.EscapeDataString(scheduleId)}:{verb}", "{}", retryServerErrors: true, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, $"{verb} schedule {scheduleId}").ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? json, bool retryServerErrors, CancellationToken cancellationToken)
    {
        var (response, problem) = await TrySendAsync(method, path, json, retryServerErrors, cancellationToken).ConfigureAwait(false);
        return response ?? throw new StackException($"Vertex AI did not answer at {_http.BaseAddress} after {MaxAttempts} attempts ({problem}); check the network and try again");
    }

    /// <summary>Sends with retries; the last answer (which may still be a retryable error), or none when no attempt got one, with the last problem.</summary>
    private async Task<(HttpResponseMessage? Response, string? Problem)> TrySendAsync(HttpMethod method, string path, string? json, bool retryServerErrors, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await _auth.GetAccessTokenAsync(cancellationToken).ConfigureAwait(false));
            if (json is not null)
            {
                request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            }

            HttpResponseMessage? response = null;
            string problem;
            try
            {
                response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                if (!IsRetryable(response.StatusCode, retryServerErrors))
                {
                    return (response, null);
                }

                problem = $"{(int)response.StatusCode} {response.ReasonPhrase}";
            }
            catch (HttpRequestException e) when (retryServerErrors)
            {
                problem = e.Message;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested && retryServerErrors)
            {
                problem = "the request timed out";
            }

            if (attempt == MaxAttempts)
            {
                return (response, problem);
            }

            response?.Dispose();
            await Task.Delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsRetryable(HttpStatusCode status, bool retryServerErrors) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable
        || (retryServerErrors && status is HttpStatusCode.InternalServerError or HttpStatusCode.GatewayTimeout or HttpStatusCode.BadGateway);

    /// <summary>Exponential backoff with ±25% jitter, so many clients do not retry in step.</summary>
    private TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(_firstDelay.TotalMilliseconds * Math.Pow(2, attempt - 1) * (0.75 + (Random.Shared.NextDouble() * 0.5)));

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string action)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var message = await GoogleError.MessageAsync(response).ConfigureAwait(false);
        throw new StackException(response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => $"Vertex AI rejected the credentials while trying to {action} (401: {message}); run `gcloud auth application-default login` or point GOOGLE_APPLICATION_CREDENTIALS at a valid key",
            HttpStatusCode.Forbidden => $"Vertex AI refused to {action} in project {Project} (403: {message}); the account needs the Vertex AI User role (roles/aiplatform.user) and, to run as the workload service account, Service Account User (roles/iam.serviceAccountUser) on it",
            HttpStatusCode.NotFound => $"Vertex AI could not {action}: not found in project {Project}, region {Location} (404: {message})",
            _ => $"Vertex AI could not {action} ({(int)response.StatusCode}: {message})",
        });
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return await JsonSerializer.DeserializeAsync(body, type, cancellationToken).ConfigureAwait(false)
            ?? throw new StackException("Vertex AI answered with an empty body");
    }
}
