using System.Diagnostics;
using PipelineSdk.Artifacts;
using PipelineSdk.Caching;
using PipelineSdk.Descriptors;
using PipelineSdk.Store;
using PipelineSdk.Values;

namespace PipelineSdk.Orchestration;

/// <summary>
/// Importer tasks (<see cref="Importer.Import"/>): no step runs; the artifact at the task's URI becomes its output, read
/// where it is (a local path) or through the artifact store's client (<c>gs://</c>). As Kubeflow does with
/// <c>reimport: false</c>, a URI imported before with the same content, type and metadata is that artifact again: the task
/// is recorded as cached, reusing the earlier record. The content is hashed on every run, so the steps that take it rerun
/// when it changed.
/// </summary>
public sealed partial class LocalOrchestrator
{
    private async Task<StepRunResult> ImportAsync(Frame frame, PipelineTask task, ImporterSettings importer)
    {
        var run = frame.Run;
        var key = frame.DisplayKey(task.Key);
        var clock = Stopwatch.StartNew();
        var input = Resolve(frame, task.Inputs[0], task.Step.Inputs[0].Codec);
        var output = task.Step.Outputs[0];
        var startedAt = DateTimeOffset.UtcNow;
        if (run.Plan is not null && run.Remote is { } remote)
        {
            var reason = $"an importer: {remote.Name} imports the URI when the run starts";
            run.Predict(key, TaskForecast.Runs, reason);
            return run.Add(new StepRunResult(key, task.Step.Name, StepStatus.NotRun, null, Empty, EmptyArtifacts, reason, null));
        }

        if (run.Plan is null)
        {
            run.Progress.TaskChanged(new TaskProgress(key, TaskState.Running, DateTimeOffset.UtcNow) { Attempt = 1, MaxAttempts = 1 });
        }

        ImportedContent content;
        try
        {
            content = await ArtifactImports.LocateAsync(input.Value as string ?? "", _store.Directory, run.Cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ImportFailedException or OperationCanceledException)
        {
            var error = Masked(e is OperationCanceledException ? "cancelled" : e.Message);
            if (run.Plan is not null)
            {
                run.Predict(key, TaskForecast.Runs, error);
                return run.Add(new StepRunResult(key, task.Step.Name, StepStatus.NotRun, null, Empty, EmptyArtifacts, error, null));
            }

            run.Recorder.Record(new StepRunStart(run.Id, key, task.Step.Name, startedAt, DependsOn: task.DependsOn, CacheEnabled: false),
                new StepRunEnd(StepStatus.Failed, DateTimeOffset.UtcNow, error, [input.Record], []));
            run.Report(key, TaskState.Failed, clock.Elapsed, error);
            return run.Add(new StepRunResult(key, task.Step.Name, StepStatus.Failed, clock.Elapsed, Empty, EmptyArtifacts, error, e));
        }

        var value = ((ArtifactCodec)output.Codec).Read(new ArtifactContent(content.Path, content.Uri, importer.MetadataJson));
        var values = new Dictionary<string, object?>(StringComparer.Ordinal) { [output.Name] = value };
        var cacheKey = CacheKey.Compute(task, [KeyValuePair.Create(input.Record.InputName, input.Record.ContentHash), KeyValuePair.Create("content", content.ContentHash)]);
        var reuse = !importer.Reimport && run.CacheAllowed(task);
        var earlier = reuse ? _store.FindCachedStepRun(run.Pipeline.Name, cacheKey.Key) : null;
        if (earlier is not null && (!earlier.Outputs.TryGetValue(output.Name, out var record) || record.Uri != content.Uri))
        {
            earlier = null;
        }

        if (run.Plan is not null)
        {
            run.Predict(key, earlier is null ? TaskForecast.Runs : TaskForecast.Cached, earlier is null
                ? $"imports {content.Uri} as a new artifact ({(importer.Reimport ? "reimport is on" : reuse ? "not imported before with this content" : "caching is off for it")})"
                : $"{content.Uri} with this content was imported by step run {earlier.StepRunId}; its artifact is reused");
            // Its content is known now, so the steps after it are predicted as well: they see the artifact a run would record.
            var predicted = earlier?.Outputs ?? new Dictionary<string, ArtifactRecord>(StringComparer.Ordinal)
            {
                [output.Name] = new(0, content.Uri, output.Codec.KfpType, output.Codec.TypeName, content.Size, content.ContentHash, 0, output.Name, importer.MetadataJson),
            };
            return run.Add(new StepRunResult(key, task.Step.Name, StepStatus.Cached, null, values, predicted, null, null));
        }

        StepInputRecord[] inputs = [input.Record];
        var start = new StepRunStart(run.Id, key, task.Step.Name, startedAt, cacheKey.Key, cacheKey.PartsJson, task.DependsOn, reuse);
        if (earlier is not null)
        {
            var reused = run.Recorder.Record(start, new StepRunEnd(StepStatus.Cached, DateTimeOffset.UtcNow, null, inputs, []) { ReusedFrom = earlier });
            run.Report(key, TaskState.Cached, clock.Elapsed);
            return run.Add(new StepRunResult(key, task.Step.Name, StepStatus.Cached, clock.Elapsed, values, reused, null, null));
        }

        var imported = new NewArtifact(output.Name, content.Uri, output.Codec.KfpType, output.Codec.TypeName, content.Size, content.ContentHash, importer.MetadataJson);
        var recorded = run.Recorder.Record(start, new StepRunEnd(StepStatus.Completed, DateTimeOffset.UtcNow, null, inputs, [imported]));
        run.Report(key, TaskState.Done, clock.Elapsed);
        return run.Add(new StepRunResult(key, task.Step.Name, StepStatus.Completed, clock.Elapsed, values, recorded, null, null) { Attempts = 1 });
    }
}
