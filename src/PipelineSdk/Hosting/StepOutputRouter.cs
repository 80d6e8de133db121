using System.Text;
using PipelineSdk.Orchestration;

namespace PipelineSdk.Hosting;

/// <summary>
/// Stands in for <see cref="Console.Out"/> while a program shows a run: each whole line a step in this process writes goes
/// to its task's log (see <see cref="StepConsole"/>), any other line becomes a note — so nothing tears through a live
/// table or a JSON stream. Console.SetOut serializes the calls.
/// </summary>
internal sealed class StepOutputRouter(IRunProgress progress) : TextWriter
{
    private static readonly Action<string> NotAStep = _ => { };

    private readonly Dictionary<Action<string>, StringBuilder> _lines = [];

    public override Encoding Encoding => Encoding.UTF8;

    /// <summary>Routes the console to <paramref name="progress"/> until the returned scope is disposed.</summary>
    public static IDisposable Install(IRunProgress progress)
    {
        var original = Console.Out;
        var router = new StepOutputRouter(progress);
        Console.SetOut(router);
        return new Scope(() =>
        {
            Console.SetOut(original);
            router.Flush();
        });
    }

    public override void Write(char value)
    {
        var sink = StepConsole.Log.Value ?? NotAStep;
        if (!_lines.TryGetValue(sink, out var line))
        {
            _lines[sink] = line = new StringBuilder();
        }

        if (value != '\n')
        {
            line.Append(value);
            return;
        }

        Emit(sink, line.ToString().TrimEnd('\r'));
        line.Clear();
    }

    public override void Flush()
    {
        foreach (var (sink, line) in _lines.Where(l => l.Value.Length > 0))
        {
            Emit(sink, line.ToString());
            line.Clear();
        }
    }

    private void Emit(Action<string> sink, string line)
    {
        if (sink == NotAStep)
        {
            progress.Message(line);
        }
        else
        {
            sink(line);
        }
    }

    private sealed class Scope(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
