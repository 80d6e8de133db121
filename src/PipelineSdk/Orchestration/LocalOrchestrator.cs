using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PipelineSdk.Artifacts;
using PipelineSdk.Caching;
using PipelineSdk.Descriptors;
using PipelineSdk.Stacks;
using PipelineSdk.Store;

namespace PipelineSdk.Orchestration;

/// <summary>
/// Runs a pipeline on this machine: each task starts once the tasks it depends on have finished, independent
/// tasks run in parallel (bounded), outputs are stored as artifacts with lineage, and a task whose cache key
/// matches a completed earlier step run of the same pipeline reuses that run's outputs instead of running.
/// A failed task stops only the tasks that depend on it; the run is then marked failed. How a task is
/// executed — a call in this process, or a child process under the executor contract — is the executor's.
/// </summary>
public sealed partial class LocalOrchestrator
{
    private readonly MetadataStore _store;
    private readonly LocalArtifactStore _artifacts;
    private readonly ITaskExecutor _executor;

    /// <summary>
    /// Creates an orchestrator that calls steps in this process (the <c>local</c> flavor); steps with environment variables
    /// run as child processes of this program, as <c>local-process</c> runs them.
    /// </summary>
    public LocalOrchestrator(MetadataStore store, LocalArtifactStore artifacts)
        : this(store, artifacts, new InProcessTaskExecutor(new ProcessTaskExecutor(store.Directory)))
    {
    }

    internal LocalOrchestrator(MetadataStore store, LocalArtifactStore artifacts, ITaskExecutor executor)
    {
        _store = store;
        _artifacts = artifacts;
        _executor = executor;
    }

    /// <summary>Secret values resolved for this run, masked in the errors it records and returns; null when there are none.</summary>
    internal Stacks.SecretMask? Mask { get; init; }

    /// <summary>Runs <paramref name="pipeline"/> with parameter values already converted to their .NET types.</summary>
    /// <exception cref="ArgumentException">A parameter is unknown, missing, or of the wrong type.</exception>
    public async Task<PipelineRunResult> RunAsync(
        PipelineDescriptor pipeline,
        IReadOnlyDictionary<string, object?> parameters,
        RunOptions options,
        string? stackName = null,
        CancellationToken cancellationToken = default)
    {
        var run = new RunState(pipeline, ParameterValues.Resolve(pipeline, parameters), options, cancellationToken) { Recorder = new StepRunRecorder(_store) };
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        _store.CreateRun(run.Id, pipeline.Name, started, run.ParametersJson(), _executor.Flavor, stackName, RunOwner.Current, pipeline.SpecJson, Experiments.Of(pipeline, options));
        run.Progress.RunStarted(run.Id, pipeline.Name);
        return await RunAsync(run, clock).ConfigureAwait(false);
    }

    /// <summary>
    /// Predicts what <see cref="RunAsync(PipelineDescriptor, IReadOnlyDictionary{string, object?}, RunOptions, string?, CancellationToken)"/>
    /// would do now: which tasks the cache serves (their cached outputs are read, so the tasks after them are predicted too),
    /// which run and why, and which depend on a task that runs first. Nothing executes and nothing is recorded.
    /// </summary>
    /// <exception cref="ArgumentException">A parameter is unknown, missing, or of the wrong type.</exception>
    public async Task<RunPlan> PlanAsync(PipelineDescriptor pipeline, IReadOnlyDictionary<string, object?> parameters, RunOptions options, CancellationToken cancellationToken = default)
    {
        var run = new RunState(pipeline, ParameterValues.Resolve(pipeline, parameters), options, cancellationToken) { Plan = [], Remote = _executor as RemoteCache };
        var root = Frame.ForRun(run);
        await RunNodesAsync(root, pipeline.Nodes).ConfigureAwait(false);
        lock (run.Plan)
        {
            return new RunPlan(pipeline.Name, _executor.Flavor, [.. run.Plan]);
        }
    }

    private async Task<PipelineRunResult> RunAsync(RunState run, Stopwatch clock)
    {
        var pipeline = run.Pipeline;
        var cancellationToken = run.Cancellation;

        var root = Frame.ForRun(run);
        StepRunResult? output;
        using var heartbeat = new RunHeartbeat(_store, run.Id);
        using var recorder = run.Recorder;
        try
        {
            await RunNodesAsync(root, pipeline.Nodes).ConfigureAwait(false);
            output = pipeline.Output is not null && root.AllSucceeded ? OutputOf(root, pipeline.Name, pipeline.Output, pipeline.OutputCodec) : null;
            recorder.RecordHits();
        }
        catch (Exception e)
        {
            // Never leave a run "running": record why it stopped, then let the caller see the error.
            try
            {
                recorder.RecordHits();
            }
            catch (Exception recording) when (recording is not OperationCanceledException)
            {
                // The run's own error is the one to show; hits not recorded are served from the cache again.
            }

            _store.EndRun(run.Id, RunStatus.Failed, DateTimeOffset.UtcNow, Masked($"{e.GetType().Name}: {FirstLine(e.Message)}"));
            _executor.RunEnded(run.Id);
            throw;
        }

        _executor.RunEnded(run.Id);

        var steps = run.Steps();
        var status = cancellationToken.IsCancellationRequested ? RunStatus.Cancelled
            : run.Failures.IsEmpty && steps.All(s => s.Succeeded || s.Status == StepStatus.NotTriggered) ? RunStatus.Completed
            : RunStatus.Failed;
        var error = status switch
        {
            RunStatus.Cancelled => "cancelled",
            RunStatus.Failed => "failed: " + string.Join(", ", steps.Where(s => s.Status == StepStatus.Failed).Select(s => s.TaskKey).Concat(run.Failures)),
            _ => null,
        };
        _store.EndRun(run.Id, status, DateTimeOffset.UtcNow, error);
        return new PipelineRunResult(run.Id, pipeline.Name, status, clock.Elapsed, _store.Directory, _artifacts.RunDirectory(run.Id), steps, output, [.. run.Calls]) { Mask = Mask };
    }

    private async Task<StepRunResult> ExecuteAsync(Frame frame, PipelineTask task)
    {
        if (task.Step.Importer is { } importer)
        {
            return await ImportAsync(frame, task, importer).ConfigureAwait(false);
        }

        var run = frame.Run;
        var key = frame.DisplayKey(task.Key);
        var clock = Stopwatch.StartNew();
        var inputs = task.Inputs.Select((binding, i) => Resolve(frame, binding, task.Step.Inputs[i].Codec)).ToList();
        var startedAt = DateTimeOffset.UtcNow;
        Dictionary<string, ArtifactVersionRecord?> pins;
        try
        {
            pins = RegistryInputs.Pin(_store, task.Step);
        }
        catch (StackException e)
        {
            if (run.Plan is not null)
            {
                run.Predict(key, TaskForecast.Runs, $"it fails: {e.Message}");
                return run.Add(new StepRunResult(key, task.Step.Name, StepStatus.NotRun, null, Empty, EmptyArtifacts, e.Message, null));
            }

            // A [FromArtifact] name or version that does not exist fails this task, as a missing input would.
            Execution.StepArtifacts.DisposeInputs([.. inputs.Where(i => i.IsRead).Select(i => i.Value)]);
            run.Recorder.Record(new StepRunStart(run.Id, key, task.Step.Name, startedAt, DependsOn: task.DependsOn),
                new StepRunEnd(StepStatus.Failed, DateTimeOffset.UtcNow, e.Message, [.. inputs.Select(i => i.Record)], []));
            run.Report(key, TaskState.Failed, clock.Elapsed, e.Message);
            return run.Add(new StepRunResult(key, task.Step.Name, StepStatus.Failed, clock.Elapsed, Empty, EmptyArtifacts, e.Message, e));
        }

        // Registry parameters count as inputs: the version each one got is part of the cache key and of the lineage.
        List<StepInputRecord> records = [.. inputs.Select(i => i.Record), .. pins.Select(p => new StepInputRecord(p.Key, "registry", p.Value?.Artifact.Id, p.Value?.Artifact.ContentHash ?? "none"))];
        var remote = _executor as RemoteCache;
        var cacheKey = CacheKey.Compute(task, records.Select(r => KeyValuePair.Create(r.InputName, r.ContentHash)).ToList(), remote?.ImageOf(task));

        var cacheAllowed = run.CacheAllowed(task);
        var hit = !cacheAllowed ? null
            : remote is null ? TryReuse(run.Pipeline.Name, task, cacheKey)
            : await TryReuseRemoteAsync(run.Pipeline.Name, task, cacheKey, run.Cancellation).ConfigureAwait(false);
        if (run.Plan is not null)
        {
            return Predict(run, key, task, inputs, cacheKey, cacheAllowed, hit);
        }

        var start = new StepRunStart(run.Id, key, task.Step.Name, startedAt, cacheKey.Key, cacheKey.PartsJson, task.DependsOn, cacheAllowed);
        if (hit is not null)
        {
            // Recorded with the next write: a hit's outputs are the reused ones, and the next cache key needs only their hashes.
            Execution.StepArtifacts.DisposeInputs([.. inputs.Where(i => i.IsRead).Select(i => i.Value)]);
            run.Recorder.Cached(start, new StepRunEnd(StepStatus.Cached, DateTimeOffset.UtcNow, null, records, []) { ReusedFrom = hit.Value.Entry });
            run.Report(key, TaskState.Cached, clock.Elapsed);
            return run.Add(new StepRunResult(key, task.Step.Name, StepStatus.Cached, clock.Elapsed, hit.Value.Values, hit.Value.Entry.Outputs, null, null));
        }

        object?[] results;
        string? logPath;
        var attempts = 0;
        var attemptStartedAt = startedAt;
        var maxAttempts = (task.Step.Settings.Retry?.MaxRetries ?? 0) + 1;
        // Recorded whole when it ends; a step that may retry records its start now, since each attempt is recorded as it ends.
        var running = run.Recorder.Start(start, recordNow: maxAttempts > 1);
        void AttemptStarted(int attempt, Exception? previous)
        {
            attempts = attempt;
            attemptStartedAt = DateTimeOffset.UtcNow;
            run.Progress.TaskChanged(new TaskProgress(key, attempt == 1 ? TaskState.Running : TaskState.Retrying, DateTimeOffset.UtcNow)
            {
                Attempt = attempt,
                MaxAttempts = maxAttempts,
                Detail = previous is null ? null : ErrorOf(previous),
            });
        }

        // Each attempt of a step that may retry is recorded as it ends, so its failed attempts and their errors stay readable.
        // Recording them never changes the step's outcome: a store that cannot take one is a warning.
        void AttemptEnded(int attempt, Exception? error)
        {
            if (maxAttempts == 1)
            {
                return;
            }

            var cancelled = error is OperationCanceledException && run.Cancellation.IsCancellationRequested;
            var outcome = error is null ? AttemptOutcome.Completed : cancelled ? AttemptOutcome.Cancelled : AttemptOutcome.Failed;
            try
            {
                _store.RecordAttempt(running.Id!.Value, new StepAttemptRecord(attempt, attemptStartedAt, DateTimeOffset.UtcNow, outcome,
                    error is null ? null : cancelled ? "cancelled" : Masked(ErrorOf(error))));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                run.Options.Output?.WriteLine($"warning: attempt {attempt} of '{key}' is not recorded ({FirstLine(e.Message)}); the step goes on");
            }
        }

        var metadata = new Execution.LoggedMetadata();
        try
        {
            var execution = new TaskExecution(run.Id, key, run.Pipeline, task, [.. inputs.Select(i => i.Value)], ArtifactInputs.Of(task, inputs.Select(i => (i.Record.InputName, i.Artifacts))))
            {
                Metadata = metadata,
                Store = _store,
                RegistryPins = pins.ToDictionary(p => p.Key, p => p.Value?.Artifact, StringComparer.Ordinal),
                LogLine = run.Options.Progress is { } progress ? line => progress.StepLog(key, line) : null,
                FollowLogs = run.Options.FollowLogs,
            };
            (results, logPath) = await StepRetries.ExecuteAsync(_executor, execution, Task.Delay, AttemptStarted, run.Cancellation, AttemptEnded).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var error = run.Cancellation.IsCancellationRequested && e is OperationCanceledException ? "cancelled" : ErrorOf(e);
            error += attempts > 1 && !run.Cancellation.IsCancellationRequested ? $" (all {attempts} attempts failed)" : "";
            error = Masked(error);
            run.Recorder.Finish(running, WithMetadata(new StepRunEnd(StepStatus.Failed, DateTimeOffset.UtcNow, error, records, []) { LogPath = (e as StepProcessFailedException)?.LogPath }, metadata));
            run.Report(key, TaskState.Failed, clock.Elapsed, error);
            return run.Add(new StepRunResult(key, task.Step.Name, StepStatus.Failed, clock.Elapsed, Empty, EmptyArtifacts, error, e) { Attempts = attempts });
        }

        try
        {
            var produced = new List<NewArtifact>(task.Step.Outputs.Count);
            var values = new StoredOutputs();
            for (var i = 0; i < task.Step.Outputs.Count; i++)
            {
                var output = task.Step.Outputs[i];
                var stored = _artifacts.Write(run.Id, key, output.Name, output.Codec, results[i]);
                var metadataJson = metadata.MergeInto(output.Name, stored.MetadataJson);
                produced.Add(new NewArtifact(output.Name, stored.Uri, output.Codec.KfpType, output.Codec.TypeName, stored.Size, stored.ContentHash, metadataJson, output.ArtifactName, output.Tags, output.PromotesTo));
                ArtifactInputs.AddValue(values, output, stored.Uri, metadataJson, results[i]);
            }

            var recorded = run.Recorder.Finish(running, WithMetadata(new StepRunEnd(StepStatus.Completed, DateTimeOffset.UtcNow, null, records, produced) { LogPath = logPath }, metadata));
            run.Report(key, TaskState.Done, clock.Elapsed);
            return run.Add(new StepRunResult(key, task.Step.Name, StepStatus.Completed, clock.Elapsed, values, recorded, null, null) { Attempts = attempts });
        }
        catch (Exception e) when (e is FormatException or IOException or InvalidCastException or UnauthorizedAccessException)
        {
            var error = Masked($"could not store the outputs: {FirstLine(e.Message)}");
            run.Recorder.Finish(running, new StepRunEnd(StepStatus.Failed, DateTimeOffset.UtcNow, error, records, []));
            run.Report(key, TaskState.Failed, clock.Elapsed, error);
            return run.Add(new StepRunResult(key, task.Step.Name, StepStatus.Failed, clock.Elapsed, Empty, EmptyArtifacts, error, e) { Attempts = attempts });
        }
    }

    /// <summary>What the step logged for its step run and its run, recorded with its end (its artifacts' metadata goes with them).</summary>
    private static StepRunEnd WithMetadata(StepRunEnd end, Execution.LoggedMetadata metadata) =>
        metadata.IsEmpty ? end : end with { StepMetadataJson = metadata.StepJson(), RunMetadataJson = metadata.RunJson() };

    /// <summary>
    /// A dry run's prediction for a task whose inputs are known: a cache hit keeps its cached outputs so the tasks after it
    /// are predicted too; a task that would run stops the tasks that take its outputs (their keys are not known yet).
    /// </summary>
    private StepRunResult Predict(RunState run, string key, PipelineTask task, List<ResolvedInput> inputs, CacheKey cacheKey, bool cacheAllowed, (CachedStepRun Entry, IReadOnlyDictionary<string, object?> Values)? hit)
    {
        Execution.StepArtifacts.DisposeInputs([.. inputs.Where(i => i.IsRead).Select(i => i.Value)]);
        var remote = _executor as RemoteCache;
        if (hit is { } reused)
        {
            var source = _store.GetStepRun(reused.Entry.StepRunId);
            var where = source is null ? "" : $" (run {source.RunId})";
            run.Predict(key, TaskForecast.Cached, remote is null
                ? $"same cache key as step run {reused.Entry.StepRunId}{where}, whose outputs still exist"
                : $"same cache key and image as {remote.Name} step run {reused.Entry.StepRunId}{where}, whose outputs {remote.Name} reuses");
            return run.Add(new StepRunResult(key, task.Step.Name, StepStatus.Cached, null, reused.Values, reused.Entry.Outputs, null, null));
        }

        var previous = PreviousStepRun(run.Pipeline.Name, key, remote);
        var reason = !cacheAllowed ? "caching is off for it (EnableCache = false on the step or pipeline, or --no-cache)"
            : previous?.CacheKeyParts is null ? remote is null ? "no earlier run of it in this pipeline to reuse" : $"no earlier {remote.Name} run of it recorded its cache key (steps record it when the stack's store is a server)"
            : CacheExplanation.Compare(previous.CacheKeyParts, cacheKey.PartsJson) switch
            {
                [] => $"same cache key as step run {previous.Id} (run {previous.RunId}), but its outputs are gone",
                var changes => "its cache key changed: " + string.Join("; ", CacheExplanation.WithValues(changes, CachedInputValues.Of(_store, previous), InputValues(task, inputs)).Select(c => c.Description)),
            };
        run.Predict(key, TaskForecast.Runs, reason);
        return run.Add(new StepRunResult(key, task.Step.Name, StepStatus.NotRun, null, Empty, EmptyArtifacts, reason, null));
    }

    /// <summary>
    /// The latest earlier step run of the task to explain a miss with: for a remote cache, the latest one its containers recorded
    /// (whose key has an image), since this machine's runs were never candidates there.
    /// </summary>
    private StepRunRecord? PreviousStepRun(string pipeline, string key, RemoteCache? remote)
    {
        var previous = _store.FindPreviousStepRun(pipeline, key, long.MaxValue);
        // Bounded: a task with that many local runs since its last remote one is explained by "no earlier run".
        for (var hops = 0; remote is not null && previous is not null && !HasImage(previous.CacheKeyParts) && hops < 50; hops++)
        {
            previous = _store.FindPreviousStepRun(pipeline, key, previous.Id);
        }

        return remote is not null && !HasImage(previous?.CacheKeyParts) ? null : previous;
    }

    private static bool HasImage(string? cacheKeyParts) =>
        cacheKeyParts is not null && cacheKeyParts.Contains("\"image\":", StringComparison.Ordinal);

    /// <summary>The JSON of each parameter-typed input value, as explanations show them.</summary>
    private static Dictionary<string, string> InputValues(PipelineTask task, List<ResolvedInput> inputs)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < inputs.Count; i++)
        {
            if (task.Step.Inputs[i].Codec is Values.ParameterCodec codec && inputs[i].Value is var value)
            {
                values[inputs[i].Record.InputName] = Encoding.UTF8.GetString(codec.ToBytes(value));
            }
        }

        return values;
    }

    private (CachedStepRun Entry, IReadOnlyDictionary<string, object?> Values)? TryReuse(string pipeline, PipelineTask task, CacheKey cacheKey)
    {
        var entry = _store.FindCachedStepRun(pipeline, cacheKey.Key);
        if (entry is null || task.Step.Outputs.Any(o => !entry.Outputs.TryGetValue(o.Name, out var a) || !LocalArtifactStore.Exists(a.Uri)))
        {
            return null;
        }

        // Read when asked for: the tasks after a hit need only the stored hashes, unless they run.
        var values = new StoredOutputs();
        foreach (var output in task.Step.Outputs)
        {
            var stored = entry.Outputs[output.Name];
            values.AddUnread(output.Name, () => LocalArtifactStore.Read(stored.Uri, output.Codec, stored.MetadataJson));
        }

        return (entry, values);
    }

    /// <summary>
    /// A remote cache's entry for <paramref name="cacheKey"/>: the orchestrator reuses it whether or not its files remain, and
    /// only parameter outputs are read (conditions and loops after it may need them); artifacts stay unread, remote as they are.
    /// </summary>
    private async Task<(CachedStepRun Entry, IReadOnlyDictionary<string, object?> Values)?> TryReuseRemoteAsync(string pipeline, PipelineTask task, CacheKey cacheKey, CancellationToken cancellationToken)
    {
        var entry = _store.FindCachedStepRun(pipeline, cacheKey.Key);
        if (entry is null || task.Step.Outputs.Any(o => !entry.Outputs.ContainsKey(o.Name)))
        {
            return null;
        }

        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var output in task.Step.Outputs)
        {
            values[output.Name] = null;
            if (output.Codec is Values.ParameterCodec)
            {
                try
                {
                    await using var content = await ArtifactUris.OpenReadAsync(entry.Outputs[output.Name].Uri, cancellationToken).ConfigureAwait(false);
                    values[output.Name] = output.Codec.ReadFrom(content);
                }
                catch (FileNotFoundException)
                {
                    // Its copy is gone, but the orchestrator keeps the value itself and still reuses it; only a condition on it is unknown.
                }
            }
        }

        return (entry, values);
    }

    private static string FirstLine(string message) => Execution.StepMode.FirstLine(message);

    /// <summary>A failed attempt in one line: a step process's own error, else the exception's type and first line.</summary>
    private static string ErrorOf(Exception e) => e is StepProcessFailedException or Execution.StepTimedOutException ? e.Message : $"{e.GetType().Name}: {FirstLine(e.Message)}";

    private string Masked(string error) => Mask is null ? error : Mask.Apply(error);

    private static readonly IReadOnlyDictionary<string, object?> Empty = new Dictionary<string, object?>();
    private static readonly IReadOnlyDictionary<string, ArtifactRecord> EmptyArtifacts = new Dictionary<string, ArtifactRecord>();

    private sealed class RunState
    {
        // Each parameter's value, canonical JSON and hash, computed once for the run.
        private readonly Dictionary<string, (object? Value, string Hash)> _parameters = new(StringComparer.Ordinal);
        private readonly Dictionary<string, byte[]> _parameterJson = new(StringComparer.Ordinal);

        public RunState(PipelineDescriptor pipeline, Dictionary<string, object?> parameters, RunOptions options, CancellationToken cancellation)
        {
            Pipeline = pipeline;
            Options = options;
            Cancellation = cancellation;
            Id = $"{pipeline.Name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
            Slots = new SemaphoreSlim(Math.Max(1, options.MaxParallelism ?? Environment.ProcessorCount));
            foreach (var parameter in pipeline.Parameters)
            {
                var value = parameters[parameter.Name];
                var bytes = parameter.Codec.ToBytes(value);
                _parameters[parameter.Name] = (value, ContentHash.Of(bytes));
                _parameterJson[parameter.Name] = bytes;
            }
        }

        public string Id { get; }
        public PipelineDescriptor Pipeline { get; }
        public RunOptions Options { get; }
        public CancellationToken Cancellation { get; }
        public SemaphoreSlim Slots { get; }

        public IRunProgress Progress => Options.Progress ?? NoRunProgress.Instance;

        /// <summary>Records the run's step runs; unused by a dry run.</summary>
        public StepRunRecorder Recorder { get; init; } = null!;

        /// <summary>The predictions of a dry run (<see cref="PlanAsync"/>); null when the run is real.</summary>
        public List<TaskPrediction>? Plan { get; init; }

        /// <summary>The remote cache a dry run predicts; null for this machine's.</summary>
        public RemoteCache? Remote { get; init; }

        public void Predict(string taskKey, TaskForecast forecast, string reason)
        {
            lock (Plan!)
            {
                Plan.Add(new TaskPrediction(taskKey, forecast, reason));
            }
        }

        public void Report(string taskKey, TaskState state, TimeSpan? duration = null, string? detail = null) =>
            Progress.TaskChanged(new TaskProgress(taskKey, state, DateTimeOffset.UtcNow) { Duration = duration, Detail = detail });

        private readonly List<StepRunResult> _steps = [];

        /// <summary>The pipeline's parameters: value and hash by name.</summary>
        public IReadOnlyDictionary<string, (object? Value, string Hash)> Parameters => _parameters;

        /// <summary>Every task result so far, in the order the tasks ended.</summary>
        public IReadOnlyList<StepRunResult> Steps()
        {
            lock (_steps)
            {
                return [.. _steps];
            }
        }

        /// <summary>Calls of other pipelines that returned a value, for the typed run result.</summary>
        public List<StepRunResult> Calls { get; } = [];

        /// <summary>Blocks that failed without a failed step (a condition that could not be evaluated, ...).</summary>
        public System.Collections.Concurrent.ConcurrentBag<string> Failures { get; } = [];

        public StepRunResult AddCall(StepRunResult call)
        {
            lock (_steps)
            {
                Calls.Add(call);
            }

            return call;
        }

        public StepRunResult Add(StepRunResult step)
        {
            lock (_steps)
            {
                _steps.Add(step);
            }

            return step;
        }

        public bool CacheAllowed(PipelineTask task) => task.EnableCache && Options.EnableCache != false;

        public string ParametersJson() => ParameterValues.ToJson(Pipeline, name => _parameterJson[name]);
    }
}
