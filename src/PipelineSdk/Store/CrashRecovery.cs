using System.Data.Common;
using System.Diagnostics;
using PipelineSdk.Stacks;

namespace PipelineSdk.Store;

/// <summary>
/// Finds runs that say "running" but whose owner is gone — killed with SIGKILL, or a machine that lost power — and marks
/// them (and their running steps) <see cref="RunStatus.Crashed"/>. A run owned by a process on this machine is checked
/// by its process id and start time; a run owned elsewhere (recorded through a server) by its heartbeat.
/// </summary>
public static class CrashRecovery
{
    /// <summary>How often a running run's owner says it is alive.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(15);

    /// <summary>How long a run owned by another machine may go without a heartbeat before it counts as crashed.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(2);

    // Steps notice their orchestrator is gone within a quarter second; a long wait only means a machine under heavy load.
    private static readonly TimeSpan StepStopWait = TimeSpan.FromSeconds(30);

    /// <summary>Marks every crashed run in <paramref name="store"/>; returns those it marked now (each is marked once).</summary>
    public static IReadOnlyList<RunRecord> Sweep(MetadataStore store)
    {
        var now = DateTimeOffset.UtcNow;
        var marked = new List<RunRecord>();
        try
        {
            foreach (var run in store.ListRuns(limit: 10_000, status: RunStatus.Running))
            {
                if (run.Owner is { } owner && WhyGone(run, owner, now) is { } reason)
                {
                    // Leftovers go before the mark: a command killed in between leaves the run running, for the next one to finish.
                    var crashed = run with { Status = RunStatus.Crashed, Error = reason };
                    WaitForStepsToStop(owner);
                    try
                    {
                        Artifacts.ArtifactCollector.CollectCrashedRun(store, Artifacts.LocalArtifactStore.DefaultRoot(store.Directory), store.Directory, crashed);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        // What cannot be removed now must not keep the run "running": `pipelines artifacts gc` removes it later.
                    }

                    if (store.MarkRunCrashed(run.Id, now, reason))
                    {
                        marked.Add(crashed);
                    }
                }
            }
        }
        catch (Exception e) when (e is DbException or StackException or IOException or UnauthorizedAccessException)
        {
            // A store this process may only read (or cannot reach right now) is swept by the next command that can write.
        }

        return marked;
    }

    /// <summary>The one-line note a command prints about a run it marked crashed.</summary>
    public static string Note(RunRecord run) =>
        $"note: run {run.Id} was still marked running, but {run.Error}; it is now marked crashed (run the pipeline again to complete it from the cache: `dotnet run -- resume {run.Id}`)";

    private static string? WhyGone(RunRecord run, RunOwner owner, DateTimeOffset now)
    {
        if (string.Equals(owner.Host, Environment.MachineName, StringComparison.OrdinalIgnoreCase))
        {
            return IsAlive(owner) ? null : $"its process ({owner.ProcessId} on {owner.Host}) is gone";
        }

        var lastSign = run.HeartbeatAt ?? run.StartedAt;
        return now - lastSign > StaleAfter ? $"its process ({owner.ProcessId} on {owner.Host}) has not been heard from since {lastSign:u}" : null;
    }

    /// <summary>
    /// A killed local-process orchestrator's step processes stop themselves within a moment (<see cref="Execution.ParentWatch"/>);
    /// waiting for them keeps what they write meanwhile from outliving the clean-up of the run's leftovers.
    /// </summary>
    private static void WaitForStepsToStop(RunOwner owner)
    {
        if (!string.Equals(owner.Host, Environment.MachineName, StringComparison.OrdinalIgnoreCase) || !Directory.Exists("/proc"))
        {
            return;
        }

        var waited = Stopwatch.StartNew();
        while (Execution.ParentWatch.AnyStepOf(owner.ProcessId) && waited.Elapsed < StepStopWait)
        {
            Thread.Sleep(100);
        }
    }

    private static bool IsAlive(RunOwner owner)
    {
        try
        {
            using var process = Process.GetProcessById(owner.ProcessId);
            // A reused process id belongs to a process that started later.
            return (process.StartTime.ToUniversalTime() - owner.ProcessStartedAt.UtcDateTime).Duration() < TimeSpan.FromSeconds(2);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
