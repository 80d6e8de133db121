using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace PipelineSdk.Tests.Shared.Fakes;

/// <summary>
/// Faults a loopback fake of a cloud API injects into the requests it gets, in order: an error answer instead of the work,
/// a delay, or the work done and the connection dropped before the answer reaches the client.
/// </summary>
internal sealed class InjectedFaults
{
    private readonly ConcurrentQueue<Func<HttpContext, Task<bool>>> _faults = new();

    /// <summary>Answers the next <paramref name="count"/> requests with <paramref name="answer"/> instead of doing anything.</summary>
    public void AnswerNext(int count, Func<HttpContext, Task> answer)
    {
        for (var i = 0; i < count; i++)
        {
            _faults.Enqueue(async context =>
            {
                await answer(context);
                return true;
            });
        }
    }

    /// <summary>Delays the next request.</summary>
    public void DelayNext(TimeSpan delay) => _faults.Enqueue(async _ =>
    {
        await Task.Delay(delay);
        return false;
    });

    /// <summary>
    /// Lets the next request (or, with <paramref name="matches"/>, the next that matches; earlier ones pass) do its work, then
    /// drops the connection before the answer reaches the client.
    /// </summary>
    public void DropNextAnswer(Func<HttpRequest, bool>? matches = null) => _faults.Enqueue(context =>
    {
        if (matches is null || matches(context.Request))
        {
            context.Items["drop"] = true;
        }
        else
        {
            DropNextAnswer(matches);
        }

        return Task.FromResult(false);
    });

    /// <summary>Applies the next fault, then lets <paramref name="next"/> do the work unless the fault answered.</summary>
    public async Task ApplyAsync(HttpContext context, RequestDelegate next)
    {
        if (_faults.TryDequeue(out var fault) && await fault(context))
        {
            return;
        }

        if (context.Items.ContainsKey("drop"))
        {
            // Do the work, but let no byte of the answer reach the client: it sees the connection drop.
            context.Response.Body = new MemoryStream();
            await next(context);
            context.Abort();
            return;
        }

        await next(context);
    }
}
