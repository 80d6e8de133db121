using PipelineSdk.Orchestration;
using Spectre.Console;

namespace PipelineSdk.Hosting;

/// <summary>
/// Draws a run's tasks in a terminal while it runs (Spectre.Console's live display): one row per task with its state,
/// the elapsed time of running ones and why a task failed, is retried or did not run. Notes and step log lines print
/// above the table; the table clears when the run ends, for the summary to take its place.
/// </summary>
internal sealed class LiveProgressView(IAnsiConsole console) : IRunProgress
{
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(250);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Row> _rows = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private string? _title;
    private LiveDisplayContext? _live;

    /// <summary>Runs <paramref name="run"/> while redrawing the table, and returns its result.</summary>
    public async Task<T> WatchAsync<T>(Func<Task<T>> run)
    {
        T result = default!;
        await console.Live(new Text("")).AutoClear(true).StartAsync(async context =>
        {
            lock (_gate)
            {
                _live = context;
            }

            var running = run();
            try
            {
                while (!running.IsCompleted)
                {
                    Redraw();
                    await Task.WhenAny(running, Task.Delay(RedrawInterval)).ConfigureAwait(false);
                }
            }
            finally
            {
                lock (_gate)
                {
                    _live = null;
                }
            }

            result = await running.ConfigureAwait(false);
        }).ConfigureAwait(false);
        return result;
    }

    public void RunStarted(string runId, string pipeline)
    {
        lock (_gate)
        {
            _title = $"Run {runId}";
        }
    }

    public void TaskChanged(TaskProgress change)
    {
        lock (_gate)
        {
            if (!_rows.TryGetValue(change.TaskKey, out var row))
            {
                _order.Add(change.TaskKey);
            }

            var started = change.State is TaskState.Running or TaskState.Retrying ? row?.Started ?? change.At : row?.Started;
            _rows[change.TaskKey] = new Row(change, started);
        }
    }

    public void StepLog(string taskKey, string line) => Print($"{taskKey} | {line}");

    public void Message(string text) => Print(text);

    private void Print(string line)
    {
        lock (_gate)
        {
            // One renderable ending in a line break, written through the console while live, lands above the table; padded
            // to the width so it covers what the table drew on that row before.
            console.Write(new Text(line.PadRight(Math.Max(0, console.Profile.Width - 1)) + "\n"));
        }
    }

    private void Redraw()
    {
        lock (_gate)
        {
            if (_live is null)
            {
                return;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumn("Step").AddColumn("State").AddColumn(new TableColumn("Time").RightAligned()).AddColumn("Detail");

            var now = DateTimeOffset.UtcNow;
            foreach (var key in _order)
            {
                var (change, started) = _rows[key];
                var time = change.Duration is { } duration ? TaskStateText.Duration(duration)
                    : started is { } since && change.State is TaskState.Running or TaskState.Retrying ? TaskStateText.Elapsed(now - since)
                    : "";
                table.AddRow(new Text(key), new Markup(Colour(change.State, Markup.Escape(TaskStateText.Of(change)))), new Text(time), new Text(change.Detail ?? ""));
            }

            _live.UpdateTarget(_title is null ? table : new Rows(new Text(_title), table));
        }
    }

    private static string Colour(TaskState state, string text) => state switch
    {
        TaskState.Running => $"[yellow]{text}[/]",
        TaskState.Retrying => $"[orange1]{text}[/]",
        TaskState.Done => $"[green]{text}[/]",
        TaskState.Cached => $"[blue]{text}[/]",
        TaskState.Failed => $"[red]{text}[/]",
        _ => $"[grey]{text}[/]",
    };

    private sealed record Row(TaskProgress Change, DateTimeOffset? Started);
}
