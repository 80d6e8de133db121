using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PipelineSdk.Gcp.Tests.Images;

/// <summary>One request the registry served, from its access log.</summary>
internal sealed record RegistryRequest(string Method, string Path, int Status);

/// <summary>
/// The real CNCF registry (Debian's <c>docker-registry</c>, distribution 2.8) on 127.0.0.1 and a free port, with a
/// config of our own: storage in a given folder (several registries may share one, as replicas do), and no auth,
/// htpasswd or token auth. Its access log is kept so tests can see exactly what clients did.
/// </summary>
internal sealed partial class RegistryServer : IAsyncDisposable
{
    private static readonly HttpClient Http = new();

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();

    private RegistryServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The registry's name in image references: <c>127.0.0.1:PORT</c>.</summary>
    public string Host => $"127.0.0.1:{Port}";

    public string Url => $"http://{Host}";

    /// <summary>Every request served so far, in order.</summary>
    public IReadOnlyList<RegistryRequest> Requests =>
        [.. _log.Select(line => AccessLogLine().Match(line)).Where(m => m.Success).Select(m => new RegistryRequest(m.Groups["method"].Value, m.Groups["path"].Value, int.Parse(m.Groups["status"].Value, System.Globalization.CultureInfo.InvariantCulture)))];

    /// <summary>The requests served so far, once the access log has at least <paramref name="atLeast"/> (it is written just after each response).</summary>
    public Task<IReadOnlyList<RegistryRequest>> RequestsAsync(int atLeast) => RequestsAsync(requests => requests.Count >= atLeast);

    /// <summary>The requests served so far, once they include <paramref name="request"/>.</summary>
    public Task<IReadOnlyList<RegistryRequest>> RequestsAsync(RegistryRequest request) => RequestsAsync(requests => requests.Contains(request));

    // Waits for what the caller needs (the log line comes just after the response), never returning a log that lacks it.
    private async Task<IReadOnlyList<RegistryRequest>> RequestsAsync(Func<IReadOnlyList<RegistryRequest>, bool> until)
    {
        var deadline = DateTime.UtcNow + PipelineSdk.Tests.Shared.ProcessResult.HangLimit;
        var requests = Requests;
        while (!until(requests))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the registry's access log did not show the awaited requests within {PipelineSdk.Tests.Shared.ProcessResult.HangLimit.TotalMinutes} minutes; it has: {string.Join(", ", requests)}");
            }

            await Task.Delay(20);
            requests = Requests;
        }

        return requests;
    }

    /// <summary>Starts a registry with <paramref name="authYaml"/> as its <c>auth:</c> section (null: none).</summary>
    public static async Task<RegistryServer> StartAsync(string storage, string configDirectory, string? authYaml = null)
    {
        await DebianPackages.EnsureAsync(("docker-registry", "docker-registry"), ("htpasswd", "apache2-utils"));
        var port = FreePort();
        var config = Path.Combine(configDirectory, $"registry-{port}.yml");
        File.WriteAllText(config, $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {storage}
              delete:
                enabled: true
              maintenance:
                uploadpurging:
                  enabled: false
            http:
              addr: 127.0.0.1:{port}
              secret: pipelinesdk-tests
            {authYaml ?? ""}
            """);
        var start = new ProcessStartInfo(DebianPackages.Find("docker-registry")!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(config);
        var process = Process.Start(start)!;
        var server = new RegistryServer(process, port);
        process.OutputDataReceived += (_, e) => server.Log(e.Data);
        process.ErrorDataReceived += (_, e) => server.Log(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await server.WaitUntilServingAsync();
        return server;
    }

    public async Task<JsonDocument> GetJsonAsync(string path, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url + path);
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        using var response = await Http.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"GET {path}: {await response.Content.ReadAsStringAsync()}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    public async Task<IReadOnlyList<string>> TagsAsync(string repository)
    {
        using var tags = await GetJsonAsync($"/v2/{repository}/tags/list");
        return [.. tags.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!)];
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Log(string? line)
    {
        if (line is not null)
        {
            _log.Enqueue(line);
        }
    }

    private async Task WaitUntilServingAsync()
    {
        var deadline = DateTime.UtcNow + PipelineSdk.Tests.Shared.ProcessResult.HangLimit;
        while (true)
        {
            try
            {
                using var response = await Http.GetAsync(Url + "/v2/");
                return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(100);
            }
            catch (HttpRequestException)
            {
                Assert.Fail($"the registry did not start on {Host}: {string.Join('\n', _log)}");
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex("\"(?<method>[A-Z]+) (?<path>\\S+) HTTP/[0-9.]+\" (?<status>[0-9]{3}) ")]
    private static partial Regex AccessLogLine();
}
