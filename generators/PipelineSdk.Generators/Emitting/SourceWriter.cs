using System.Text;

namespace PipelineSdk.Generators.Emitting;

/// <summary>Writes C# with tracked indentation; cheaper and clearer than building syntax trees.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    /// <summary>One line at the current indentation; an empty line has no trailing spaces.</summary>
    public SourceWriter Line(string line = "")
    {
        if (line.Length > 0)
        {
            _text.Append(' ', _indent * 4).Append(line);
        }

        _text.Append('\n');
        return this;
    }

    /// <summary>
    /// A line and an opening brace, indenting what follows: a type, a method, or a multi-line initializer such as
    /// <c>new Node</c> or <c>Nodes = new Node[]</c> (whose members and elements then each end with a comma).
    /// </summary>
    public SourceWriter Open(string line)
    {
        Line(line);
        Line("{");
        _indent++;
        return this;
    }

    /// <summary>Outdents and closes the brace <see cref="Open"/> wrote; <paramref name="suffix"/> ends an initializer (<c>,</c> or <c>;</c>).</summary>
    public SourceWriter Close(string suffix = "")
    {
        _indent--;
        return Line("}" + suffix);
    }

    public override string ToString() => _text.ToString();
}
