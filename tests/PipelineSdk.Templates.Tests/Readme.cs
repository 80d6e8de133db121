namespace PipelineSdk.Templates.Tests;

/// <summary>One fenced <c>```sh</c> block of README.md: the section it is in, its position and its command lines.</summary>
internal sealed record ReadmeBlock(int Index, string Section, IReadOnlyList<string> Lines)
{
    public override string ToString() => $"#{Index} in \"{Section}\": {Lines.FirstOrDefault()}";

    /// <summary>The commands of the block: its lines without blank lines and trailing <c># comments</c>.</summary>
    public IEnumerable<string> Commands => Lines.Select(Readme.WithoutComment).Where(c => c.Length > 0);
}

/// <summary>Reads README.md's shell blocks, the commands a reader is told to type.</summary>
internal static class Readme
{
    /// <summary>Every <c>```sh</c> block, in document order, with the nearest heading above it.</summary>
    public static IReadOnlyList<ReadmeBlock> ShellBlocks(string markdown)
    {
        var blocks = new List<ReadmeBlock>();
        var section = "";
        List<string>? current = null;
        var inOtherFence = false;
        foreach (var line in markdown.Split('\n').Select(l => l.TrimEnd('\r')))
        {
            if (current is not null)
            {
                if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    blocks.Add(new ReadmeBlock(blocks.Count + 1, section, current));
                    current = null;
                }
                else
                {
                    current.Add(line);
                }
            }
            else if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                var language = line.Trim()[3..].Trim();
                if (!inOtherFence && language is "sh" or "bash" or "shell")
                {
                    current = [];
                }
                else
                {
                    inOtherFence = !inOtherFence;
                }
            }
            else if (!inOtherFence && line.StartsWith('#'))
            {
                section = line.TrimStart('#').Trim();
            }
            else if (!inOtherFence && line.StartsWith("**", StringComparison.Ordinal) && line.Length > 2 && char.IsAsciiDigit(line[2])
                && line.IndexOf("**", 2, StringComparison.Ordinal) is > 2 and var end)
            {
                // The tour's numbered steps ("**4. Parameters.**") are bold paragraphs, not headings; other bold text is not a section.
                section = line[2..end].Trim();
            }
        }

        return blocks;
    }

    /// <summary>A command line without its trailing comment (a <c>#</c> after whitespace, outside quotes) and surrounding spaces.</summary>
    public static string WithoutComment(string line)
    {
        var quote = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1])))
            {
                return line[..i].Trim();
            }
        }

        return line.Trim();
    }
}
