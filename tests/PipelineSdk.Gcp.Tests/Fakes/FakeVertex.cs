using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PipelineSdk.Tests.Shared;
using PipelineSdk.Tests.Shared.Fakes;

namespace PipelineSdk.Gcp.Tests.Fakes;

/// <summary>
/// Vertex AI's pipelineJobs REST API on 127.0.0.1, strict like the service: it needs the bearer token
/// <see cref="FakeGoogle"/> issued, a valid job id, a PipelineSpec 2.1.0 that holds together (structural
/// check) with real images, parameter values that match the root input definitions, and valid labels and
/// service account. It then runs the job as Vertex does: each task in dependency order, by starting the
/// executor's command with the ExecutorInput it builds, `/app` mapped to <see cref="AppDirectory"/> and
/// Cloud Storage mounted at /gcs (a temp folder); output parameters go to the execution metadata.
/// Faults can be injected per request.
/// </summary>
internal sealed partial class FakeVertex : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly FakeGoogle _google;
    private readonly ConcurrentDictionary<string, Job> _jobs = new();
    private readonly InjectedFaults _faults = new();
    private readonly ConcurrentDictionary<string, TaskHold> _holds = new();

    private FakeVertex(WebApplication app, FakeGoogle google, string appDirectory, string gcsRoot)
    {
        _app = app;
        _google = google;
        AppDirectory = appDirectory;
        GcsRoot = gcsRoot;
    }

    /// <summary>What the container's /app holds: the program's files.</summary>
    public string AppDirectory { get; set; }

    /// <summary>When set, a job's image is turned into its /app folder this way before its tasks run (pulled and unpacked).</summary>
    public Func<string, Task<string>>? PullImage { get; set; }

    /// <summary>What the machine a task runs on adds to its environment (credentials, endpoints), after the container's <c>env</c>.</summary>
    public Dictionary<string, string> TaskEnvironment { get; } = new(StringComparer.Ordinal);

    /// <summary>Answers jobs created from now on without <c>jobDetail</c>, as Vertex AI may (a job it has no task details for).</summary>
    public bool OmitTaskDetails { get; set; }

    /// <summary>The folder that stands in for Cloud Storage (mounted at /gcs in the tasks).</summary>
    public string GcsRoot { get; }

    public string BaseUrl { get; private set; } = "";

    public ConcurrentQueue<string> Requests { get; } = new();

    public IReadOnlyCollection<string> JobIds => [.. _jobs.Keys];

    /// <summary>The body a job was created with.</summary>
    public JsonNode CreatedBody(string jobId) => _jobs[jobId].Body;

    /// <summary>Completes when the job has run all its tasks.</summary>
    public Task WaitAsync(string jobId) => _jobs[jobId].Runner;

    /// <summary>The job's end state (<c>PIPELINE_STATE_...</c>), or null while it runs.</summary>
    public string? FinalState(string jobId) => _jobs[jobId].FinalState;

    /// <summary>What a task wrote to standard output and error.</summary>
    public string Log(string jobId, string task) => _jobs[jobId].Logs.GetValueOrDefault(task, "");

    public static async Task<FakeVertex> StartAsync(FakeGoogle google, string appDirectory, string gcsRoot)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeVertex(app, google, appDirectory, gcsRoot);
        fake.Map(app);
        await app.StartAsync();
        fake.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/') + "/";
        return fake;
    }

    /// <summary>
    /// Makes the next job that reaches <paramref name="task"/> wait before starting it (the job stays running, the task
    /// pending) until the hold is released: what a test looks at "while it runs" is then certain to be mid-run.
    /// </summary>
    public TaskHold Hold(string task) => _holds[task] = new TaskHold(task);

    /// <summary>Cancels a job as <c>pipelineJobs/ID:cancel</c> does: what has not started does not run, and it ends CANCELLED.</summary>
    public void CancelJob(string jobId) => _jobs[jobId].Cancel.Cancel();

    /// <summary>Answers the next <paramref name="count"/> requests with <paramref name="status"/> before doing anything.</summary>
    public void FailNext(int count, int status) =>
        _faults.AnswerNext(count, Error(status, status == 429 ? "RESOURCE_EXHAUSTED" : "UNAVAILABLE", "Injected fault.").ExecuteAsync);

    /// <summary>Lets the next request do its work, then drops the connection before the answer reaches the client.</summary>
    public void DropNextAnswer() => _faults.DropNextAnswer();

    /// <summary>Delays the next request.</summary>
    public void DelayNext(TimeSpan delay) => _faults.DelayNext(delay);

    public async ValueTask DisposeAsync()
    {
        foreach (var job in _jobs.Values)
        {
            job.Cancel.Cancel();
            await job.Runner.ConfigureAwait(false);
        }

        await _app.DisposeAsync();
    }

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            Requests.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
            // As at Google, a request without a valid token is refused before anything else can happen to it.
            if (!_google.IsAuthorized(context.Request.Headers.Authorization.ToString()))
            {
                await Error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token.").ExecuteAsync(context);
                return;
            }

            await _faults.ApplyAsync(context, next);
        });
        app.MapPost("/v1/projects/{project}/locations/{location}/pipelineJobs", Create);
        app.MapGet("/v1/projects/{project}/locations/{location}/pipelineJobs/{job}", Get);
        app.MapPost("/v1/projects/{project}/locations/{location}/pipelineJobs/{jobAndVerb}", Cancel);
        app.MapPost("/v1/projects/{project}/locations/{location}/schedules", CreateSchedule);
        app.MapGet("/v1/projects/{project}/locations/{location}/schedules", ListSchedules);
        app.MapPost("/v1/projects/{project}/locations/{location}/schedules/{scheduleAndVerb}", ScheduleVerb);
        app.MapDelete("/v1/projects/{project}/locations/{location}/schedules/{schedule}", DeleteSchedule);
        MapMetadata(app);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,127}$")]
    private static partial Regex JobIdPattern();

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,62}$")]
    private static partial Regex LabelKeyPattern();

    [GeneratedRegex("^[a-z0-9_-]{0,63}$")]
    private static partial Regex LabelValuePattern();

    private async Task<IResult> Create(HttpContext context, string project, string location)
    {
        var id = context.Request.Query["pipelineJobId"].ToString();
        if (!JobIdPattern().IsMatch(id))
        {
            return Error(400, "INVALID_ARGUMENT", $"Invalid pipeline job id: {id}");
        }

        var body = (await JsonNode.ParseAsync(context.Request.Body))!;
        if (Problem(body) is { } problem)
        {
            return Error(400, "INVALID_ARGUMENT", problem);
        }

        var name = $"projects/{project}/locations/{location}/pipelineJobs/{id}";
        var job = new Job(name, id, body) { OmitTaskDetails = OmitTaskDetails };
        if (!_jobs.TryAdd(id, job))
        {
            return Error(409, "ALREADY_EXISTS", $"PipelineJob {name} already exists.");
        }

        job.Runner = Task.Run(async () =>
        {
            try
            {
                await RunAsync(job);
            }
            catch (Exception e)
            {
                job.Set("PIPELINE_STATE_FAILED", "The fake could not run the job: " + e.Message);
            }
        });
        return Results.Text(job.ToJson(), "application/json");
    }

    // A job is found only under the project and location it was created in, as the real API finds it.
    private IResult Get(string project, string location, string job) =>
        _jobs.TryGetValue(job, out var found) && found.Name == $"projects/{project}/locations/{location}/pipelineJobs/{job}"
            ? Results.Text(found.ToJson(), "application/json")
            : Error(404, "NOT_FOUND", $"PipelineJob projects/{project}/locations/{location}/pipelineJobs/{job} not found.");

    private IResult Cancel(string project, string location, string jobAndVerb)
    {
        var id = jobAndVerb.EndsWith(":cancel", StringComparison.Ordinal) ? jobAndVerb[..^":cancel".Length] : null;
        if (id is null || !_jobs.TryGetValue(id, out var job) || job.Name != $"projects/{project}/locations/{location}/pipelineJobs/{id}")
        {
            return Error(404, "NOT_FOUND", $"PipelineJob projects/{project}/locations/{location}/pipelineJobs/{id} not found.");
        }

        if (job.FinalState is { } final)
        {
            return Error(400, "FAILED_PRECONDITION", $"Cannot cancel PipelineJob {job.Name} because it is in state {final}.");
        }

        job.Cancel.Cancel();
        return Results.Text("{}", "application/json");
    }

    private readonly ConcurrentDictionary<string, JsonObject> _schedules = new();
    private int _nextSchedule = 1000;

    [GeneratedRegex(@"^(TZ=[A-Za-z_/+-]+ )?[0-9*,/-]+ [0-9*,/-]+ [0-9*,/?LW-]+ [0-9A-Z*,/-]+ [0-9A-Z*,/?L#-]+$")]
    private static partial Regex CronPattern();

    public IReadOnlyDictionary<string, JsonObject> Schedules => _schedules;

    private async Task<IResult> CreateSchedule(HttpContext context, string project, string location)
    {
        var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        if (body["displayName"]?.GetValue<string>() is not { Length: > 0 })
        {
            return Error(400, "INVALID_ARGUMENT", "displayName is required.");
        }

        if (body["cron"]?.GetValue<string>() is not { } cron || !CronPattern().IsMatch(cron) || !CronFieldsInRange(cron))
        {
            return Error(400, "INVALID_ARGUMENT", $"Invalid cron expression: {body["cron"]}.");
        }

        var request = body["createPipelineJobRequest"];
        if (request?["parent"]?.GetValue<string>() != $"projects/{project}/locations/{location}" || request["pipelineJob"] is not { } job)
        {
            return Error(400, "INVALID_ARGUMENT", "createPipelineJobRequest.parent must be the schedule's parent and pipelineJob is required.");
        }

        if (Problem(job) is { } problem)
        {
            return Error(400, "INVALID_ARGUMENT", problem);
        }

        var id = Interlocked.Increment(ref _nextSchedule).ToString(System.Globalization.CultureInfo.InvariantCulture);
        body["name"] = $"projects/{project}/locations/{location}/schedules/{id}";
        body["state"] = "ACTIVE";
        body["nextRunTime"] = DateTimeOffset.UtcNow.AddHours(1).ToString("O");
        _schedules[id] = body;
        return Results.Text(body.ToJsonString(), "application/json");
    }

    private IResult ListSchedules(HttpContext context)
    {
        // Pages of one, so clients must follow nextPageToken.
        var all = _schedules.OrderBy(s => s.Key, StringComparer.Ordinal).ToList();
        var start = int.TryParse(context.Request.Query["pageToken"], out var token) ? token : 0;
        var page = new JsonObject { ["schedules"] = new JsonArray([.. all.Skip(start).Take(1).Select(s => s.Value.DeepClone())]) };
        if (start + 1 < all.Count)
        {
            page["nextPageToken"] = (start + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return Results.Text(page.ToJsonString(), "application/json");
    }

    private IResult ScheduleVerb(string scheduleAndVerb)
    {
        var (id, verb) = scheduleAndVerb.Split(':') is [var i, var v] ? (i, v) : ("", "");
        if (!_schedules.TryGetValue(id, out var schedule))
        {
            return Error(404, "NOT_FOUND", $"Schedule {id} not found.");
        }

        var (from, to) = verb switch { "pause" => ("ACTIVE", "PAUSED"), "resume" => ("PAUSED", "ACTIVE"), _ => ("", "") };
        if (to.Length == 0 || schedule["state"]!.GetValue<string>() != from)
        {
            return Error(400, "FAILED_PRECONDITION", $"Schedule {id} is {schedule["state"]} and cannot be {verb}d.");
        }

        schedule["state"] = to;
        return Results.Text("{}", "application/json");
    }

    private IResult DeleteSchedule(string schedule) =>
        _schedules.TryRemove(schedule, out _) ? Results.Text("{}", "application/json") : Error(404, "NOT_FOUND", $"Schedule {schedule} not found.");

    /// <summary>What the real API would reject in a create body, or null.</summary>
    private static string? Problem(JsonNode body)
    {
        if (body["displayName"]?.GetValue<string>() is not { Length: > 0 })
        {
            return "displayName is required.";
        }

        if (body["pipelineSpec"] is not JsonObject spec || spec["schemaVersion"]?.GetValue<string>() != "2.1.0")
        {
            return "pipelineSpec must be a PipelineSpec with schemaVersion 2.1.0.";
        }

        var specJson = spec.ToJsonString();
        if (SpecChecker.Check(specJson) is { Count: > 0 } errors)
        {
            return "Invalid pipelineSpec: " + errors[0];
        }

        foreach (var executor in spec["deploymentSpec"]!["executors"]!.AsObject())
        {
            var image = executor.Value!["container"]!["image"]!.GetValue<string>();
            if (image.Contains("{{", StringComparison.Ordinal) || !image.Contains('/', StringComparison.Ordinal))
            {
                return $"Invalid container image '{image}' in executor {executor.Key}.";
            }
        }

        var runtime = body["runtimeConfig"];
        if (runtime?["gcsOutputDirectory"]?.GetValue<string>() is not { } root || !root.StartsWith("gs://", StringComparison.Ordinal))
        {
            return "runtimeConfig.gcsOutputDirectory must be a gs:// path.";
        }

        var definitions = spec["root"]?["inputDefinitions"]?["parameters"]?.AsObject() ?? [];
        var values = runtime["parameterValues"]?.AsObject() ?? [];
        foreach (var value in values)
        {
            if (!definitions.ContainsKey(value.Key))
            {
                return $"The pipeline parameter {value.Key} is not found in the pipeline job input definitions.";
            }
        }

        foreach (var definition in definitions)
        {
            var optional = definition.Value!["isOptional"]?.GetValue<bool>() == true;
            if (!values.ContainsKey(definition.Key) && !optional)
            {
                return $"The pipeline parameter {definition.Key} is required but missing.";
            }
        }

        if (body["serviceAccount"]?.GetValue<string>() is { } account && !account.Contains('@', StringComparison.Ordinal))
        {
            return $"Invalid service account {account}.";
        }

        foreach (var label in body["labels"]?.AsObject() ?? [])
        {
            if (!LabelKeyPattern().IsMatch(label.Key) || !LabelValuePattern().IsMatch(label.Value!.GetValue<string>()))
            {
                return $"Invalid label {label.Key}={label.Value}.";
            }
        }

        return null;
    }

    private async Task RunAsync(Job job)
    {
        StartRunContext(job);
        job.Set("PIPELINE_STATE_RUNNING");
        var spec = job.Body["pipelineSpec"]!;
        if (PullImage is not null)
        {
            var image = spec["deploymentSpec"]!["executors"]!.AsObject().First().Value!["container"]!["image"]!.GetValue<string>();
            AppDirectory = await PullImage(image);
        }

        if (RunWholeSpec)
        {
            await RunWholeSpecAsync(job);
            return;
        }

        var root = job.Body["runtimeConfig"]!["gcsOutputDirectory"]!.GetValue<string>().TrimEnd('/');
        var failFast = job.Body["runtimeConfig"]!["failurePolicy"]?.GetValue<string>() == "PIPELINE_FAILURE_POLICY_FAIL_FAST";
        var tasks = spec["root"]!["dag"]!["tasks"]!.AsObject();
        var finished = new Dictionary<string, string>();
        var failed = false;
        job.AddTask(spec["pipelineInfo"]!["name"]!.GetValue<string>(), "RUNNING");
        foreach (var name in tasks.Select(t => t.Key))
        {
            job.AddTask(name, "PENDING");
        }

        while (finished.Count < tasks.Count)
        {
            var ready = tasks.Where(t => !finished.ContainsKey(t.Key) && Dependencies(t.Value!).All(finished.ContainsKey)).ToList();
            foreach (var (name, task) in ready)
            {
                if (job.Cancel.IsCancellationRequested || (failFast && failed))
                {
                    finished[name] = job.Finish(name, "CANCELLED", null);
                    continue;
                }

                if (Dependencies(task!).Any(d => finished[d] != "SUCCEEDED"))
                {
                    finished[name] = job.Finish(name, "NOT_TRIGGERED", null);
                    continue;
                }

                finished[name] = await ExecuteAsync(job, spec, root, name, task!);
                failed |= finished[name] == "FAILED";
            }
        }

        var end = job.Cancel.IsCancellationRequested ? "PIPELINE_STATE_CANCELLED" : failed ? "PIPELINE_STATE_FAILED" : "PIPELINE_STATE_SUCCEEDED";
        job.Finish(spec["pipelineInfo"]!["name"]!.GetValue<string>(), end == "PIPELINE_STATE_SUCCEEDED" ? "SUCCEEDED" : "FAILED", null);
        job.Set(end, failed ? "Some tasks failed." : null);
    }

    private async Task<string> ExecuteAsync(Job job, JsonNode spec, string root, string name, JsonNode task)
    {
        if (_holds.TryRemove(name, out var hold))
        {
            hold.Reach();
            try
            {
                await hold.Released.WaitAsync(job.Cancel.Token);
            }
            catch (OperationCanceledException)
            {
                return job.Finish(name, "CANCELLED", null);
            }
        }

        job.Start(name);
        var component = spec["components"]![task["componentRef"]!["name"]!.GetValue<string>()]!;
        var container = spec["deploymentSpec"]!["executors"]![component["executorLabel"]!.GetValue<string>()]!["container"]!;
        var taskRoot = $"/gcs/{root["gs://".Length..]}/{job.Id}/{name}";
        var input = new JsonObject
        {
            ["inputs"] = new JsonObject { ["parameterValues"] = InputValues(job, spec, task) },
            ["outputs"] = new JsonObject
            {
                ["parameters"] = new JsonObject((component["outputDefinitions"]?["parameters"]?.AsObject() ?? [])
                    .Select(p => KeyValuePair.Create(p.Key, (JsonNode?)new JsonObject { ["outputFile"] = $"{taskRoot}/outputs/{p.Key}" }))),
                ["outputFile"] = $"{taskRoot}/executor_output.json",
            },
        };
        var inputJson = input.ToJsonString();
        // As the launcher does: the executor input, and the run's and task's names (the task's by its taskInfo.name).
        var placeholders = new Dictionary<string, string>
        {
            ["{{$}}"] = inputJson,
            ["{{$.pipeline_job_resource_name}}"] = job.Name,
            ["{{$.pipeline_job_name}}"] = job.Id,
            ["{{$.pipeline_task_name}}"] = task["taskInfo"]?["name"]?.GetValue<string>() ?? name,
            ["{{$.pipeline_task_uuid}}"] = name,
        };
        var commandLine = container["command"]!.AsArray().Concat(container["args"]?.AsArray() ?? [])
            .Select(a => placeholders.Aggregate(a!.GetValue<string>(), (text, p) => text.Replace(p.Key, p.Value, StringComparison.Ordinal)))
            .Select(a => a.StartsWith("/app/", StringComparison.Ordinal) ? Path.Combine(AppDirectory, a["/app/".Length..]) : a).ToList();

        var start = new ProcessStartInfo(commandLine[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in commandLine.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var variable in container["env"]?.AsArray() ?? [])
        {
            start.Environment[variable!["name"]!.GetValue<string>()] = variable["value"]?.GetValue<string>() ?? "";
        }

        foreach (var (key, value) in TaskEnvironment)
        {
            start.Environment[key] = value;
        }

        start.Environment["PIPELINES_GCS_MOUNT"] = GcsRoot;
        using var process = Process.Start(start)!;
        var (stdout, stderr) = (process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        var log = await stdout + await stderr;
        await process.WaitForExitAsync();
        job.Logs[name] = log;
        var localRoot = Path.Combine(GcsRoot, taskRoot["/gcs/".Length..]);
        if (process.ExitCode != 0)
        {
            var errorFile = Path.Combine(localRoot, "executor_error.json");
            var message = File.Exists(errorFile) ? JsonNode.Parse(File.ReadAllText(errorFile))!["error"]!.GetValue<string>() : log;
            return job.Finish(name, "FAILED", $"The replica workerpool0-0 exited with a non-zero status of {process.ExitCode}. Error: {message}");
        }

        var output = JsonNode.Parse(File.ReadAllText(Path.Combine(localRoot, "executor_output.json")))!;
        foreach (var value in output["parameterValues"]?.AsObject() ?? [])
        {
            job.Outputs[(name, value.Key)] = value.Value!.DeepClone();
        }

        return job.Finish(name, "SUCCEEDED", null);
    }

    private static JsonObject InputValues(Job job, JsonNode spec, JsonNode task)
    {
        var values = new JsonObject();
        foreach (var (input, binding) in task["inputs"]?["parameters"]?.AsObject() ?? [])
        {
            values[input] = binding!["taskOutputParameter"] is { } producer
                ? job.Outputs[(producer["producerTask"]!.GetValue<string>(), producer["outputParameterKey"]!.GetValue<string>())].DeepClone()
                : binding["componentInputParameter"] is { } parameter
                    ? (job.Body["runtimeConfig"]!["parameterValues"]?[parameter.GetValue<string>()]
                        ?? spec["root"]!["inputDefinitions"]!["parameters"]![parameter.GetValue<string>()]!["defaultValue"])!.DeepClone()
                    : binding["runtimeValue"]!["constant"]!.DeepClone();
        }

        return values;
    }

    private static IEnumerable<string> Dependencies(JsonNode task) =>
        task["dependentTasks"]?.AsArray().Select(d => d!.GetValue<string>()) ?? [];

    private static IResult Error(int code, string status, string message) =>
        Results.Text(new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message, ["status"] = status } }.ToJsonString(), "application/json", Encoding.UTF8, code);

    private sealed class Job(string name, string id, JsonNode body)
    {
        private readonly Lock _gate = new();
        private readonly List<JsonObject> _tasks = [];
        private string _state = "PIPELINE_STATE_PENDING";
        private string? _error;
        private DateTimeOffset? _start;
        private DateTimeOffset? _end;

        public string Id { get; } = id;

        public string Name { get; } = name;

        public JsonNode Body { get; } = body;

        public DateTimeOffset Created { get; } = DateTimeOffset.UtcNow;

        public CancellationTokenSource Cancel { get; } = new();

        public Task Runner { get; set; } = Task.CompletedTask;

        public ConcurrentDictionary<(string Task, string Output), JsonNode> Outputs { get; } = new();

        public ConcurrentDictionary<string, string> Logs { get; } = new();

        public PipelineSdk.Tests.Shared.SpecExecution.SpecRun? SpecRun { get; set; }

        public bool OmitTaskDetails { get; init; }

        /// <summary>The job's run context, once it runs.</summary>
        public string? RunContext { get; set; }

        /// <summary>The job's state once it ended, else null.</summary>
        public string? FinalState
        {
            get
            {
                lock (_gate)
                {
                    return _end is null ? null : _state;
                }
            }
        }

        public void Set(string state, string? error = null)
        {
            lock (_gate)
            {
                _state = state;
                _error = error;
                _start ??= DateTimeOffset.UtcNow;
                if (state is "PIPELINE_STATE_SUCCEEDED" or "PIPELINE_STATE_FAILED" or "PIPELINE_STATE_CANCELLED")
                {
                    _end = DateTimeOffset.UtcNow;
                }
            }
        }

        public void AddTask(string task, string state)
        {
            lock (_gate)
            {
                _tasks.Add(new JsonObject { ["taskId"] = (_tasks.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), ["taskName"] = task, ["state"] = state });
            }
        }

        public void Start(string task)
        {
            lock (_gate)
            {
                var detail = _tasks.Single(t => t["taskName"]!.GetValue<string>() == task);
                detail["state"] = "RUNNING";
                detail["startTime"] = DateTimeOffset.UtcNow.ToString("O");
            }
        }

        public string Finish(string task, string state, string? error)
        {
            lock (_gate)
            {
                var detail = _tasks.Single(t => t["taskName"]!.GetValue<string>() == task);
                detail["state"] = state;
                detail["endTime"] = DateTimeOffset.UtcNow.ToString("O");
                if (error is not null)
                {
                    detail["error"] = new JsonObject { ["code"] = 9, ["message"] = error };
                }

                var metadata = new JsonObject();
                foreach (var ((owner, output), value) in Outputs.Where(o => o.Key.Task == task))
                {
                    metadata["output:" + output] = value.DeepClone();
                }

                detail["execution"] = new JsonObject { ["state"] = state == "SUCCEEDED" ? "COMPLETE" : state, ["metadata"] = metadata };
                return state;
            }
        }

        public string ToJson()
        {
            lock (_gate)
            {
                var job = new JsonObject
                {
                    ["name"] = Name,
                    ["displayName"] = Body["displayName"]!.DeepClone(),
                    ["state"] = _state,
                    ["createTime"] = Created.ToString("O"),
                    ["pipelineSpec"] = Body["pipelineSpec"]!.DeepClone(),
                    ["runtimeConfig"] = Body["runtimeConfig"]!.DeepClone(),
                };
                if (!OmitTaskDetails)
                {
                    job["jobDetail"] = new JsonObject { ["taskDetails"] = SpecRun?.TaskDetails() ?? new JsonArray([.. _tasks.Select(t => t.DeepClone())]) };
                    if (RunContext is { } runContext)
                    {
                        job["jobDetail"]!["pipelineRunContext"] = new JsonObject { ["name"] = runContext, ["schemaTitle"] = "system.PipelineRun" };
                    }
                }

                if (_start is { } start)
                {
                    job["startTime"] = start.ToString("O");
                }

                if (_end is { } end)
                {
                    job["endTime"] = end.ToString("O");
                }

                if (_error is not null)
                {
                    job["error"] = new JsonObject { ["code"] = 9, ["message"] = _error };
                }

                return job.ToJsonString();
            }
        }
    }
}

/// <summary>A task of a fake Vertex job held before it starts (see <see cref="FakeVertex.Hold"/>).</summary>
internal sealed class TaskHold(string task)
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the job has reached the task (every task before it has finished).</summary>
    public async Task ReachedAsync()
    {
        try
        {
            await _reached.Task.WaitAsync(ProcessResult.HangLimit);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"hung: no fake Vertex job reached task {task} in {ProcessResult.HangLimit.TotalMinutes} minutes");
        }
    }

    internal Task Released => _released.Task;

    /// <summary>Lets the task start.</summary>
    public void Release() => _released.TrySetResult();

    internal void Reach() => _reached.TrySetResult();
}
