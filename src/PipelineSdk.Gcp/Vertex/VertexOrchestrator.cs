using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using PipelineSdk.Artifacts;
using PipelineSdk.Execution;
using PipelineSdk.Gcp.Auth;
using PipelineSdk.Gcp.Images;
using PipelineSdk.Descriptors;
using PipelineSdk.Orchestration;
using PipelineSdk.Stacks;
using PipelineSdk.Store;
using PipelineSdk.Values;

namespace PipelineSdk.Gcp.Vertex;

/// <summary>
/// Runs a pipeline on Vertex AI Pipelines: publishes the program as an image, fills it into the spec,
/// submits a PipelineJob with a deterministic id (a retried create adopts the job instead of making a
/// second one), prints the console link, and — when synchronous — follows the run, reporting each task's
/// state changes to <see cref="RunOptions.Progress"/> and printing, on failure, each failed task's error and a Cloud Logging link. The run, its remote
/// id and link, its end state and each task's outputs are recorded in the store like a local run.
/// </summary>
public sealed class VertexOrchestrator(Component component, IProgramImageSource images, GoogleAuth auth) : IRemoteOrchestrator
{
    /// <summary>The orchestrator flavor.</summary>
    public const string Flavor = "vertex";

    /// <summary>Environment variable with the first polling interval in milliseconds (default 2000).</summary>
    public const string PollIntervalVariable = "PIPELINES_VERTEX_POLL_MS";

    private static readonly HashSet<string> EndStates = ["PIPELINE_STATE_SUCCEEDED", "PIPELINE_STATE_FAILED", "PIPELINE_STATE_CANCELLED"];

    /// <inheritdoc />
    public async Task<PipelineRunResult> RunAsync(RemoteRun run, CancellationToken cancellationToken)
    {
        var output = run.Options.Output ?? Console.Out;
        var settings = await SecretReference.ResolveAsync(component.Settings, run.Secrets, cancellationToken).ConfigureAwait(false);
        string Setting(string name) => settings.GetValueOrDefault(name) ?? component.Definition.Settings.First(s => s.Name == name).Default ?? "";
        var project = Setting("project");
        var location = Setting("location");
        var client = new VertexClient(project, location, auth);
        var parameters = ParameterValues.Resolve(run.Pipeline, run.Parameters);
        var registry = await RegistryUriAsync(run, cancellationToken).ConfigureAwait(false);
        var pipelineRoot = await ResolvedSettingAsync(run.Stack.ArtifactStore, "path", run.Secrets, cancellationToken).ConfigureAwait(false);

        var image = await images.GetImageAsync(registry, output, cancellationToken).ConfigureAwait(false);
        // Unique per submission; retries of this submission reuse it, so a lost answer is adopted, not duplicated.
        var jobId = JobId(run.Pipeline.Name, DateTimeOffset.UtcNow, Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(2)));
        var live = VertexJobs.LiveTarget(run.Store, run.Stack, Setting("server_token_secret"), output);
        var pins = RegistryInputs.PinForSubmission(run.Store, run.Pipeline);
        var job = VertexJobs.Build(run.Pipeline.Name, run.Pipeline.SpecJson, image, pipelineRoot, ParameterValues.ToJsonElements(run.Pipeline, parameters), Setting, live, pins);

        // The experiment is made before the job, so a name or permission problem stops the run before anything is submitted.
        var experiment = Experiments.Of(run.Pipeline, run.Options);
        var inExperiment = experiment is null ? null
            : new VertexExperimentRun(client, await client.EnsureExperimentAsync(experiment, cancellationToken).ConfigureAwait(false), experiment, output);

        // Recorded before the job exists, so the record has the run's parameters even if a step reports in first; no owner:
        // no process of ours runs the steps, so the run cannot crash with this one.
        run.Store.CreateRun(jobId, run.Pipeline.Name, DateTimeOffset.UtcNow, ParameterValues.ToJson(run.Pipeline, parameters), Flavor, run.Stack.Name, experiment: experiment);
        PipelineJob created;
        bool adopted;
        try
        {
            (created, adopted) = await client.CreatePipelineJobAsync(jobId, job, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            run.Store.EndRun(jobId, e is OperationCanceledException ? RunStatus.Cancelled : RunStatus.Failed, DateTimeOffset.UtcNow, "not submitted: " + StepMode.FirstLine(e.Message));
            throw;
        }

        var link = $"https://console.cloud.google.com/vertex-ai/locations/{location}/pipelines/runs/{jobId}?project={project}";
        output.WriteLine(adopted ? $"Pipeline job {jobId} already existed (a retried submission); following it." : $"Submitted pipeline job {jobId} to Vertex AI ({location}).");
        output.WriteLine($"View it in the console: {link}");
        run.Store.SetRunRemote(jobId, created.Name ?? jobId, link);
        run.Options.Progress?.RunStarted(jobId, run.Pipeline.Name);
        if (inExperiment is not null)
        {
            await inExperiment.ObserveAsync(created, cancellationToken).ConfigureAwait(false);
        }

        if (Setting("synchronous") == "false")
        {
            if (inExperiment is not null)
            {
                await inExperiment.WaitAsync(jobId, EndStates.Contains, PollInterval(), cancellationToken).ConfigureAwait(false);
            }

            output.WriteLine($"Not waiting (synchronous=false); follow it with the link above or `pipelines runs show {jobId}`.");
            return new PipelineRunResult(jobId, run.Pipeline.Name, RunStatus.Running, TimeSpan.Zero, run.StoreDirectory, pipelineRoot, []);
        }

        var finished = await RemoteRunFollowing.FollowSubmittedAsync(
            Service(jobId), run, jobId, link, () => FollowAsync(client, jobId, run.Options.Progress ?? NoRunProgress.Instance, inExperiment, cancellationToken),
            () => client.CancelPipelineJobAsync(jobId, CancellationToken.None), "cancelled on Vertex AI after an interrupt", output, cancellationToken).ConfigureAwait(false);
        if (finished is null)
        {
            return new PipelineRunResult(jobId, run.Pipeline.Name, RunStatus.Failed, TimeSpan.Zero, run.StoreDirectory, pipelineRoot, []);
        }

        inExperiment?.Ended(finished);
        return Record(run, finished, jobId, project, pipelineRoot, output, live is not null);
    }

    /// <summary>
    /// Predicts Vertex AI's cache for the run from the step runs its containers recorded (<see cref="RemoteCachePlanner"/>), with
    /// the image the run would use: the program is built to learn its tag, and nothing is pushed or submitted.
    /// </summary>
    public async Task<RunPlan> PlanAsync(RemoteRun run, CancellationToken cancellationToken)
    {
        var registry = await RegistryUriAsync(run, cancellationToken).ConfigureAwait(false);
        var image = await images.GetImageReferenceAsync(registry, run.Options.Output ?? Console.Error, cancellationToken).ConfigureAwait(false);
        return await RemoteCachePlanner.PlanAsync(run, Flavor, "Vertex AI", task => task.Step.Settings.Image ?? image, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<string> RegistryUriAsync(RemoteRun run, CancellationToken cancellationToken)
    {
        var registryComponent = run.Stack.Get(ComponentType.ContainerRegistry)
            ?? throw new StackException($"stack '{run.Stack.Name}' has no container registry for the program's image; add one with `pipelines stack update {run.Stack.Name} -c NAME`");
        return await ResolvedSettingAsync(registryComponent, "uri", run.Secrets, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A job id Vertex accepts (<c>[a-z0-9][a-z0-9-]*</c>, at most 128): the pipeline name, the UTC time and a
    /// short suffix that tells apart submissions in the same second.
    /// </summary>
    public static string JobId(string pipelineName, DateTimeOffset time, string suffix)
    {
        var stamp = time.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        var room = 128 - stamp.Length - suffix.Length - 2;
        var name = pipelineName.Length > room ? pipelineName[..room].TrimEnd('-') : pipelineName;
        return $"{name}-{stamp}-{suffix}";
    }

    /// <summary>A component's setting with any <c>{{secret.name.key}}</c> reference resolved for this run.</summary>
    internal static Task<string> ResolvedSettingAsync(Component component, string name, ISecretsManager? secrets, CancellationToken cancellationToken) =>
        StackComponents.ResolvedSettingAsync(component, name, secrets, cancellationToken);


    private static TimeSpan PollInterval() =>
        TimeSpan.FromMilliseconds(int.TryParse(Environment.GetEnvironmentVariable(PollIntervalVariable), out var ms) ? ms : 2000);

    private static Task<PipelineJob> FollowAsync(VertexClient client, string jobId, IRunProgress progress, VertexExperimentRun? inExperiment, CancellationToken cancellationToken)
    {
        var interval = PollInterval();
        var states = new Dictionary<string, string>(StringComparer.Ordinal);
        string? jobState = null;
        async Task<(PipelineJob? Job, string? Problem)> PollAsync(CancellationToken token)
        {
            var polled = await client.PollPipelineJobAsync(jobId, token).ConfigureAwait(false);
            if (polled.Job is { } job && inExperiment is not null)
            {
                await inExperiment.ObserveAsync(job, token).ConfigureAwait(false);
            }

            return polled;
        }

        return RemoteRunFollowing.FollowAsync(Service(jobId), PollAsync, job =>
        {
            if (job.State != jobState)
            {
                progress.Message($"job {Short(job.State)}");
                jobState = job.State;
            }

            foreach (var task in job.JobDetail?.TaskDetails ?? [])
            {
                if (task.TaskName is null || task.State is null || (states.TryGetValue(task.TaskName, out var seen) && seen == task.State))
                {
                    continue;
                }

                progress.TaskChanged(Progress(task));
                states[task.TaskName] = task.State;
            }

            return job.State is not null && EndStates.Contains(job.State);
        }, progress, interval, cancellationToken);
    }

    private static RemoteService Service(string jobId) => new("Vertex AI", "job", $"in the console or with `gcloud ai pipeline-jobs cancel {jobId}`");

    /// <summary>
    /// Records how the job ended, each task from its task details; with <paramref name="live"/> the steps recorded themselves, and
    /// the iterations of a loop that ran are left to them (they record each one, where task details give one record per task).
    /// </summary>
    private PipelineRunResult Record(RemoteRun run, PipelineJob job, string jobId, string project, string pipelineRoot, TextWriter output, bool live)
    {
        var artifacts = new LocalArtifactStore(Path.Combine(run.StoreDirectory, "artifacts"));
        var details = (job.JobDetail?.TaskDetails ?? []).Where(t => t.TaskName is not null).GroupBy(t => t.TaskName!).ToDictionary(g => g.Key, g => g.Last());
        // Vertex AI names a task by its taskInfo.name, which is the display name when the step has one.
        var names = Launcher.ReadTaskNames(run.Pipeline.SpecJson);
        var steps = new List<StepRunResult>();
        foreach (var task in run.Pipeline.Tasks)
        {
            var detail = details.GetValueOrDefault(names.GetValueOrDefault(task.Key, task.Key)) ?? details.GetValueOrDefault(task.Key);
            steps.Add(RecordTask(run, artifacts, jobId, task, detail, reported: details.Count > 0, iterationsRecordLive: live && run.Pipeline.RunsInLoop(task)));
        }

        var status = job.State switch
        {
            "PIPELINE_STATE_SUCCEEDED" => RunStatus.Completed,
            "PIPELINE_STATE_CANCELLED" => RunStatus.Cancelled,
            _ => RunStatus.Failed,
        };
        run.Store.EndRun(jobId, status, job.EndTime ?? DateTimeOffset.UtcNow, status == RunStatus.Completed ? null : job.Error?.Message ?? Short(job.State));
        if (status == RunStatus.Failed)
        {
            foreach (var failed in details.Values.Where(t => t.State == "FAILED" && (run.Pipeline.FindTask(t.TaskName!) is not null || names.Values.Contains(t.TaskName))))
            {
                output.WriteLine($"Task {failed.TaskName} failed: {failed.Error?.Message ?? "no message"}");
            }

            output.WriteLine($"Logs: https://console.cloud.google.com/logs/query;query={Uri.EscapeDataString($"resource.type=\"aiplatform.googleapis.com/PipelineJob\" resource.labels.pipeline_job_id=\"{jobId}\"")}?project={project}");
        }

        var duration = (job.EndTime ?? DateTimeOffset.UtcNow) - (job.StartTime ?? job.CreateTime ?? DateTimeOffset.UtcNow);
        return new PipelineRunResult(jobId, run.Pipeline.Name, status, duration < TimeSpan.Zero ? TimeSpan.Zero : duration, run.StoreDirectory, pipelineRoot, steps);
    }

    // Without any task details (reported false), a task's absence says nothing about whether it ran: unknown, not "not run".
    // A loop's iterations that ran recorded themselves, each apart: those are only reported here.
    private static StepRunResult RecordTask(RemoteRun run, LocalArtifactStore artifacts, string jobId, PipelineTask task, PipelineTaskDetail? detail, bool reported, bool iterationsRecordLive)
    {
        var status = detail?.State switch
        {
            "SUCCEEDED" => StepStatus.Completed,
            "SKIPPED" when detail.Execution?.State == "CACHED" => StepStatus.Cached,
            "FAILED" => StepStatus.Failed,
            null when !reported => StepStatus.Unknown,
            _ => StepStatus.NotRun,
        };
        var record = !(iterationsRecordLive && status is StepStatus.Completed or StepStatus.Failed);
        if (status is StepStatus.NotRun or StepStatus.Unknown)
        {
            var reason = detail?.State is { } state ? $"Vertex AI: {state}"
                : reported ? "Vertex AI did not run it" : "Vertex AI reported no task details for the job";
            if (record)
            {
                run.Store.RecordNotRun(jobId, task.Key, task.Step.Name, reason, task.DependsOn, status);
            }

            return new StepRunResult(task.Key, task.Step.Name, status, null, new Dictionary<string, object?>(), new Dictionary<string, ArtifactRecord>(), reason, null);
        }

        ArgumentNullException.ThrowIfNull(detail); // a task with a state has its details
        var stepRunId = record ? run.Store.StartStepRun(jobId, task.Key, task.Step.Name, detail.StartTime ?? DateTimeOffset.UtcNow, null, null, task.DependsOn) : 0;
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        var produced = new List<NewArtifact>();
        var error = status == StepStatus.Failed ? detail.Error?.Message ?? "failed on Vertex AI" : null;
        if (status != StepStatus.Failed)
        {
            // As locally, a cache hit makes no new version of a named output: its outputs are the versions the cached run made.
            var ran = status == StepStatus.Completed;
            foreach (var port in task.Step.Outputs)
            {
                if (port.Codec is ParameterCodec parameter && detail.Execution?.Metadata?.TryGetValue("output:" + port.Name, out var value) == true)
                {
                    // Output parameters live in Vertex's metadata; keep a copy so runs show and the cache explain them like local ones.
                    values[port.Name] = parameter.ReadJson(value);
                    if (record)
                    {
                        var stored = artifacts.Write(jobId, task.Key, port.Name, parameter, values[port.Name]);
                        produced.Add(new NewArtifact(port.Name, stored.Uri, parameter.KfpType, parameter.TypeName, stored.Size, stored.ContentHash, Name: ran ? port.ArtifactName : null, Tags: port.Tags, PromotesTo: port.PromotesTo));
                    }
                }
                else if (detail.Outputs?.GetValueOrDefault(port.Name)?.Artifacts?.FirstOrDefault() is { Uri: { } uri } artifact)
                {
                    var metadata = artifact.Metadata is { ValueKind: JsonValueKind.Object } m ? m.GetRawText() : "{}";
                    produced.Add(new NewArtifact(port.Name, uri, port.Codec.KfpType, port.Codec.TypeName, 0, "", metadata, ran ? port.ArtifactName : null, port.Tags, port.PromotesTo));
                }
            }
        }

        var recorded = record ? run.Store.FinishStepRun(stepRunId, status, detail.EndTime ?? DateTimeOffset.UtcNow, error, [], produced) : new Dictionary<string, ArtifactRecord>();
        var duration = detail.EndTime - detail.StartTime;
        return new StepRunResult(task.Key, task.Step.Name, status, duration, values, recorded, error, null);
    }

    /// <summary>A Vertex task state as the states every orchestrator reports.</summary>
    internal static TaskProgress Progress(PipelineTaskDetail task)
    {
        var state = task.State switch
        {
            "RUNNING" => TaskState.Running,
            "SUCCEEDED" => TaskState.Done,
            "SKIPPED" when task.Execution?.State == "CACHED" => TaskState.Cached,
            "FAILED" => TaskState.Failed,
            "NOT_TRIGGERED" => TaskState.NotTriggered,
            "SKIPPED" or "CANCEL_PENDING" or "CANCELLING" or "CANCELLED" => TaskState.NotRun,
            _ => TaskState.Queued,
        };
        return new TaskProgress(task.TaskName!, state, DateTimeOffset.UtcNow)
        {
            Duration = state is TaskState.Done or TaskState.Failed && task.EndTime - task.StartTime is { } duration && duration >= TimeSpan.Zero ? duration : null,
            Detail = state == TaskState.Failed ? task.Error?.Message : state == TaskState.NotRun ? $"Vertex AI: {task.State}" : null,
        };
    }

    private static string Short(string? state) => state?.Replace("PIPELINE_STATE_", "", StringComparison.Ordinal) ?? "UNKNOWN";
}

/// <summary>Where the Vertex orchestrator gets the image that holds the program.</summary>
public interface IProgramImageSource
{
    /// <summary>Returns a pullable image reference for this program in <paramref name="registryUri"/>, publishing it if needed.</summary>
    Task<string> GetImageAsync(string registryUri, TextWriter output, CancellationToken cancellationToken);

    /// <summary>Returns the reference <see cref="GetImageAsync"/> would return now, building the program if needed but pushing nothing.</summary>
    Task<string> GetImageReferenceAsync(string registryUri, TextWriter output, CancellationToken cancellationToken);
}

/// <summary>
/// Uses the image named by <c>PIPELINES_IMAGE</c> when set (an image built elsewhere, e.g. by CI), else
/// publishes the running program's project with the .NET SDK's container support — tagged by a hash of
/// the build, so unchanged code is neither rebuilt nor pushed again. The base image and Native AOT come from
/// the project's <c>PipelineSdkImageBase</c> and <c>PipelineSdkImageAot</c> MSBuild properties.
/// </summary>
public sealed class ProgramImageSource(ImagePublisher? publisher = null) : IProgramImageSource
{
    /// <summary>Environment variable naming a prebuilt image to use instead of publishing.</summary>
    public const string ImageVariable = "PIPELINES_IMAGE";

    /// <inheritdoc />
    public async Task<string> GetImageAsync(string registryUri, TextWriter output, CancellationToken cancellationToken)
    {
        if (Environment.GetEnvironmentVariable(ImageVariable) is { Length: > 0 } image)
        {
            output.WriteLine($"Using image {image} ({ImageVariable}).");
            return image;
        }

        var request = Request(registryUri);
        output.WriteLine($"Publishing {Path.GetFileName(request.ProjectPath)} as an image in {registryUri}...");
        var published = await (publisher ?? new ImagePublisher()).PublishAsync(request, new LineProgress(output), cancellationToken).ConfigureAwait(false);
        output.WriteLine(published.Reused ? $"Image {published.Reference} is up to date; nothing rebuilt or pushed." : $"Pushed image {published.Reference}.");
        return published.Reference;
    }

    /// <inheritdoc />
    public async Task<string> GetImageReferenceAsync(string registryUri, TextWriter output, CancellationToken cancellationToken)
    {
        if (Environment.GetEnvironmentVariable(ImageVariable) is { Length: > 0 } image)
        {
            return image;
        }

        var request = Request(registryUri);
        output.WriteLine($"Building {Path.GetFileName(request.ProjectPath)} to learn its image tag (nothing is pushed)...");
        return await (publisher ?? new ImagePublisher()).ReferenceAsync(request, new LineProgress(output), cancellationToken).ConfigureAwait(false);
    }

    private static ImagePublishRequest Request(string registryUri) =>
        new(ProjectPath(), registryUri, NullIfEmpty(Metadata("PipelineSdk.ImageBase")), Metadata("PipelineSdk.ImageAot") == "true");

    /// <summary>The program's project file, recorded in its assembly by the PipelineSdk build targets.</summary>
    public static string ProjectPath() =>
        NullIfEmpty(Metadata("PipelineSdk.ProjectPath"))
        ?? throw new StackException("this program does not know its project file (build it with the PipelineSdk package's targets)");

    private static string? Metadata(string key) =>
        Assembly.GetEntryAssembly()?.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>
/// Writes each progress line as it is reported, one at a time. <see cref="Progress{T}"/> would post the lines to the thread
/// pool, so the last ones could be written after, or into the middle of, the line that follows the publish.
/// </summary>
internal sealed class LineProgress(TextWriter output) : IProgress<string>
{
    private readonly Lock _gate = new();

    public void Report(string value)
    {
        lock (_gate)
        {
            output.WriteLine(value);
        }
    }
}
