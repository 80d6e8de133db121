using System.Text;
using System.Text.Json;
using PipelineSdk.Orchestration;

namespace PipelineSdk.Hosting;

/// <summary>
/// Writes a run's progress as JSON lines (<c>--output json</c>), one object per event with <c>time</c> and <c>event</c>:
/// <c>run-started</c>, <c>task</c> (its <c>state</c>: queued, running, retrying, cached, done, failed, not_triggered, not_run),
/// <c>log</c> and <c>message</c>; <see cref="RunSummary"/> ends the stream with <c>run-ended</c>.
/// </summary>
/// <param name="output">Where the lines go.</param>
public sealed class ProgressJsonLines(TextWriter output) : IRunProgress
{
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public void RunStarted(string runId, string pipeline) => Write("run-started", DateTimeOffset.UtcNow, w =>
    {
        w.WriteString("run", runId);
        w.WriteString("pipeline", pipeline);
    });

    /// <inheritdoc />
    public void TaskChanged(TaskProgress change) => Write("task", change.At, w =>
    {
        w.WriteString("task", change.TaskKey);
        w.WriteString("state", TaskStateText.Name(change.State).Replace(' ', '_'));
        if (change.State is TaskState.Running or TaskState.Retrying)
        {
            w.WriteNumber("attempt", change.Attempt);
            w.WriteNumber("maxAttempts", change.MaxAttempts);
        }

        if (change.Duration is { } duration)
        {
            w.WriteNumber("durationMs", Math.Round(duration.TotalMilliseconds, 3));
        }

        if (change.Detail is { } detail)
        {
            w.WriteString("detail", detail);
        }
    });

    /// <inheritdoc />
    public void StepLog(string taskKey, string line) => Write("log", DateTimeOffset.UtcNow, w =>
    {
        w.WriteString("task", taskKey);
        w.WriteString("line", line);
    });

    /// <inheritdoc />
    public void Message(string text) => Write("message", DateTimeOffset.UtcNow, w => w.WriteString("text", text));

    /// <summary>Writes one event line: <c>{"time": ..., "event": ..., ...}</c>.</summary>
    internal void Write(string kind, DateTimeOffset at, Action<Utf8JsonWriter> fields)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("time", at.ToUniversalTime());
            writer.WriteString("event", kind);
            fields(writer);
            writer.WriteEndObject();
        }

        lock (_gate)
        {
            output.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
            output.Flush();
        }
    }
}
