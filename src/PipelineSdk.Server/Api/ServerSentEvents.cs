using System.Text;
using Microsoft.AspNetCore.Http;

namespace PipelineSdk.Server.Api;

/// <summary>Writing a <c>text/event-stream</c> response: its headers, events and keep-alive comments, each flushed at once.</summary>
internal static class ServerSentEvents
{
    /// <summary>How long a stream may stay silent before a comment keeps proxies from closing it.</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    /// <summary>Marks the response as an event stream that proxies must not buffer.</summary>
    public static void Start(HttpContext context)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
    }

    /// <summary>Sends one event; text of several lines becomes one data line per line (CR ends a line in event streams, so it is folded into LF).</summary>
    public static async Task SendAsync(HttpContext context, string name, string data, CancellationToken cancellationToken)
    {
        var message = new StringBuilder("event: ").Append(name).Append('\n');
        foreach (var line in data.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n'))
        {
            message.Append("data: ").Append(line).Append('\n');
        }

        await context.Response.WriteAsync(message.Append('\n').ToString(), cancellationToken).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits <paramref name="interval"/> after a look at the source; after <see cref="KeepAlive"/> of silence first sends a comment.
    /// Returns how long the stream has now been silent.
    /// </summary>
    public static async Task<TimeSpan> WaitAsync(HttpContext context, bool sent, TimeSpan quiet, TimeSpan interval, CancellationToken cancellationToken)
    {
        quiet = sent ? TimeSpan.Zero : quiet + interval;
        if (quiet >= KeepAlive)
        {
            await context.Response.WriteAsync(": keep-alive\n\n", cancellationToken).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
            quiet = TimeSpan.Zero;
        }

        await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
        return quiet;
    }
}
