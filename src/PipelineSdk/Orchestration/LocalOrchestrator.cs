using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PipelineSdk.Artifacts;
using PipelineSdk.Caching;
using PipelineSdk.Model;
using PipelineSdk.Store;

namespace PipelineSdk.Orchestration;

/// <summary>
/// Runs a pipeline on this machine: each task starts once the tasks it depends on have finished, independent
/// tasks run in parallel (bounded), outputs are stored as artifacts with lineage, and a task whose cache key
/// matches a completed earlier step run of the same pipeline reuses that run's outputs instead of running.
/// A failed task stops only the tasks that depend on it; the run is then marked failed. How a task is
/// executed — a call in this process, or a child process under the executor contract — is the executor's.
/// </summary>
public sealed class LocalOrchestrator
{
    private readonly MetadataStore store;
    private readonly LocalArtifactStore artifacts;
    private readonly ITaskExecutor executor;

    /// <summary>Creates an orchestrator that calls steps in this process (the <c>local</c> flavor).</summary>
    public LocalOrchestrator(MetadataStore store, LocalArtifactStore artifacts)
        : this(store, artifacts, new InProcessTaskExecutor())
    {
    }

    internal LocalOrchestrator(MetadataStore store, LocalArtifactStore artifacts, ITaskExecutor executor)
    {
        this.store = store;
        this.artifacts = artifacts;
        this.executor = executor;
    }

    /// <summary>Runs <paramref name="pipeline"/> with parameter values already converted to their .NET types.</summary>
    /// <exception cref="ArgumentException">A parameter is unknown, missing, or of the wrong type.</exception>
    public async Task<PipelineRunResult> RunAsync(
        PipelineDescriptor pipeline,
        IReadOnlyDictionary<string, object?> parameters,
        RunOptions options,
        string? stackName = null,
        CancellationToken cancellationToken = default)
    {
        var run = new RunState(pipeline, ParameterValues.Resolve(pipeline, parameters), options, cancellationToken);
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        store.CreateRun(run.Id, pipeline.Name, started, run.ParametersJson(), executor.Flavor, stackName);

        var outcomes = new Dictionary<string, Task<StepRunResult>>(StringComparer.Ordinal);
        foreach (var task in pipeline.Tasks)
        {
            var upstream = task.DependsOn.Select(key => outcomes[key]).ToArray();
            outcomes[task.Key] = RunTaskAsync(run, task, upstream);
        }

        StepRunResult[] steps;
        try
        {
            steps = await Task.WhenAll(outcomes.Values).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Never leave a run "running": record why it stopped, then let the caller see the error.
            store.EndRun(run.Id, RunStatus.Failed, DateTimeOffset.UtcNow, $"{e.GetType().Name}: {FirstLine(e.Message)}");
            throw;
        }

        var status = cancellationToken.IsCancellationRequested ? RunStatus.Cancelled
            : steps.All(s => s.Succeeded) ? RunStatus.Completed
            : RunStatus.Failed;
        var error = status switch
        {
            RunStatus.Cancelled => "cancelled",
            RunStatus.Failed => "failed: " + string.Join(", ", steps.Where(s => s.Status == StepStatus.Failed).Select(s => s.TaskKey)),
            _ => null,
        };
        store.EndRun(run.Id, status, DateTimeOffset.UtcNow, error);
        return new PipelineRunResult(run.Id, pipeline.Name, status, clock.Elapsed, store.Directory, artifacts.RunDirectory(run.Id), steps);
    }

    private async Task<StepRunResult> RunTaskAsync(RunState run, PipelineTask task, Task<StepRunResult>[] upstream)
    {
        var upstreamResults = await Task.WhenAll(upstream).ConfigureAwait(false);
        var blocker = upstreamResults.FirstOrDefault(u => !u.Succeeded);
        if (blocker is not null || run.Cancellation.IsCancellationRequested)
        {
            var reason = blocker is null ? "run cancelled" : $"upstream task '{blocker.TaskKey}' {(blocker.Status == StepStatus.Failed ? "failed" : "did not run")}";
            store.RecordNotRun(run.Id, task.Key, task.Step.Name, reason, task.DependsOn);
            return NotRun(task, reason);
        }

        await run.Slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            return await ExecuteAsync(run, task, upstreamResults).ConfigureAwait(false);
        }
        finally
        {
            run.Slots.Release();
        }
    }

    private async Task<StepRunResult> ExecuteAsync(RunState run, PipelineTask task, StepRunResult[] upstream)
    {
        var clock = Stopwatch.StartNew();
        var inputs = ResolveInputs(run, task, upstream);
        var cacheKey = CacheKey.Compute(task, inputs.Select(i => KeyValuePair.Create(i.Record.InputName, i.Record.ContentHash)).ToList());
        var startedAt = DateTimeOffset.UtcNow;

        var cacheAllowed = run.CacheAllowed(task);
        if (cacheAllowed && TryReuse(run.Pipeline.Name, task, cacheKey) is { } hit)
        {
            Execution.StepArtifacts.DisposeInputs([.. inputs.Select(i => i.Value)]);
            var cachedRunId = store.StartStepRun(run.Id, task.Key, task.Step.Name, startedAt, cacheKey.Key, cacheKey.PartsJson, task.DependsOn, cacheAllowed);
            var reused = store.FinishStepRun(cachedRunId, StepStatus.Cached, DateTimeOffset.UtcNow, null, [.. inputs.Select(i => i.Record)], [], hit.Entry);
            return new StepRunResult(task.Key, task.Step.Name, StepStatus.Cached, clock.Elapsed, hit.Values, reused, null, null);
        }

        var stepRunId = store.StartStepRun(run.Id, task.Key, task.Step.Name, startedAt, cacheKey.Key, cacheKey.PartsJson, task.DependsOn, cacheAllowed);
        object?[] results;
        string? logPath;
        try
        {
            var execution = new TaskExecution(run.Id, run.Pipeline, task, [.. inputs.Select(i => i.Value)], ArtifactInputs.Of(task, inputs.Select(i => (i.Record.InputName, i.Artifact))));
            (results, logPath) = await executor.ExecuteAsync(execution, run.Cancellation).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var error = e switch
            {
                OperationCanceledException when run.Cancellation.IsCancellationRequested => "cancelled",
                StepProcessFailedException failed => failed.Message,
                _ => $"{e.GetType().Name}: {FirstLine(e.Message)}",
            };
            store.FinishStepRun(stepRunId, StepStatus.Failed, DateTimeOffset.UtcNow, error, [.. inputs.Select(i => i.Record)], [], logPath: (e as StepProcessFailedException)?.LogPath);
            return new StepRunResult(task.Key, task.Step.Name, StepStatus.Failed, clock.Elapsed, Empty, EmptyArtifacts, error, e);
        }

        try
        {
            var produced = new List<NewArtifact>(task.Step.Outputs.Count);
            var values = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < task.Step.Outputs.Count; i++)
            {
                var output = task.Step.Outputs[i];
                var stored = artifacts.Write(run.Id, task.Key, output.Name, output.Codec, results[i]);
                produced.Add(new NewArtifact(output.Name, stored.Uri, output.Codec.KfpType, output.Codec.TypeName, stored.Size, stored.ContentHash, stored.MetadataJson));
                values[output.Name] = ArtifactInputs.ValueOf(output.Codec, stored.Uri, stored.MetadataJson, results[i]);
            }

            var recorded = store.FinishStepRun(stepRunId, StepStatus.Completed, DateTimeOffset.UtcNow, null, [.. inputs.Select(i => i.Record)], produced, logPath: logPath);
            return new StepRunResult(task.Key, task.Step.Name, StepStatus.Completed, clock.Elapsed, values, recorded, null, null);
        }
        catch (Exception e) when (e is FormatException or IOException or InvalidCastException or UnauthorizedAccessException)
        {
            var error = $"could not store the outputs: {FirstLine(e.Message)}";
            store.FinishStepRun(stepRunId, StepStatus.Failed, DateTimeOffset.UtcNow, error, [.. inputs.Select(i => i.Record)], []);
            return new StepRunResult(task.Key, task.Step.Name, StepStatus.Failed, clock.Elapsed, Empty, EmptyArtifacts, error, e);
        }
    }

    private (CachedStepRun Entry, Dictionary<string, object?> Values)? TryReuse(string pipeline, PipelineTask task, CacheKey cacheKey)
    {
        var entry = store.FindCachedStepRun(pipeline, cacheKey.Key);
        if (entry is null || task.Step.Outputs.Any(o => !entry.Outputs.TryGetValue(o.Name, out var a) || !LocalArtifactStore.Exists(a.Uri)))
        {
            return null;
        }

        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        try
        {
            foreach (var output in task.Step.Outputs)
            {
                values[output.Name] = LocalArtifactStore.Read(entry.Outputs[output.Name].Uri, output.Codec, entry.Outputs[output.Name].MetadataJson);
            }
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            // A cached output that cannot be read back (damaged, unreadable) is a miss: the step runs again.
            return null;
        }

        return (entry, values);
    }

    private static List<ResolvedInput> ResolveInputs(RunState run, PipelineTask task, StepRunResult[] upstream)
    {
        var resolved = new List<ResolvedInput>(task.Inputs.Count);
        for (var i = 0; i < task.Inputs.Count; i++)
        {
            var codec = task.Step.Inputs[i].Codec;
            switch (task.Inputs[i])
            {
                case TaskOutputBinding fromTask:
                    var producer = upstream.First(u => u.TaskKey == fromTask.ProducerTask);
                    var artifact = producer.Artifacts[fromTask.OutputName];
                    resolved.Add(new ResolvedInput(ArtifactInputs.ValueOf(codec, artifact.Uri, artifact.MetadataJson, producer.Outputs[fromTask.OutputName]), new StepInputRecord(fromTask.InputName, "task", artifact.Id, artifact.ContentHash), artifact));
                    break;
                case PipelineParameterBinding fromParameter:
                    var (value, hash) = run.Parameter(fromParameter.ParameterName);
                    resolved.Add(new ResolvedInput(value, new StepInputRecord(fromParameter.InputName, "parameter", null, hash)));
                    break;
                case ConstantBinding constant:
                    var bytes = Encoding.UTF8.GetBytes(constant.Json);
                    var constantValue = codec.FromBytes(bytes);
                    resolved.Add(new ResolvedInput(constantValue, new StepInputRecord(constant.InputName, "constant", null, ContentHash.Of(codec.ToBytes(constantValue)))));
                    break;
            }
        }

        return resolved;
    }

    private static StepRunResult NotRun(PipelineTask task, string reason) =>
        new(task.Key, task.Step.Name, StepStatus.NotRun, null, Empty, EmptyArtifacts, reason, null);

    private static string FirstLine(string message) => Execution.StepMode.FirstLine(message);

    private static readonly IReadOnlyDictionary<string, object?> Empty = new Dictionary<string, object?>();
    private static readonly IReadOnlyDictionary<string, ArtifactRecord> EmptyArtifacts = new Dictionary<string, ArtifactRecord>();

    private sealed record ResolvedInput(object? Value, StepInputRecord Record, ArtifactRecord? Artifact = null);

    private sealed class RunState
    {
        private readonly Dictionary<string, (object? Value, string Hash)> _parameters = new(StringComparer.Ordinal);

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
            }
        }

        public string Id { get; }
        public PipelineDescriptor Pipeline { get; }
        public RunOptions Options { get; }
        public CancellationToken Cancellation { get; }
        public SemaphoreSlim Slots { get; }

        public (object? Value, string Hash) Parameter(string name) => _parameters[name];

        public bool CacheAllowed(PipelineTask task) => task.EnableCache && Options.EnableCache != false;

        public string ParametersJson() => ParameterValues.ToJson(Pipeline, _parameters.ToDictionary(p => p.Key, p => p.Value.Value));
    }
}
