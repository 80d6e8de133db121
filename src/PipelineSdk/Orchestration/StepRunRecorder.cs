using PipelineSdk.Store;

namespace PipelineSdk.Orchestration;

/// <summary>
/// Records a local run's step runs with as few commits as the store allows: a step run is written whole when it ends
/// (start, metadata and end in one transaction), and cache hits wait to go with the next write. A step still running after
/// <see cref="RecordRunningAfter"/> is recorded as running, so a run killed while it runs shows which step it was in when
/// crash recovery marks the run crashed; live progress shows a step running from its start (it is in memory).
/// </summary>
internal sealed class StepRunRecorder : IDisposable
{
    /// <summary>How long a step runs before it is recorded as running, and how long a cache hit waits to be recorded.</summary>
    public static readonly TimeSpan RecordRunningAfter = TimeSpan.FromMilliseconds(100);

    // Bounds how far the store lags behind a long series of cache hits.
    private const int MaxWaitingHits = 256;

    private readonly MetadataStore _store;
    private readonly Lock _gate = new();
    private readonly List<StepRunRecording> _hits = [];
    private readonly HashSet<RunningStep> _running = [];
    private readonly Timer _timer;
    private DateTimeOffset _oldestHit;

    public StepRunRecorder(MetadataStore store)
    {
        _store = store;
        _timer = new Timer(_ => RecordOverdue(), null, RecordRunningAfter, RecordRunningAfter);
    }

    /// <summary>A step that started; <see cref="Finish"/> records it.</summary>
    /// <param name="start">How it started.</param>
    /// <param name="recordNow">Records the start at once: a step whose attempts are recorded as they end needs its id.</param>
    public RunningStep Start(StepRunStart start, bool recordNow)
    {
        var step = new RunningStep(start);
        if (recordNow)
        {
            step.Id = _store.StartStepRun(start.RunId, start.TaskKey, start.StepName, start.StartedAt, start.CacheKey, start.CacheKeyParts, start.DependsOn, start.CacheEnabled);
            return step;
        }

        lock (_gate)
        {
            _running.Add(step);
        }

        return step;
    }

    /// <summary>Records how <paramref name="step"/> ended, with the cache hits waiting; returns its outputs.</summary>
    public IReadOnlyDictionary<string, ArtifactRecord> Finish(RunningStep step, StepRunEnd end)
    {
        lock (step)
        {
            var recorded = Write(new StepRunRecording(step.Start, end, step.Id));
            step.Id = recorded.Id;
            step.Finished = true;
            lock (_gate)
            {
                _running.Remove(step);
            }

            return recorded.Outputs;
        }
    }

    /// <summary>Records a step run that ended without running anything here (its inputs could not be had, an import), with the cache hits waiting.</summary>
    public IReadOnlyDictionary<string, ArtifactRecord> Record(StepRunStart start, StepRunEnd end) => Write(new StepRunRecording(start, end)).Outputs;

    /// <summary>Keeps a cache hit to be recorded with the next write (its outputs are the reused ones already).</summary>
    public void Cached(StepRunStart start, StepRunEnd end)
    {
        bool full;
        lock (_gate)
        {
            if (_hits.Count == 0)
            {
                _oldestHit = DateTimeOffset.UtcNow;
            }

            _hits.Add(new StepRunRecording(start, end));
            full = _hits.Count >= MaxWaitingHits;
        }

        if (full)
        {
            RecordHits();
        }
    }

    /// <summary>Records the cache hits waiting (before the run's end is recorded).</summary>
    public void RecordHits()
    {
        var hits = TakeHits();
        if (hits.Count > 0)
        {
            WriteWithHits(hits, null);
        }
    }

    /// <summary>Stops recording overdue starts, waiting for one being recorded.</summary>
    public void Dispose()
    {
        using var stopped = new ManualResetEvent(false);
        if (_timer.Dispose(stopped))
        {
            stopped.WaitOne();
        }
    }

    private RecordedStepRun Write(StepRunRecording stepRun) => WriteWithHits(TakeHits(), stepRun)!;

    /// <summary>Writes the hits taken and then <paramref name="stepRun"/>; hits that could not be written wait again.</summary>
    private RecordedStepRun? WriteWithHits(List<StepRunRecording> hits, StepRunRecording? stepRun)
    {
        var count = hits.Count;
        try
        {
            if (stepRun is not null)
            {
                hits.Add(stepRun);
            }

            var recorded = _store.RecordStepRuns(hits);
            return stepRun is null ? null : recorded[^1];
        }
        catch when (count > 0)
        {
            // Recording a step run again changes nothing, so hits a failed write may have recorded can wait for the next one.
            lock (_gate)
            {
                _hits.InsertRange(0, hits.Take(count));
            }

            throw;
        }
    }

    private List<StepRunRecording> TakeHits()
    {
        lock (_gate)
        {
            if (_hits.Count == 0)
            {
                return [];
            }

            List<StepRunRecording> hits = [.. _hits];
            _hits.Clear();
            return hits;
        }
    }

    /// <summary>Records the starts of steps that have run for a while, and hits that have waited as long.</summary>
    private void RecordOverdue()
    {
        var due = DateTimeOffset.UtcNow - RecordRunningAfter;
        List<RunningStep> overdue;
        bool hitsDue;
        lock (_gate)
        {
            overdue = [.. _running.Where(s => s.Start.StartedAt <= due)];
            hitsDue = _hits.Count > 0 && _oldestHit <= due;
        }

        try
        {
            foreach (var step in overdue)
            {
                lock (step)
                {
                    if (!step.Finished && step.Id is null)
                    {
                        var start = step.Start;
                        step.Id = _store.StartStepRun(start.RunId, start.TaskKey, start.StepName, start.StartedAt, start.CacheKey, start.CacheKeyParts, start.DependsOn, start.CacheEnabled);
                    }

                    lock (_gate)
                    {
                        _running.Remove(step);
                    }
                }
            }

            if (hitsDue)
            {
                RecordHits();
            }
        }
        catch (Exception e) when (e is System.Data.Common.DbException or Stacks.StackException or IOException or HttpRequestException or InvalidOperationException)
        {
            // Not thrown on a timer thread (it would end the process): the step's end records it whole, the hits wait for the next write.
        }
    }

    /// <summary>A step that started and has not ended; its start is recorded once it has run a while.</summary>
    internal sealed class RunningStep(StepRunStart start)
    {
        public StepRunStart Start { get; } = start;

        /// <summary>The step run's id once its start is recorded.</summary>
        public long? Id { get; set; }

        public bool Finished { get; set; }
    }
}
