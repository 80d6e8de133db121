using System.Data.Common;
using PipelineSdk.Stacks;

namespace PipelineSdk.Store;

/// <summary>How a remote orchestrator reports a run that has ended (null from a reader: it has not).</summary>
/// <param name="Status">How it ended.</param>
/// <param name="EndedAt">When it ended, as the orchestrator says.</param>
/// <param name="Error">Why it failed or was cancelled, if it did.</param>
public sealed record RemoteRunEnd(RunStatus Status, DateTimeOffset EndedAt, string? Error);

/// <summary>
/// Records the end of remote runs that nobody follows — submitted with <c>synchronous=false</c>, or started by a schedule —
/// by asking their orchestrator. Their steps record themselves as they run, but no step can know it was the last one, and a
/// job can end without any step running (cancelled, or an image that cannot be pulled): only the orchestrator knows. The
/// CLI reconciles the runs it lists or shows; the state is recorded so every member of the team sees it.
/// </summary>
public static class RemoteRunReconciliation
{
    private static readonly Dictionary<string, Func<MetadataStore, RunRecord, CancellationToken, Task<RemoteRunEnd?>>> Readers = new(StringComparer.Ordinal);

    /// <summary>
    /// Registers how to ask the orchestrator of <paramref name="flavor"/> whether a run ended (PipelineSdk.Gcp registers
    /// Vertex AI). The reader throws <see cref="StackException"/> saying why it could not ask.
    /// </summary>
    public static void RegisterEndReader(string flavor, Func<MetadataStore, RunRecord, CancellationToken, Task<RemoteRunEnd?>> reader)
    {
        lock (Readers)
        {
            Readers[flavor] = reader;
        }
    }

    /// <summary>
    /// Asks the orchestrator of each of <paramref name="runs"/> that is running with no process of ours owning it whether it
    /// ended; records the end of those that did (and ends their step runs still marked running) and returns the runs as they
    /// are now. When the orchestrator cannot be asked, the run is returned as it was, after one note to
    /// <paramref name="notes"/>; when the store refuses the write (a read token), the end is shown but not recorded.
    /// </summary>
    public static async Task<IReadOnlyList<RunRecord>> ReconcileAsync(MetadataStore store, IReadOnlyList<RunRecord> runs, TextWriter notes, CancellationToken cancellationToken)
    {
        var result = new List<RunRecord>(runs.Count);
        var noted = false;
        foreach (var run in runs)
        {
            if (run.Status != RunStatus.Running || run.Owner is not null || ReaderOf(run.Orchestrator) is not { } reader)
            {
                result.Add(run);
                continue;
            }

            RemoteRunEnd? end;
            try
            {
                end = await reader(store, run, cancellationToken).ConfigureAwait(false);
            }
            catch (StackException e)
            {
                if (!noted)
                {
                    notes.WriteLine($"note: run {run.Id} may have ended on {run.Orchestrator}, but its state could not be read ({e.Message}); it shows as last recorded");
                    noted = true;
                }

                result.Add(run);
                continue;
            }

            if (end is null)
            {
                result.Add(run);
                continue;
            }

            Record(store, run, end);
            result.Add(run with { Status = end.Status, EndedAt = end.EndedAt, Error = end.Error });
        }

        return result;
    }

    private static void Record(MetadataStore store, RunRecord run, RemoteRunEnd end)
    {
        try
        {
            // The steps first: a reader who sees the run ended sees no step still running.
            foreach (var step in store.GetStepRuns(run.Id).Where(s => s.Status == StepStatus.Running))
            {
                store.FinishStepRun(step.Id, StepStatus.Failed, end.EndedAt, $"the run ended ({end.Status.ToString().ToLowerInvariant()}) before this step recorded its own end", [], []);
            }

            store.EndRun(run.Id, end.Status, end.EndedAt, end.Error);
        }
        catch (Exception e) when (e is StackException or DbException or IOException or UnauthorizedAccessException)
        {
            // A store this client may only read: the next client that may write records it.
        }
    }

    private static Func<MetadataStore, RunRecord, CancellationToken, Task<RemoteRunEnd?>>? ReaderOf(string flavor)
    {
        lock (Readers)
        {
            return Readers.GetValueOrDefault(flavor);
        }
    }
}
