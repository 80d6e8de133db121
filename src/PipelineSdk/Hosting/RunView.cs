using System.Text;
using PipelineSdk.Descriptors;
using PipelineSdk.Orchestration;
using Spectre.Console;

namespace PipelineSdk.Hosting;

/// <summary>
/// How a program shows a run: a live table in a terminal, plain timestamped lines when output is redirected or <c>$CI</c>
/// is set, JSON lines with <c>--output json</c>; then the summary (a table, or a last <c>run-ended</c> JSON line).
/// </summary>
internal sealed class RunView
{
    private readonly IAnsiConsole _console;
    private readonly LiveProgressView? _live;
    private readonly ProgressJsonLines? _json;
    private readonly ProgressLines? _lines;

    private RunView(IAnsiConsole console, bool json)
    {
        _console = console;
        var output = console.Profile.Out.Writer;
        if (json)
        {
            Progress = _json = new ProgressJsonLines(output);
        }
        else if (TerminalOutput.IsLiveTerminal(console))
        {
            Progress = _live = new LiveProgressView(console);
        }
        else
        {
            Progress = _lines = new ProgressLines(output);
        }

        Notes = new MessageWriter(Progress);
    }

    /// <summary>Hears the run's task changes, step logs and notes.</summary>
    public IRunProgress Progress { get; }

    /// <summary>A writer whose lines become notes (what remote orchestrators print: the job, its link).</summary>
    public TextWriter Notes { get; }

    public static RunView Create(IAnsiConsole console, bool json) => new(console, json);

    /// <summary>Runs <paramref name="run"/> while the view shows its progress; what steps print goes through the view meanwhile.</summary>
    public async Task<T> WatchAsync<T>(Func<Task<T>> run)
    {
        using var routed = StepOutputRouter.Install(Progress);
        if (_live is not null)
        {
            return await _live.WatchAsync(run).ConfigureAwait(false);
        }

        if (_lines is null)
        {
            return await run().ConfigureAwait(false);
        }

        using var stop = new CancellationTokenSource();
        var reminders = RemindWhileQuietAsync(_lines, stop.Token);
        try
        {
            return await run().ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await reminders.ConfigureAwait(false);
        }
    }

    private static async Task RemindWhileQuietAsync(ProgressLines lines, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                lines.RemindIfQuiet(DateTimeOffset.Now);
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended.
        }
    }

    /// <summary>Shows how the run ended.</summary>
    public void WriteResult(PipelineDescriptor pipeline, PipelineRunResult result)
    {
        Notes.Flush();
        if (_json is not null)
        {
            RunSummary.WriteJson(_json, pipeline, result);
        }
        else
        {
            RunSummary.Write(_console, pipeline, result);
        }
    }

    /// <summary>Turns whole lines written to it into progress notes.</summary>
    private sealed class MessageWriter(IRunProgress progress) : TextWriter
    {
        private readonly StringBuilder _line = new();

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            lock (_line)
            {
                if (value == '\n')
                {
                    progress.Message(_line.ToString().TrimEnd('\r'));
                    _line.Clear();
                }
                else
                {
                    _line.Append(value);
                }
            }
        }

        public override void Flush()
        {
            lock (_line)
            {
                if (_line.Length > 0)
                {
                    progress.Message(_line.ToString());
                    _line.Clear();
                }
            }
        }
    }
}
