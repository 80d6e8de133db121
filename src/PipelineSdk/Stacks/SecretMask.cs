using System.Text;

namespace PipelineSdk.Stacks;

/// <summary>
/// The secret values a run resolved from <c>{{secret.name.key}}</c> settings, and their replacement by
/// <see cref="Mask"/> in everything the run prints and records (its output, errors and step logs).
/// </summary>
public sealed class SecretMask
{
    /// <summary>What a secret value is replaced by.</summary>
    public const string Mask = "***";

    // Shorter values would mask ordinary text ("1", "ab"); a secret that short protects nothing anyway.
    private const int MinimumLength = 4;

    private readonly List<string> _values = [];
    private readonly Lock _gate = new();

    /// <summary>Whether no secret value has been added.</summary>
    public bool IsEmpty
    {
        get
        {
            lock (_gate)
            {
                return _values.Count == 0;
            }
        }
    }

    /// <summary>Adds a resolved secret value.</summary>
    public void Add(string value)
    {
        if (value.Length < MinimumLength)
        {
            return;
        }

        lock (_gate)
        {
            if (!_values.Contains(value))
            {
                _values.Add(value);
                // Longest first, so a secret that contains another is masked whole.
                _values.Sort((a, b) => b.Length.CompareTo(a.Length));
            }
        }
    }

    /// <summary><paramref name="text"/> with every secret value replaced by <see cref="Mask"/>.</summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(text))]
    public string? Apply(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        lock (_gate)
        {
            foreach (var value in _values)
            {
                text = text.Replace(value, Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }

    /// <summary>A writer that masks each line before passing it to <paramref name="inner"/>.</summary>
    public TextWriter Wrap(TextWriter inner) => new MaskingWriter(inner, this);

    private sealed class MaskingWriter(TextWriter inner, SecretMask mask) : TextWriter
    {
        private readonly StringBuilder _line = new();

        public override Encoding Encoding => inner.Encoding;

        public override void Write(char value) => Write(value.ToString());

        public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

        public override void Write(string? value)
        {
            lock (_line)
            {
                _line.Append(value);
                var end = _line.ToString().LastIndexOf('\n');
                if (end >= 0)
                {
                    // Whole lines only: a secret split across two writes is still masked.
                    inner.Write(mask.Apply(_line.ToString(0, end + 1)));
                    _line.Remove(0, end + 1);
                }
            }
        }

        public override void WriteLine(string? value) => Write(value + NewLine);

        public override void Flush()
        {
            lock (_line)
            {
                inner.Write(mask.Apply(_line.ToString()));
                _line.Clear();
                inner.Flush();
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Flush();
            }

            base.Dispose(disposing);
        }
    }
}
