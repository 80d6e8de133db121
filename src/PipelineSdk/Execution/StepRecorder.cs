using System.Text;
using PipelineSdk.Artifacts;
using PipelineSdk.Caching;
using PipelineSdk.Descriptors;
using PipelineSdk.Store;
using PipelineSdk.Values;

namespace PipelineSdk.Execution;

/// <summary>
/// Records one step to the store while it runs (see <see cref="LiveRecording"/>): the run if nobody recorded it yet (a
/// scheduled run), the step run once its inputs are read (with its cache key), and when it ends its status, the inputs it
/// consumed, its outputs and its log. Recording never fails the step: a problem is one warning on standard error, and
/// recording stops.
/// </summary>
internal sealed class StepRecorder : IDisposable
{
    /// <summary>The file beside the ExecutorOutput that keeps the step's log.</summary>
    public const string LogFileName = "pipelinesdk-step.log";

    /// <summary>The folder beside the ExecutorOutput that keeps output parameter values as the store records them.</summary>
    public const string ValuesFolderName = "pipelinesdk-values";

    private readonly MetadataStore _store;
    private readonly TextWriter _error;
    private readonly string _runId;
    private readonly PipelineTask? _task;
    private readonly StepDescriptor _step;
    private long? _stepRunId;
    private bool _started;
    private List<StepInputRecord>? _inputs;
    private DateTimeOffset _startedAt;

    private StepRecorder(MetadataStore store, TextWriter error, string runId, string taskKey, PipelineTask? task, StepDescriptor step)
    {
        _store = store;
        _error = error;
        _runId = runId;
        TaskKey = taskKey;
        _task = task;
        _step = step;
    }

    /// <summary>The task key the step run is recorded under.</summary>
    public string TaskKey { get; }

    /// <summary>The run the step belongs to.</summary>
    public string RunId => _runId;

    /// <summary>
    /// Opens the store and records the run if nobody did yet, when the command line names the run and the task; null when it
    /// does not, or when the store cannot be reached (after a warning). The step run itself is recorded by
    /// <see cref="InputsRead"/>, once its cache key is known.
    /// </summary>
    public static async Task<StepRecorder?> StartAsync(PipelineDescriptor pipeline, StepDescriptor step, string? runResourceName, string? taskName, string? taskId, TextWriter error, CancellationToken cancellationToken)
    {
        if (LiveRecording.RunIdOf(runResourceName) is not { } runId || string.IsNullOrWhiteSpace(taskName) || taskName.Contains("{{", StringComparison.Ordinal))
        {
            return null;
        }

        var taskKey = TaskKeyOf(pipeline, taskName);
        var task = pipeline.FindTask(taskKey);
        // Every iteration of a loop has the task's name: its id keeps their records apart.
        var recordedKey = task is not null && pipeline.RunsInLoop(task) && !string.IsNullOrWhiteSpace(taskId) && !taskId.Contains("{{", StringComparison.Ordinal)
            ? $"{taskKey}[{taskId}]"
            : taskKey;
        MetadataStore? store = null;
        try
        {
            store = await LiveRecording.OpenStoreAsync(cancellationToken).ConfigureAwait(false);
            var recorder = new StepRecorder(store, error, runId, recordedKey, task, step);
            // A run submitted by us exists already (this leaves it as it is); a scheduled run is recorded by its first step, in
            // the pipeline's experiment.
            store.CreateRun(runId, pipeline.Name, DateTimeOffset.UtcNow, "{}", Environment.GetEnvironmentVariable(LiveRecording.OrchestratorVariable) is { Length: > 0 } flavor ? flavor : "vertex",
                NullIfEmpty(Environment.GetEnvironmentVariable(LiveRecording.StackVariable)), experiment: pipeline.Experiment);
            return recorder;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            store?.Dispose();
            Warn(error, taskKey, e);
            return null;
        }
    }

    /// <summary>
    /// Records that the step started, with the inputs it read and its cache key: the one this machine would compute, with the
    /// container's image (<see cref="LiveRecording.ImageVariable"/>) as a part, so a dry run can predict the orchestrator's cache.
    /// </summary>
    public void InputsRead(ExecutorInput input, object?[] arguments) => Begin(input, arguments);

    /// <summary>Records that the step completed, with what it consumed and produced, and its log.</summary>
    public void Completed(ExecutorInput input, object?[] arguments, object?[] results, StepLog? log, LoggedMetadata? metadata = null) =>
        Finish(StepStatus.Completed, null, input, arguments, results, log, metadata);

    /// <summary>Records that the step failed with <paramref name="error"/>, with its log and what it logged before it failed.</summary>
    public void Failed(string error, ExecutorInput? input, object?[]? arguments, StepLog? log, LoggedMetadata? metadata = null) =>
        Finish(StepStatus.Failed, error, input, arguments, null, log, metadata);

    /// <inheritdoc />
    public void Dispose() => _store.Dispose();

    private void Begin(ExecutorInput? input, object?[]? arguments)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        try
        {
            _inputs = input is null || arguments is null ? null : Inputs(input, arguments);
            var image = NullIfEmpty(Environment.GetEnvironmentVariable(LiveRecording.ImageVariable));
            // Without its image the key would look like this machine's, and a local run could take this step run for its own.
            var key = _inputs is null || _task is null || image is null ? null
                : CacheKey.Compute(_task, [.. _inputs.Select(i => KeyValuePair.Create(i.InputName, i.ContentHash))], image);
            _startedAt = DateTimeOffset.UtcNow;
            // A step with a retry policy may be this container's second try: then its failed step run runs again.
            _stepRunId = _store.StartStepRun(_runId, TaskKey, _step.Name, _startedAt, key?.Key, key?.PartsJson, _task?.DependsOn, nextAttempt: _step.Settings.Retry is not null);
        }
        catch (Exception e)
        {
            Warn(_error, TaskKey, e);
        }
    }

    private void Finish(StepStatus status, string? error, ExecutorInput? input, object?[]? arguments, object?[]? results, StepLog? log, LoggedMetadata? metadata)
    {
        Begin(input, arguments);
        if (_stepRunId is not { } stepRunId)
        {
            return;
        }

        try
        {
            var inputs = _inputs ?? (input is null || arguments is null ? [] : Inputs(input, arguments));
            var outputs = input is null || results is null ? [] : Outputs(input, results);
            var logUri = input is null || log is null ? null : WriteBeside(input, LogFileName, Encoding.UTF8.GetBytes(log.ToString()));
            var endedAt = DateTimeOffset.UtcNow;
            if (metadata is { IsEmpty: false })
            {
                _store.LogStepRunMetadata(stepRunId, metadata.StepJson());
                _store.LogRunMetadata(_runId, metadata.RunJson(), stepRunId);
            }

            _store.FinishStepRun(stepRunId, status, endedAt, error, inputs, outputs, logPath: logUri);
            if (_step.Settings.Retry is not null)
            {
                // The orchestrator retries this container without saying which attempt it is: the next one recorded.
                _store.RecordAttempt(stepRunId, new StepAttemptRecord(_store.GetAttempts(stepRunId).Count + 1, _startedAt, endedAt,
                    status == StepStatus.Completed ? AttemptOutcome.Completed : AttemptOutcome.Failed, error));
            }
        }
        catch (Exception e)
        {
            Warn(_error, TaskKey, e);
        }
        finally
        {
            _stepRunId = null;
        }
    }

    private List<StepInputRecord> Inputs(ExecutorInput input, object?[] arguments)
    {
        var records = new List<StepInputRecord>(_step.Inputs.Count);
        IReadOnlyList<StepRunRecord>? recorded = null;
        for (var i = 0; i < _step.Inputs.Count; i++)
        {
            var port = _step.Inputs[i];
            var binding = _task?.Inputs.FirstOrDefault(b => b.InputName == port.Name);
            long? artifactId = null;
            if (binding is TaskOutputBinding fromTask)
            {
                // The producer reported live too: link to its recorded output, as a local run's lineage does.
                recorded ??= _store.GetStepRuns(_runId);
                artifactId = recorded.LastOrDefault(s => s.TaskKey == fromTask.ProducerTask) is { } producer
                    && _store.GetOutputs(producer.Id).TryGetValue(fromTask.OutputName, out var artifact) ? artifact.Id : null;
            }

            var hash = port.Codec is ParameterCodec parameter
                ? binding is CollectedBinding ? CollectedHash(parameter, arguments[i]) : ContentHash.Of(parameter.ToBytes(arguments[i]))
                : ArtifactHash(input.InputArtifactLists.GetValueOrDefault(port.Name) ?? [], binding is CollectedBinding);
            records.Add(new StepInputRecord(port.Name, SourceOf(binding), artifactId, hash));
        }

        return records;
    }

    private List<NewArtifact> Outputs(ExecutorInput input, object?[] results)
    {
        var outputs = new List<NewArtifact>(_step.Outputs.Count);
        for (var i = 0; i < _step.Outputs.Count; i++)
        {
            var port = _step.Outputs[i];
            if (port.Codec is ParameterCodec parameter)
            {
                // Vertex AI keeps output parameters in its metadata only; a copy beside the task's outputs gives the record a URI.
                var bytes = parameter.ToBytes(results[i]);
                var uri = WriteBeside(input, Path.Combine(ValuesFolderName, port.Name), bytes);
                outputs.Add(new NewArtifact(port.Name, uri, parameter.KfpType, parameter.TypeName, bytes.Length, ContentHash.Of(bytes), Name: port.ArtifactName, Tags: port.Tags, PromotesTo: port.PromotesTo));
            }
            else if (input.OutputArtifacts.TryGetValue(port.Name, out var artifact))
            {
                var path = GcsMount.LocalPath(artifact.Uri);
                outputs.Add(new NewArtifact(port.Name, artifact.Uri, port.Codec.KfpType, port.Codec.TypeName, ArtifactFiles.Size(path), ArtifactFiles.Hash(path), MetadataOf(input, port.Name), port.ArtifactName, port.Tags, port.PromotesTo));
            }
        }

        return outputs;
    }

    /// <summary>The metadata the step wrote for an output artifact into the ExecutorOutput.</summary>
    private static string MetadataOf(ExecutorInput input, string outputName)
    {
        var file = GcsMount.MapPath(input.OutputFile);
        if (!File.Exists(file))
        {
            return "{}";
        }

        using var output = System.Text.Json.JsonDocument.Parse(File.ReadAllText(file));
        return output.RootElement.TryGetProperty("artifacts", out var artifacts) && artifacts.TryGetProperty(outputName, out var entry)
            && entry.GetProperty("artifacts")[0].TryGetProperty("metadata", out var metadata) ? metadata.GetRawText() : "{}";
    }

    // A collected list is hashed as the orchestrator on this machine hashes it (its items' hashes joined), so the keys agree.
    private static string ArtifactHash(IReadOnlyList<RuntimeArtifact> artifacts, bool collected)
    {
        var hashes = artifacts.Select(a => GcsMount.LocalPath(a.Uri)).Select(p => ArtifactFiles.Exists(p) ? ArtifactFiles.Hash(p) : "").ToList();
        return hashes.Count == 1 && !collected ? hashes[0] : Combined(hashes);
    }

    private static string CollectedHash(ParameterCodec codec, object? list)
    {
        using var items = System.Text.Json.JsonDocument.Parse(codec.ToBytes(list));
        return items.RootElement.ValueKind == System.Text.Json.JsonValueKind.Array
            ? Combined([.. items.RootElement.EnumerateArray().Select(item => ContentHash.Of(Encoding.UTF8.GetBytes(item.GetRawText())))])
            : ContentHash.Of(codec.ToBytes(list));
    }

    private static string Combined(IReadOnlyList<string> hashes) => ContentHash.Of(Encoding.UTF8.GetBytes(string.Join(",", hashes)));

    /// <summary>Writes a file in the task's output folder (beside the ExecutorOutput) and returns its URI.</summary>
    private static string WriteBeside(ExecutorInput input, string relativePath, byte[] content)
    {
        var path = Path.Combine(Path.GetDirectoryName(input.OutputFile)!, relativePath);
        var local = GcsMount.MapPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(local)!);
        File.WriteAllBytes(local, content);
        return GcsMount.UriOf(path);
    }

    private static string SourceOf(InputBinding? binding) => binding switch
    {
        TaskOutputBinding or OneOfBinding => "task", // a OneOf is the output of the task of the branch that ran, as recorded locally
        PipelineParameterBinding => "parameter",
        ConstantBinding => "constant",
        LoopItemBinding => "loop-item",
        CollectedBinding => "collected",
        FinalStatusBinding => "final-status",
        _ => "input",
    };

    /// <summary>The task key of the task Vertex AI calls <paramref name="taskName"/> (its display name, or its key).</summary>
    private static string TaskKeyOf(PipelineDescriptor pipeline, string taskName) =>
        Launcher.ReadTaskNames(pipeline.SpecJson).FirstOrDefault(t => t.Value == taskName).Key ?? taskName;

    private static void Warn(TextWriter error, string taskKey, Exception e) =>
        error.WriteLine($"warning: task '{taskKey}' is not recorded live ({(e is Stacks.StackException ? e.Message : $"{e.GetType().Name}: {StepMode.FirstLine(e.Message)}")}); the step itself goes on");

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
