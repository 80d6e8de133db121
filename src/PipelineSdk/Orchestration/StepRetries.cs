using PipelineSdk.Descriptors;

namespace PipelineSdk.Orchestration;

/// <summary>
/// Runs a task's attempts as its <see cref="RetrySettings"/> say: a failed attempt (anything but cancellation of the
/// run) is retried after <see cref="RetrySettings.DelayBeforeRetry"/>, up to <see cref="RetrySettings.MaxRetries"/>
/// times; the last attempt's exception is the task's. Waits end early when the run is cancelled.
/// </summary>
internal static class StepRetries
{
    /// <summary>
    /// The outputs and log of the first attempt that succeeds; <paramref name="attemptStarted"/> hears each attempt's
    /// number as it starts, with the error that ended the attempt before it, so the caller knows how many there were
    /// whichever way this ends; <paramref name="attemptEnded"/> hears each attempt's number as it ends, with its error
    /// (null when it succeeded).
    /// </summary>
    public static async Task<(object?[] Outputs, string? LogPath)> ExecuteAsync(
        ITaskExecutor executor,
        TaskExecution execution,
        Func<TimeSpan, CancellationToken, Task> delay,
        Action<int, Exception?>? attemptStarted,
        CancellationToken cancellationToken,
        Action<int, Exception?>? attemptEnded = null)
    {
        var retry = execution.Task.Step.Settings.Retry;
        Exception? previous = null;
        for (var attempt = 1; ; attempt++)
        {
            attemptStarted?.Invoke(attempt, previous);
            (object?[] Outputs, string? LogPath) result;
            try
            {
                result = await executor.ExecuteAsync(execution with { Attempt = attempt }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                attemptEnded?.Invoke(attempt, e);
                if (retry is null || attempt > retry.MaxRetries || cancellationToken.IsCancellationRequested)
                {
                    throw;
                }

                previous = e;
                await delay(retry.DelayBeforeRetry(attempt), cancellationToken).ConfigureAwait(false);
                continue;
            }

            attemptEnded?.Invoke(attempt, null);
            return result;
        }
    }
}
