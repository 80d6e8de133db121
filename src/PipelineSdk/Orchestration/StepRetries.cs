using PipelineSdk.Model;

namespace PipelineSdk.Orchestration;

/// <summary>
/// Runs a task's attempts as its <see cref="RetrySettings"/> say: a failed attempt (anything but cancellation of the
/// run) is retried after <see cref="RetrySettings.DelayBeforeRetry"/>, up to <see cref="RetrySettings.MaxRetries"/>
/// times; the last attempt's exception is the task's. Waits end early when the run is cancelled.
/// </summary>
internal static class StepRetries
{
    /// <summary>The outputs of the first attempt that succeeds, its log, and how many attempts it took.</summary>
    public static async Task<(object?[] Outputs, string? LogPath, int Attempts)> ExecuteAsync(
        ITaskExecutor executor,
        TaskExecution execution,
        Func<TimeSpan, CancellationToken, Task> delay,
        CancellationToken cancellationToken)
    {
        var retry = execution.Task.Step.Settings.Retry;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var (outputs, logPath) = await executor.ExecuteAsync(execution with { Attempt = attempt }, cancellationToken).ConfigureAwait(false);
                return (outputs, logPath, attempt);
            }
            catch (Exception) when (retry is not null && attempt <= retry.MaxRetries && !cancellationToken.IsCancellationRequested)
            {
                await delay(retry.DelayBeforeRetry(attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>How many attempts a task whose every attempt failed made.</summary>
    public static int AttemptsWhenExhausted(PipelineTask task) => (task.Step.Settings.Retry?.MaxRetries ?? 0) + 1;
}
