using System.Globalization;
using PipelineSdk.Orchestration;

namespace PipelineSdk.Hosting;

/// <summary>
/// Writes a run's progress as plain timestamped lines, one per change, never redrawn: for output that goes to a file,
/// a pipe or a CI log. Step log lines are prefixed by their task.
/// </summary>
/// <param name="output">Where the lines go.</param>
public sealed class ProgressLines(TextWriter output) : IRunProgress
{
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public void RunStarted(string runId, string pipeline) => Write(DateTimeOffset.Now, $"run {runId} of {pipeline} started");

    /// <inheritdoc />
    public void TaskChanged(TaskProgress change)
    {
        var text = $"{change.TaskKey} {TaskStateText.Of(change)}";
        if (change.Duration is { } duration)
        {
            text += $" ({TaskStateText.Duration(duration)})";
        }

        Write(change.At, change.Detail is null ? text : $"{text}: {change.Detail}");
    }

    /// <inheritdoc />
    public void StepLog(string taskKey, string line) => Write(DateTimeOffset.Now, $"{taskKey} | {line}");

    /// <inheritdoc />
    public void Message(string text) => Write(DateTimeOffset.Now, text);

    private void Write(DateTimeOffset at, string text)
    {
        lock (_gate)
        {
            output.WriteLine($"{at.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture)} {text}");
            output.Flush();
        }
    }
}
