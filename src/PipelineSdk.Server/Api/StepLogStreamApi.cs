using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PipelineSdk.Server.Hosting;
using PipelineSdk.Store;

namespace PipelineSdk.Server.Api;

/// <summary>
/// <c>GET /api/v1/step-runs/{id}/log/stream</c>: the step's log as server-sent events while it runs — <c>skipped</c> (bytes
/// left out before the last 256 KiB), then <c>append</c> with each new piece of text as the file grows, then <c>end</c>
/// when the step has ended and all of the log was sent.
/// </summary>
internal static class StepLogStreamApi
{
    private const long MostBytesAtStart = 256 * 1024;
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/step-runs/{id:long}/log/stream", async (long id, HttpContext context, MetadataStore store, ServerOptions options) =>
        {
            var path = LogFile(ApiErrors.Found(store.GetStepRun(id), $"step run {id}"), options);
            var aborted = context.RequestAborted;
            ServerSentEvents.Start(context);
            try
            {
                await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                var skipped = Math.Max(0, file.Length - MostBytesAtStart);
                file.Position = skipped;
                await ServerSentEvents.SendAsync(context, "skipped", skipped.ToString(System.Globalization.CultureInfo.InvariantCulture), aborted).ConfigureAwait(false);
                var decoder = new UTF8Encoding(false).GetDecoder();
                var bytes = new byte[64 * 1024];
                var chars = new char[new UTF8Encoding(false).GetMaxCharCount(bytes.Length)];
                var quiet = TimeSpan.Zero;
                while (!aborted.IsCancellationRequested)
                {
                    // Looked at before reading, so what the step wrote before it ended is read before the stream ends.
                    var ended = store.GetStepRun(id) is not { Status: StepStatus.Running };
                    int read;
                    var text = new StringBuilder();
                    while ((read = await file.ReadAsync(bytes, aborted).ConfigureAwait(false)) > 0)
                    {
                        text.Append(chars, 0, decoder.GetChars(bytes, 0, read, chars, 0, flush: false));
                    }

                    if (text.Length > 0)
                    {
                        await ServerSentEvents.SendAsync(context, "append", text.ToString(), aborted).ConfigureAwait(false);
                    }

                    if (ended)
                    {
                        await ServerSentEvents.SendAsync(context, "end", "", aborted).ConfigureAwait(false);
                        return;
                    }

                    quiet = await ServerSentEvents.WaitAsync(context, text.Length > 0, quiet, Interval, aborted).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                // The browser went away.
            }
        });

    /// <summary>
    /// The step's log file, when it is below the server's store folder: the recorded one, or while the step runs (the path is
    /// recorded when it ends) where the local orchestrator writes it, <c>logs/RUN/TASK.log</c>.
    /// </summary>
    public static string LogFile(StepRunRecord step, ServerOptions options)
    {
        var root = Path.GetFullPath(options.StoreDirectory).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        var logPath = step.LogPath is { Length: > 0 } recorded ? recorded
            : step.Status == StepStatus.Running ? Path.Combine(root, "logs", step.RunId, step.TaskKey + ".log")
            : throw new ApiException(StatusCodes.Status404NotFound, $"step run {step.Id} has no log (it ran in the process of its run, or never started)");
        var path = Path.GetFullPath(logPath);
        if (!path.StartsWith(root, StringComparison.Ordinal) || !File.Exists(path) || new FileInfo(path).LinkTarget is not null)
        {
            throw new ApiException(StatusCodes.Status404NotFound, $"the log of step run {step.Id} is at {path}, which this server does not serve (it serves logs below {root})");
        }

        return path;
    }
}
