using System.Globalization;
using PipelineSdk.Orchestration;

namespace PipelineSdk.Hosting;

/// <summary>How task states and durations read, the same in every progress view.</summary>
internal static class TaskStateText
{
    /// <summary><c>queued</c>, <c>running</c>, <c>retrying (attempt 2/3)</c>, <c>cached</c>, <c>done</c>, <c>failed</c>, <c>not triggered</c>, <c>not run</c>.</summary>
    public static string Of(TaskProgress change) => change.State == TaskState.Retrying
        ? $"retrying (attempt {change.Attempt.ToString(CultureInfo.InvariantCulture)}/{change.MaxAttempts.ToString(CultureInfo.InvariantCulture)})"
        : Name(change.State);

    /// <summary>The state's name in lower case with spaces; JSON lines use it with underscores.</summary>
    public static string Name(TaskState state) => state switch
    {
        TaskState.NotTriggered => "not triggered",
        TaskState.NotRun => "not run",
        _ => state.ToString().ToLowerInvariant(),
    };

    public static string Duration(TimeSpan duration) =>
        duration.TotalSeconds >= 1
            ? duration.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s"
            : duration.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms";

    /// <summary>Elapsed time while a task runs, to the second: <c>0:07</c>, <c>12:31</c>, <c>1:02:03</c>.</summary>
    public static string Elapsed(TimeSpan elapsed) =>
        elapsed.TotalHours >= 1 ? elapsed.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : elapsed.ToString(@"m\:ss", CultureInfo.InvariantCulture);
}
