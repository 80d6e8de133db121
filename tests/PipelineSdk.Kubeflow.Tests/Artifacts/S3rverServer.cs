using System.Diagnostics;
using System.Text.RegularExpressions;

namespace PipelineSdk.Kubeflow.Tests.Artifacts;

/// <summary>
/// A real S3-compatible server that nobody here wrote: s3rver (npm; installed in ./s3rver by .ci/run), started once for the
/// test run on 127.0.0.1 with a fresh data folder and the bucket Kubeflow's MinIO has, <c>mlpipeline</c>. Its keys are
/// s3rver's fixed ones, <c>S3RVER</c>/<c>S3RVER</c>; it checks request signatures against them.
/// </summary>
internal sealed partial class S3rverServer : IAsyncDisposable
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";
    public const string Bucket = "mlpipeline";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static S3rverServer? s_shared;

    private readonly Process _process;
    private readonly string _data;

    private S3rverServer(Process process, string data, string endpoint)
    {
        _process = process;
        _data = data;
        Endpoint = endpoint;
    }

    /// <summary>The server's URL, e.g. http://127.0.0.1:41234.</summary>
    public string Endpoint { get; }

    /// <summary>The one server of this test run, started on first use.</summary>
    public static async Task<S3rverServer> SharedAsync()
    {
        await Gate.WaitAsync();
        try
        {
            return s_shared ??= await StartAsync();
        }
        finally
        {
            Gate.Release();
        }
    }

    public static async Task StopSharedAsync()
    {
        if (s_shared is { } server)
        {
            await server.DisposeAsync();
            s_shared = null;
        }
    }

    private static async Task<S3rverServer> StartAsync()
    {
        var directory = KubeflowOrchestratorTests.Metadata("S3rverDirectory");
        var program = Path.Combine(directory, "node_modules", ".bin", "s3rver");
        if (!File.Exists(program))
        {
            // Installed on first use from its package-lock, as the dashboard's build installs its packages: npm is all it needs.
            var install = await PipelineSdk.Tests.Shared.ProcessResult.RunAsync("npm", ["ci", "--prefix", directory, "--no-audit", "--no-fund", "--loglevel=error"]);
            if (install.Exit != 0 || !File.Exists(program))
            {
                throw new InvalidOperationException($"s3rver could not be installed with `npm ci --prefix {directory}` (exit {install.Exit}): {install.Error.Trim()}");
            }
        }

        var data = Directory.CreateTempSubdirectory("psdk-s3rver-").FullName;
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-d", data, "-a", "127.0.0.1", "-p", "0", "--configure-bucket", Bucket })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        _ = process.StandardError.ReadToEndAsync();
        using var hang = new CancellationTokenSource(PipelineSdk.Tests.Shared.ProcessResult.HangLimit);
        while (await process.StandardOutput.ReadLineAsync(hang.Token) is { } line)
        {
            if (ListeningLine().Match(line) is { Success: true } match)
            {
                // Keep draining its log so it never blocks on a full pipe.
                _ = process.StandardOutput.ReadToEndAsync();
                return new S3rverServer(process, data, "http://" + match.Groups[1].Value);
            }
        }

        throw new InvalidOperationException($"s3rver exited ({process.ExitCode}) without saying where it listens");
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    [GeneratedRegex(@"listening on (127\.0\.0\.1:[0-9]+)")]
    private static partial Regex ListeningLine();
}
