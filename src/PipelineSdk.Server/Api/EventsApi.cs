using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PipelineSdk.Store;

namespace PipelineSdk.Server.Api;

/// <summary>
/// <c>GET /api/v1/events[?run=ID]</c>: server-sent events that say when the runs (<c>runs</c>) or one run's steps (<c>run</c>)
/// changed, so the dashboard refreshes without reloading. Runs are recorded by other processes too (local runs write the
/// store directly), so the store is looked at once a second rather than told.
/// </summary>
internal static class EventsApi
{
    private const int WatchedRuns = 50;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/events", async (HttpContext context, MetadataStore store, string? run) =>
        {
            var aborted = context.RequestAborted;
            ServerSentEvents.Start(context);
            string? runs = null;
            string? steps = null;
            var quiet = TimeSpan.Zero;
            try
            {
                while (!aborted.IsCancellationRequested)
                {
                    var now = RunsFingerprint(store);
                    var changed = false;
                    if (now != runs)
                    {
                        await ServerSentEvents.SendAsync(context, "runs", now, aborted).ConfigureAwait(false);
                        runs = now;
                        changed = true;
                    }

                    if (run is { Length: > 0 } && StepsFingerprint(store, run) is var stepsNow && stepsNow != steps)
                    {
                        await ServerSentEvents.SendAsync(context, "run", stepsNow, aborted).ConfigureAwait(false);
                        steps = stepsNow;
                        changed = true;
                    }

                    quiet = await ServerSentEvents.WaitAsync(context, changed, quiet, Interval, aborted).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                // The browser went away.
            }
        });

    private static string RunsFingerprint(MetadataStore store) =>
        Fingerprint(store.ListRuns(null, WatchedRuns).Select(r => $"{r.Id}|{r.Status}|{r.EndedAt?.ToUnixTimeMilliseconds()}"));

    private static string StepsFingerprint(MetadataStore store, string run) =>
        Fingerprint(store.GetStepRuns(run).Select(s => $"{s.Id}|{s.Status}|{s.EndedAt?.ToUnixTimeMilliseconds()}"));

    private static string Fingerprint(IEnumerable<string> parts) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', parts))))[..16];
}
