using System.Text.Json;
using PipelineSdk.Execution;
using PipelineSdk.Gcp.Vertex;
using PipelineSdk.Kubeflow.Api;
using PipelineSdk.Descriptors;
using PipelineSdk.Orchestration;
using PipelineSdk.Stacks;
using PipelineSdk.Store;

namespace PipelineSdk.Kubeflow.Orchestration;

/// <summary>
/// Runs a pipeline on Kubeflow Pipelines 2.x: publishes the program as an image, creates (or reuses) the pipeline and a
/// version holding the spec, creates a run in the orchestrator's experiment with the parameters and the artifact store as
/// pipeline root, prints the UI link and — when synchronous — follows the run, reporting each task's state changes and, on
/// failure, each failed task's message and where its logs are. The run, its Kubeflow id and link, its end state and each
/// task's state are recorded in the store like a local run.
/// </summary>
public sealed class KubeflowOrchestrator(Component component, IProgramImageSource images) : IRemoteOrchestrator
{
    /// <summary>The orchestrator flavor.</summary>
    public const string Flavor = "kubeflow";

    /// <summary>Environment variable with the first polling interval in milliseconds (default 2000).</summary>
    public const string PollIntervalVariable = "PIPELINES_KFP_POLL_MS";

    private static readonly RemoteService Service = new("Kubeflow Pipelines", "run", "in the Kubeflow Pipelines UI (Terminate)");

    private static readonly HashSet<string> EndStates = ["SUCCEEDED", "FAILED", "CANCELED", "SKIPPED"];

    /// <inheritdoc />
    public async Task<PipelineRunResult> RunAsync(RemoteRun run, CancellationToken cancellationToken)
    {
        var output = run.Options.Output ?? Console.Out;
        var settings = await SecretReference.ResolveAsync(component.Settings, run.Secrets, cancellationToken).ConfigureAwait(false);
        string Setting(string name) => settings.GetValueOrDefault(name) ?? component.Definition.Settings.First(s => s.Name == name).Default ?? "";
        var submission = KubeflowSubmission.Open(Setting, output);
        var parameters = ParameterValues.Resolve(run.Pipeline, run.Parameters);
        var registryComponent = run.Stack.Get(ComponentType.ContainerRegistry)
            ?? throw new StackException($"stack '{run.Stack.Name}' has no container registry for the program's image; add one with `pipelines stack update {run.Stack.Name} -c NAME`");
        var registry = await StackComponents.ResolvedSettingAsync(registryComponent, "uri", run.Secrets, cancellationToken).ConfigureAwait(false);
        var pipelineRoot = await StackComponents.ResolvedSettingAsync(run.Stack.ArtifactStore, "path", run.Secrets, cancellationToken).ConfigureAwait(false);

        var image = await images.GetImageAsync(registry, output, cancellationToken).ConfigureAwait(false);
        // Unique per submission: a retried create finds the run by this name instead of making a second one.
        var runName = VertexOrchestrator.JobId(run.Pipeline.Name, DateTimeOffset.UtcNow, Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(2)));
        run.Store.CreateRun(runName, run.Pipeline.Name, DateTimeOffset.UtcNow, ParameterValues.ToJson(run.Pipeline, parameters), Flavor, run.Stack.Name, experiment: Experiments.Of(run.Pipeline, run.Options));
        KfpRun created;
        bool adopted;
        try
        {
            var experimentId = await submission.ExperimentIdAsync(output, cancellationToken).ConfigureAwait(false);
            var version = await submission.PipelineVersionAsync(run.Pipeline.Name, VertexJobs.WithRegistryPins(KubeflowSubmission.SpecWithImage(run.Pipeline.SpecJson, image), RegistryInputs.PinForSubmission(run.Store, run.Pipeline)), cancellationToken).ConfigureAwait(false);
            (created, adopted) = await submission.Client.CreateRunAsync(new KfpRun
            {
                DisplayName = runName,
                Description = $"Submitted by PipelineSdk from stack '{run.Stack.Name}'.",
                ExperimentId = experimentId,
                PipelineVersionReference = version,
                RuntimeConfig = new KfpRuntimeConfig { Parameters = ParameterValues.ToJsonElements(run.Pipeline, parameters), PipelineRoot = pipelineRoot },
                ServiceAccount = submission.ServiceAccount,
            }, submission.Namespace, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            run.Store.EndRun(runName, e is OperationCanceledException ? RunStatus.Cancelled : RunStatus.Failed, DateTimeOffset.UtcNow, "not submitted: " + StepMode.FirstLine(e.Message));
            throw;
        }

        var runId = created.RunId ?? throw new StackException("Kubeflow Pipelines gave the run no id");
        var link = submission.RunLink(runId);
        output.WriteLine(adopted ? $"Run {runName} already existed (a retried submission); following it." : $"Submitted run {runName} to Kubeflow Pipelines at {submission.Client.Host}.");
        output.WriteLine($"View it in the Kubeflow Pipelines UI: {link}");
        run.Store.SetRunRemote(runName, runId, link);
        run.Options.Progress?.RunStarted(runName, run.Pipeline.Name);
        if (Setting("synchronous") == "false")
        {
            output.WriteLine($"Not waiting (synchronous=false); follow it with the link above or `pipelines runs show {runName}`.");
            return new PipelineRunResult(runName, run.Pipeline.Name, RunStatus.Running, TimeSpan.Zero, run.StoreDirectory, pipelineRoot, []);
        }

        var finished = await RemoteRunFollowing.FollowSubmittedAsync(
            Service, run, runName, link, () => FollowAsync(submission.Client, runId, run.Options.Progress ?? NoRunProgress.Instance, cancellationToken),
            () => submission.Client.TerminateRunAsync(runId, CancellationToken.None), "terminated on Kubeflow Pipelines after an interrupt", output, cancellationToken).ConfigureAwait(false);
        if (finished is null)
        {
            return new PipelineRunResult(runName, run.Pipeline.Name, RunStatus.Failed, TimeSpan.Zero, run.StoreDirectory, pipelineRoot, []);
        }

        return Record(run, finished, runName, submission, pipelineRoot, output);
    }

    /// <summary>A Kubeflow run state as a run status; null while it runs.</summary>
    public static RunStatus? StatusOf(string? state) => state switch
    {
        "SUCCEEDED" or "SKIPPED" => RunStatus.Completed,
        "FAILED" => RunStatus.Failed,
        "CANCELED" => RunStatus.Cancelled,
        _ => null,
    };

    private static Task<KfpRun> FollowAsync(KfpClient client, string runId, IRunProgress progress, CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromMilliseconds(int.TryParse(Environment.GetEnvironmentVariable(PollIntervalVariable), out var ms) ? ms : 2000);
        var states = new Dictionary<string, string>(StringComparer.Ordinal);
        string? runState = null;
        return RemoteRunFollowing.FollowAsync(Service, token => client.PollRunAsync(runId, token), polled =>
        {
            if (polled.State != runState)
            {
                progress.Message($"run {polled.State ?? "PENDING"}");
                runState = polled.State;
            }

            foreach (var task in polled.RunDetails?.TaskDetails ?? [])
            {
                var key = task.TaskId ?? task.DisplayName;
                if (task.DisplayName is null || key is null || task.State is null || (states.TryGetValue(key, out var seen) && seen == task.State))
                {
                    continue;
                }

                progress.TaskChanged(Progress(task));
                states[key] = task.State;
            }

            return polled.State is not null && EndStates.Contains(polled.State);
        }, progress, interval, cancellationToken);
    }

    private static PipelineRunResult Record(RemoteRun run, KfpRun finished, string runName, KubeflowSubmission submission, string pipelineRoot, TextWriter output)
    {
        var details = (finished.RunDetails?.TaskDetails ?? []).Where(t => t.DisplayName is not null).GroupBy(t => t.DisplayName!).ToDictionary(g => g.Key, g => g.Last());
        // Kubeflow names a task by its taskInfo.name, which is the display name when the step has one.
        var names = Launcher.ReadTaskNames(run.Pipeline.SpecJson);
        var steps = new List<StepRunResult>();
        foreach (var task in run.Pipeline.Tasks)
        {
            var detail = details.GetValueOrDefault(names.GetValueOrDefault(task.Key, task.Key)) ?? details.GetValueOrDefault(task.Key);
            steps.Add(RecordTask(run, runName, task, detail, reported: details.Count > 0));
        }

        var status = StatusOf(finished.State) ?? RunStatus.Failed;
        run.Store.EndRun(runName, status, finished.FinishedAt ?? DateTimeOffset.UtcNow, status == RunStatus.Completed ? null : finished.Error?.Message ?? finished.State);
        if (status == RunStatus.Failed)
        {
            var failedTasks = details.Values.Where(t => t.State == "FAILED" && (run.Pipeline.FindTask(t.DisplayName!) is not null || names.Values.Contains(t.DisplayName))).ToList();
            foreach (var failed in failedTasks)
            {
                output.WriteLine($"Task {failed.DisplayName} failed: {StepMode.FirstLine(failed.Error?.Message ?? "no message")}");
                if (failed.ExecutorDetail?.MainJob is { Length: > 0 } pod)
                {
                    output.WriteLine($"  Logs: kubectl logs{(submission.Namespace is null ? " -n kubeflow" : $" -n {submission.Namespace}")} {pod} -c main");
                }
            }

            if (failedTasks.Count == 0)
            {
                output.WriteLine($"Run {runName} failed: {StepMode.FirstLine(finished.Error?.Message ?? "no message")}");
            }

            output.WriteLine($"Details: {submission.RunLink(finished.RunId!)}");
        }

        var start = finished.ScheduledAt ?? finished.CreatedAt ?? DateTimeOffset.UtcNow;
        var duration = (finished.FinishedAt ?? DateTimeOffset.UtcNow) - start;
        return new PipelineRunResult(runName, run.Pipeline.Name, status, duration < TimeSpan.Zero ? TimeSpan.Zero : duration, run.StoreDirectory, pipelineRoot, steps);
    }

    // Kubeflow's run API reports task states, not output values (those are in its ML Metadata), so steps are recorded without outputs.
    private static StepRunResult RecordTask(RemoteRun run, string runName, PipelineTask task, KfpTaskDetail? detail, bool reported)
    {
        var status = detail?.State switch
        {
            "SUCCEEDED" => StepStatus.Completed,
            "SKIPPED" => StepStatus.Cached,
            "FAILED" => StepStatus.Failed,
            null when !reported => StepStatus.Unknown,
            _ => StepStatus.NotRun,
        };
        var empty = new Dictionary<string, object?>();
        if (status is StepStatus.NotRun or StepStatus.Unknown)
        {
            var reason = detail?.State is { } state ? $"Kubeflow Pipelines: {state}"
                : reported ? "Kubeflow Pipelines did not run it" : "Kubeflow Pipelines reported no task details for the run";
            run.Store.RecordNotRun(runName, task.Key, task.Step.Name, reason, task.DependsOn, status);
            return new StepRunResult(task.Key, task.Step.Name, status, null, empty, new Dictionary<string, ArtifactRecord>(), reason, null);
        }

        var stepRunId = run.Store.StartStepRun(runName, task.Key, task.Step.Name, detail!.StartTime ?? DateTimeOffset.UtcNow, null, null, task.DependsOn);
        var error = status == StepStatus.Failed ? detail.Error?.Message ?? "failed on Kubeflow Pipelines" : null;
        var recorded = run.Store.FinishStepRun(stepRunId, status, detail.EndTime ?? DateTimeOffset.UtcNow, error, [], []);
        return new StepRunResult(task.Key, task.Step.Name, status, detail.EndTime - detail.StartTime, empty, recorded, error, null);
    }

    /// <summary>A Kubeflow task state as the states every orchestrator reports.</summary>
    internal static TaskProgress Progress(KfpTaskDetail task)
    {
        var state = task.State switch
        {
            "RUNNING" => TaskState.Running,
            "SUCCEEDED" => TaskState.Done,
            "SKIPPED" => TaskState.Cached,
            "FAILED" => TaskState.Failed,
            "CANCELING" or "CANCELED" => TaskState.NotRun,
            _ => TaskState.Queued,
        };
        return new TaskProgress(task.DisplayName!, state, DateTimeOffset.UtcNow)
        {
            Duration = state is TaskState.Done or TaskState.Failed && task.EndTime - task.StartTime is { } duration && duration >= TimeSpan.Zero ? duration : null,
            Detail = state == TaskState.Failed ? task.Error?.Message : state == TaskState.NotRun ? $"Kubeflow Pipelines: {task.State}" : null,
        };
    }
}
