using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using PipelineSdk.Stacks;

namespace PipelineSdk.Store.Remote;

/// <summary>
/// Synchronous calls to the server's JSON API with the client's token. Connection failures, 5xx and 429 are retried with
/// backoff for a while (a restarting server is survived; the writes are idempotent); the server's problem details come
/// back as one-line <see cref="StackException"/>s.
/// </summary>
internal sealed class ServerApi : IDisposable
{
    /// <summary>Environment variable: how many seconds to keep retrying an unreachable server (default 120).</summary>
    public const string RetryVariable = "PIPELINES_SERVER_RETRY_SECONDS";

    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LongestDelay = TimeSpan.FromSeconds(5);

    private readonly HttpClient _http;
    private readonly TimeSpan _retryFor;

    public ServerApi(string url, string token, TimeSpan? retryFor = null)
    {
        Url = url;
        _http = new HttpClient { BaseAddress = new Uri(url + "/"), Timeout = TimeSpan.FromMinutes(5) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _retryFor = retryFor ?? RetryFromEnvironment();
    }

    public string Url { get; }

    /// <summary>Sends a request and reads the JSON answer; a 404 gives null when <paramref name="missingIsNull"/>.</summary>
    public TResponse? Send<TRequest, TResponse>(HttpMethod method, string path, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, bool missingIsNull = false)
        where TResponse : class
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, requestType);
        return Send(method, path, bytes, responseType, missingIsNull);
    }

    /// <summary>Reads a resource; a 404 gives null when <paramref name="missingIsNull"/>.</summary>
    public TResponse? Get<TResponse>(string path, JsonTypeInfo<TResponse> responseType, bool missingIsNull = false)
        where TResponse : class => Send(HttpMethod.Get, path, null, responseType, missingIsNull);

    /// <summary>Sends a request without a body and reads the JSON answer; a 404 gives null when <paramref name="missingIsNull"/>.</summary>
    public TResponse? Call<TResponse>(HttpMethod method, string path, JsonTypeInfo<TResponse> responseType, bool missingIsNull = false)
        where TResponse : class => Send(method, path, null, responseType, missingIsNull);

    /// <summary>Sends a request whose answer carries nothing to read.</summary>
    public void Send<TRequest>(HttpMethod method, string path, TRequest body, JsonTypeInfo<TRequest> requestType) =>
        Send(method, path, JsonSerializer.SerializeToUtf8Bytes(body, requestType), (JsonTypeInfo<ApiProblem>?)null, missingIsNull: false);

    /// <summary>Sends a request without a body whose answer carries nothing to read.</summary>
    public void Send(HttpMethod method, string path) => Send(method, path, null, (JsonTypeInfo<ApiProblem>?)null, missingIsNull: false);

    /// <summary>Opens a streamed response (artifact content); the caller disposes it.</summary>
    public HttpResponseMessage Open(string path) => Exchange(() => new HttpRequestMessage(HttpMethod.Get, path), HttpCompletionOption.ResponseHeadersRead);

    /// <summary>Escapes one path segment.</summary>
    public static string Segment(string value) => Uri.EscapeDataString(value);

    /// <summary>Escapes one path segment.</summary>
    public static string Segment(long value) => value.ToString(CultureInfo.InvariantCulture);

    public void Dispose() => _http.Dispose();

    private TResponse? Send<TResponse>(HttpMethod method, string path, byte[]? body, JsonTypeInfo<TResponse>? responseType, bool missingIsNull)
        where TResponse : class
    {
        using var response = Exchange(() =>
        {
            var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            }

            return request;
        }, HttpCompletionOption.ResponseContentRead);

        if (response.StatusCode == HttpStatusCode.NotFound && missingIsNull)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw Problem(response);
        }

        if (responseType is null)
        {
            return null;
        }

        using var content = response.Content.ReadAsStream();
        try
        {
            return JsonSerializer.Deserialize(content, responseType)
                ?? throw new StackException($"the server at {Url} answered {path} with nothing");
        }
        catch (JsonException e)
        {
            throw new StackException($"the server at {Url} answered {path} with JSON this client cannot read ({e.Message.Split('\n')[0]}); are client and server the same PipelineSdk version?");
        }
    }

    // Retries what a restarting or overloaded server causes; anything else is the answer.
    private HttpResponseMessage Exchange(Func<HttpRequestMessage> createRequest, HttpCompletionOption completion)
    {
        var started = DateTimeOffset.UtcNow;
        var delay = FirstDelay;
        while (true)
        {
            string failure;
            using (var request = createRequest())
            {
                try
                {
                    var response = _http.Send(request, completion);
                    if ((int)response.StatusCode < 500 && response.StatusCode != HttpStatusCode.TooManyRequests)
                    {
                        return response;
                    }

                    failure = $"{(int)response.StatusCode} {response.ReasonPhrase}";
                    if (DateTimeOffset.UtcNow - started + delay > _retryFor)
                    {
                        return response;
                    }

                    response.Dispose();
                }
                catch (HttpRequestException e)
                {
                    failure = e.Message;
                }
                catch (TaskCanceledException)
                {
                    failure = "no answer in time";
                }
            }

            if (DateTimeOffset.UtcNow - started + delay > _retryFor)
            {
                throw new StackException($"the server at {Url} cannot be reached ({failure}); check `pipelines status`, or start it with `pipelines server start`");
            }

            Thread.Sleep(delay);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestDelay.Ticks));
        }
    }

    private StackException Problem(HttpResponseMessage response)
    {
        string? detail = null;
        try
        {
            using var content = new MemoryStream();
            response.Content.ReadAsStream().CopyTo(content);
            if (content.Length != 0)
            {
                content.Position = 0;
                var problem = JsonSerializer.Deserialize(content, RemoteJson.Default.ApiProblem);
                detail = problem?.Detail ?? problem?.Title;
            }
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or IOException)
        {
            // Not problem details (a proxy's page, say): the status line says enough.
        }

        return new StackException(detail ?? $"the server at {Url} answered {(int)response.StatusCode} {response.ReasonPhrase}");
    }

    private static TimeSpan RetryFromEnvironment() =>
        double.TryParse(Environment.GetEnvironmentVariable(RetryVariable), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.FromMinutes(2);
}
