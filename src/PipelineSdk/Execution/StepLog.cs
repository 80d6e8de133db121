using System.Text;

namespace PipelineSdk.Execution;

/// <summary>
/// Collects what a step writes to standard output and error while it still goes where it went (the container's log),
/// keeping the last <see cref="Limit"/> characters so a chatty step cannot exhaust memory.
/// </summary>
internal sealed class StepLog : IDisposable
{
    /// <summary>How many characters are kept at most.</summary>
    public const int Limit = 1 << 20;

    private readonly StringBuilder _text = new();
    private readonly Lock _gate = new();
    private readonly TextWriter _consoleOut;
    private readonly TextWriter _consoleError;
    private long _dropped;

    /// <summary>Starts collecting <see cref="Console.Out"/> and <see cref="Console.Error"/>; disposing stops.</summary>
    public StepLog()
    {
        _consoleOut = Console.Out;
        _consoleError = Console.Error;
        Console.SetOut(Tee(_consoleOut));
        Console.SetError(Tee(_consoleError));
    }

    /// <summary>A writer that writes to <paramref name="inner"/> and into this log.</summary>
    public TextWriter Tee(TextWriter inner) => TextWriter.Synchronized(new TeeWriter(inner, this));

    /// <summary>What was collected, with a note in front when the start was dropped.</summary>
    public override string ToString()
    {
        lock (_gate)
        {
            return _dropped > 0 ? $"[{_dropped} earlier characters not kept]\n{_text}" : _text.ToString();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Console.SetOut(_consoleOut);
        Console.SetError(_consoleError);
    }

    private void Append(ReadOnlySpan<char> text)
    {
        lock (_gate)
        {
            _text.Append(text);
            if (_text.Length > 2 * Limit)
            {
                var excess = _text.Length - Limit;
                _text.Remove(0, excess);
                _dropped += excess;
            }
        }
    }

    private sealed class TeeWriter(TextWriter inner, StepLog log) : TextWriter
    {
        public override Encoding Encoding => inner.Encoding;

        public override void Write(char value)
        {
            inner.Write(value);
            log.Append([value]);
        }

        public override void Write(char[] buffer, int index, int count)
        {
            inner.Write(buffer, index, count);
            log.Append(buffer.AsSpan(index, count));
        }

        public override void Write(string? value)
        {
            inner.Write(value);
            log.Append(value);
        }

        public override void Flush() => inner.Flush();
    }
}
