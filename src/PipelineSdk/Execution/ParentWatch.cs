using System.Globalization;

namespace PipelineSdk.Execution;

/// <summary>
/// Makes a step process that a local orchestrator started die with it: when the orchestrator is killed (SIGKILL leaves it
/// no chance to stop its children), the step process sees its parent change and exits instead of running on under PID 1.
/// </summary>
internal static class ParentWatch
{
    /// <summary>Set by the local-process orchestrator to its own process id.</summary>
    public const string Variable = "PIPELINES_PARENT_PID";

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Starts watching when this process was started by a local orchestrator (on Linux, where /proc tells the parent); exits
    /// at once when that orchestrator is already gone (killed while this process started).
    /// </summary>
    public static void StartIfAsked(TextWriter error)
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable(Variable), NumberStyles.None, CultureInfo.InvariantCulture, out var parent)
            || ParentProcessId() is not { } current)
        {
            return;
        }

        // Processes this step starts are not steps of that orchestrator.
        Environment.SetEnvironmentVariable(Variable, null);
        if (current != parent)
        {
            Stop(parent, error);
        }

        var watcher = new Thread(() =>
        {
            while (ParentProcessId() == parent)
            {
                Thread.Sleep(Interval);
            }

            Stop(parent, error);
        })
        { IsBackground = true, Name = "parent watch" };
        watcher.Start();
    }

    /// <summary>Whether a step process started by orchestrator <paramref name="orchestratorId"/> still runs (it stops itself soon after).</summary>
    public static bool AnyStepOf(int orchestratorId)
    {
        var marker = $"{Variable}={orchestratorId.ToString(CultureInfo.InvariantCulture)}\0";
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out _)
                    && (File.ReadAllText(Path.Combine(folder, "environ")) + "\0").Contains(marker, StringComparison.Ordinal))
                {
                    return true;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or another user's process (a step of ours runs as us).
            }
        }

        return false;
    }

    private static void Stop(int parent, TextWriter error)
    {
        error.WriteLine($"error: the orchestrator (process {parent}) that started this step is gone; stopping the step");
        error.Flush();
        Environment.Exit(StepMode.StepFailed);
    }

    private static int? ParentProcessId()
    {
        try
        {
            // "pid (comm) state ppid ...": the command name may hold spaces and parentheses, so read after the last ')'.
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
