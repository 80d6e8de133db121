using PipelineSdk.Stacks;
using PipelineSdk.Store;

namespace PipelineSdk.Orchestration;

/// <summary>What a remote orchestrator's follow and interrupt handling call the service and its runs, for the lines they print.</summary>
/// <param name="Service">The service, e.g. <c>Vertex AI</c>.</param>
/// <param name="Noun">What the service calls a run, e.g. <c>job</c>.</param>
/// <param name="ManualCancel">How a user cancels one by hand, after "Cancel it ", e.g. <c>in the console</c>.</param>
public sealed record RemoteService(string Service, string Noun, string ManualCancel);

/// <summary>
/// The parts of following a run on a remote service that every remote orchestrator shares: polling with a growing interval
/// that waits out the service not answering (the run goes on without us) for up to <see cref="OutageLimit"/>, and, after
/// Ctrl+C, asking whether to cancel the run there too.
/// </summary>
public static class RemoteRunFollowing
{
    /// <summary>How long a follow waits out the service not answering (each poll already retried) before it gives up.</summary>
    public static readonly TimeSpan OutageLimit = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Polls until <paramref name="observe"/> says the run ended and returns the last answer. <paramref name="poll"/> returns
    /// the run, or null and what went wrong when the service did not answer; the interval grows by half each time up to 15 times
    /// the first.
    /// </summary>
    /// <exception cref="StackException">The service has not answered for <see cref="OutageLimit"/>.</exception>
    public static async Task<T> FollowAsync<T>(RemoteService service, Func<CancellationToken, Task<(T? Value, string? Problem)>> poll, Func<T, bool> observe, IRunProgress progress, TimeSpan interval, CancellationToken cancellationToken)
        where T : class
    {
        var maximum = TimeSpan.FromTicks(interval.Ticks * 15);
        DateTimeOffset? silentSince = null;
        while (true)
        {
            var (value, problem) = await poll(cancellationToken).ConfigureAwait(false);
            if (value is null)
            {
                if (silentSince is null)
                {
                    silentSince = DateTimeOffset.UtcNow;
                    progress.Message($"lost contact with {service.Service} ({problem}); still trying for up to {OutageLimit.TotalMinutes} minutes");
                }
                else if (DateTimeOffset.UtcNow - silentSince > OutageLimit)
                {
                    throw new StackException($"{service.Service} has not answered for {OutageLimit.TotalMinutes} minutes ({problem})");
                }

                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (silentSince is not null)
            {
                progress.Message($"in contact with {service.Service} again");
                silentSince = null;
            }

            if (observe(value))
            {
                return value;
            }

            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            interval = TimeSpan.FromTicks(Math.Min(maximum.Ticks, (long)(interval.Ticks * 1.5)));
        }
    }

    /// <summary>
    /// Follows a submitted run with <paramref name="follow"/> and returns how it ended. On an interrupt, offers to cancel it
    /// (<see cref="OfferToCancelAsync"/>), records it cancelled with <paramref name="cancelledNote"/> when the service accepted,
    /// and rethrows. When the service was lost (<see cref="StackException"/>), says so with <paramref name="link"/>, records
    /// the run failed and returns null: the run may well go on, so this is no usage error.
    /// </summary>
    public static async Task<T?> FollowSubmittedAsync<T>(RemoteService service, RemoteRun run, string runId, string link, Func<Task<T>> follow, Func<Task> cancel, string cancelledNote, TextWriter output, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await follow().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            if (await OfferToCancelAsync(service, runId, cancel, output).ConfigureAwait(false))
            {
                run.Store.EndRun(runId, RunStatus.Cancelled, DateTimeOffset.UtcNow, cancelledNote);
            }

            // Otherwise the record stays running, with no owner: the next `pipelines runs` asks the service how the run ended.
            throw;
        }
        catch (StackException e)
        {
            output.WriteLine($"Lost track of {service.Noun} {runId}: {e.Message}. It may still be running: {link}");
            run.Store.EndRun(runId, RunStatus.Failed, DateTimeOffset.UtcNow, $"lost track of the {service.Noun}: " + e.Message);
            return null;
        }
    }

    /// <summary>
    /// After an interrupt: cancels the run unless the user at a terminal says no. Without a terminal (CI, a pipe) nobody can
    /// answer, and a stopped run should not leave a paid run behind, so it cancels. True when the service accepted the cancel.
    /// </summary>
    public static async Task<bool> OfferToCancelAsync(RemoteService service, string runId, Func<Task> cancel, TextWriter output)
    {
        if (!Console.IsInputRedirected)
        {
            output.Write($"Stopped following {runId}. Cancel the {service.Noun} on {service.Service} too? [Y/n] ");
            output.Flush();
            if (Console.ReadLine()?.Trim().StartsWith('n') == true)
            {
                output.WriteLine($"It keeps running on {service.Service}; `pipelines runs show {runId}` records how it ends.");
                return false;
            }
        }
        else
        {
            output.WriteLine($"Stopped following {runId}; cancelling it on {service.Service} (standard input is not a terminal, so nobody is asked).");
        }

        try
        {
            await cancel().ConfigureAwait(false);
        }
        catch (StackException e)
        {
            output.WriteLine($"Could not cancel {runId}: {e.Message}. Cancel it {service.ManualCancel}.");
            return false;
        }

        output.WriteLine($"Asked {service.Service} to cancel it.");
        return true;
    }
}
