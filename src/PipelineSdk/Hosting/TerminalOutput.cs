using Spectre.Console;

namespace PipelineSdk.Hosting;

/// <summary>The console programs and the <c>pipelines</c> tool write to, set up for where their output goes.</summary>
public static class TerminalOutput
{
    /// <summary>
    /// The width tables get when output goes to a file or pipe: wide enough that nothing wraps, so tables size to their
    /// content and ids stay on one line (Spectre.Console otherwise assumes 80 columns).
    /// </summary>
    public const int RedirectedWidth = 10_000;

    /// <summary>The standard output console; when it is redirected, it never wraps.</summary>
    public static IAnsiConsole Create()
    {
        var console = AnsiConsole.Console;
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }

    /// <summary>Whether the console is a terminal a live view can redraw: interactive, ANSI, not redirected and not CI (<c>$CI</c>).</summary>
    public static bool IsLiveTerminal(IAnsiConsole console) =>
        console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi && !Console.IsOutputRedirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));
}
