using System.Globalization;
using PipelineSdk.Orchestration;

namespace PipelineSdk.Hosting;

/// <summary>
/// Writes a run's progress as plain timestamped lines, one per change, never redrawn: for output that goes to a file,
/// a pipe or a CI log. Step log lines are prefixed by their task. While tasks run and nothing else is written, a
/// <c>still running</c> line every <see cref="QuietInterval"/> says which, and for how long, so a long step does not
/// look like a hang.
/// </summary>
/// <param name="output">Where the lines go.</param>
public sealed class ProgressLines(TextWriter output) : IRunProgress
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _runningSince = new(StringComparer.Ordinal);
    private DateTimeOffset _lastWrite = DateTimeOffset.MinValue;

    /// <summary>How long output stays quiet while tasks run before a <c>still running</c> line names them.</summary>
    public static TimeSpan QuietInterval { get; } = TimeSpan.FromSeconds(30);

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

        lock (_gate)
        {
            if (change.State is TaskState.Running or TaskState.Retrying)
            {
                _runningSince.TryAdd(change.TaskKey, change.At);
            }
            else
            {
                _runningSince.Remove(change.TaskKey);
            }
        }

        Write(change.At, change.Detail is null ? text : $"{text}: {change.Detail}");
    }

    /// <inheritdoc />
    public void StepLog(string taskKey, string line) => Write(DateTimeOffset.Now, $"{taskKey} | {line}");

    /// <inheritdoc />
    public void Message(string text) => Write(DateTimeOffset.Now, text);

    /// <summary>
    /// Writes which tasks are running, each with its elapsed time, when some are and nothing has been written for
    /// <see cref="QuietInterval"/> up to <paramref name="now"/>. A watcher calls it every few seconds.
    /// </summary>
    /// <returns>Whether a line was written.</returns>
    public bool RemindIfQuiet(DateTimeOffset now)
    {
        string text;
        lock (_gate)
        {
            if (_runningSince.Count == 0 || now - _lastWrite < QuietInterval)
            {
                return false;
            }

            text = "still running: " + string.Join(", ", _runningSince
                .OrderBy(task => task.Value)
                .Select(task => $"{task.Key} ({TaskStateText.Elapsed(now - task.Value)})"));
        }

        Write(now, text);
        return true;
    }

    private void Write(DateTimeOffset at, string text)
    {
        lock (_gate)
        {
            output.WriteLine($"{at.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture)} {text}");
            output.Flush();
            _lastWrite = DateTimeOffset.Now > at ? DateTimeOffset.Now : at;
        }
    }
}
