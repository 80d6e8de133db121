using System.Collections.Concurrent;
using System.Globalization;
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
using PipelineSdk.Tests.Shared.SpecExecution;

namespace PipelineSdk.Kubeflow.Tests.Fakes;

/// <summary>
/// The Kubeflow Pipelines v2beta1 REST API on 127.0.0.1, strict like the API server: every body is checked against the
/// published schema (<see cref="KfpSchema"/>), required inputs and references are checked as the server does (a run needs a
/// display name and an existing pipeline, version and experiment; a version a 2.1.0 PipelineSpec that holds together), and
/// with <see cref="Token"/> set, requests need that bearer token or the Dex session cookie; with
/// <see cref="AllowedNamespaces"/>, only those namespaces (multi-user mode, where listing and creating experiments needs one).
/// Runs execute their spec with <see cref="SpecRun"/>: each container task's command under the executor contract, with
/// <c>/app</c> mapped to <see cref="AppDirectory"/> and the launcher's <c>/minio</c> and <c>/s3</c> folders under
/// <see cref="ObjectRoot"/>; <c>run_details.task_details</c> report them. Faults can be injected per request.
/// </summary>
internal sealed partial class FakeKubeflow : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, JsonObject> _experiments = new();
    private readonly ConcurrentDictionary<string, JsonObject> _pipelines = new();
    private readonly ConcurrentDictionary<string, JsonObject> _versions = new();
    private readonly ConcurrentDictionary<string, RunState> _runs = new();
    private readonly ConcurrentDictionary<string, JsonObject> _recurringRuns = new();
    private readonly InjectedFaults _faults = new();
    private readonly ExecutionCache _cache = new();

    private FakeKubeflow(WebApplication app, string appDirectory, string objectRoot)
    {
        _app = app;
        AppDirectory = appDirectory;
        ObjectRoot = objectRoot;
    }

    /// <summary>What the container's /app holds: the program's files.</summary>
    public string AppDirectory { get; set; }

    /// <summary>The folder that stands for <c>/</c> of the launcher's <c>/minio</c> and <c>/s3</c> folders.</summary>
    public string ObjectRoot { get; }

    /// <summary>What the machine a task runs on adds to its environment.</summary>
    public Dictionary<string, string> TaskEnvironment { get; } = new(StringComparer.Ordinal);

    /// <summary>When set, runs created from now on wait for it before their first task starts (they stay RUNNING), so a test acts mid-run.</summary>
    public Task? StartGate { get; set; }

    /// <summary>When set, the bearer token every request needs (or <see cref="SessionCookie"/>).</summary>
    public string? Token { get; set; }

    /// <summary>When set, Dex's <c>authservice_session</c> cookie value that authenticates a request too.</summary>
    public string? SessionCookie { get; set; }

    /// <summary>When set, multi-user mode: the namespaces the caller may use.</summary>
    public HashSet<string>? AllowedNamespaces { get; set; }

    public string BaseUrl { get; private set; } = "";

    public ConcurrentQueue<string> Requests { get; } = new();

    public IReadOnlyCollection<JsonObject> Runs => [.. _runs.Values.Select(r => r.Body)];

    public IReadOnlyCollection<JsonObject> Pipelines => [.. _pipelines.Values];

    public IReadOnlyCollection<JsonObject> Versions => [.. _versions.Values];

    public IReadOnlyCollection<JsonObject> Experiments => [.. _experiments.Values];

    public IReadOnlyCollection<JsonObject> RecurringRuns => [.. _recurringRuns.Values];

    /// <summary>Completes when the run has ended; a run that has not ended within the hang limit (a gate never opened) is a hang.</summary>
    public async Task WaitAsync(string runId)
    {
        try
        {
            await _runs[runId].Runner.WaitAsync(PipelineSdk.Tests.Shared.ProcessResult.HangLimit);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"hung: fake Kubeflow run {runId} did not end in {PipelineSdk.Tests.Shared.ProcessResult.HangLimit.TotalMinutes} minutes");
        }
    }

    public static async Task<FakeKubeflow> StartAsync(string appDirectory, string objectRoot)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeKubeflow(app, appDirectory, objectRoot);
        fake.Map(app);
        await app.StartAsync();
        fake.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/');
        return fake;
    }

    /// <summary>Adds an experiment, as one made in the UI.</summary>
    public string AddExperiment(string name, string? ns = null, bool archived = false)
    {
        var id = Guid.NewGuid().ToString();
        _experiments[id] = new JsonObject
        {
            ["experiment_id"] = id, ["display_name"] = name, ["namespace"] = ns ?? "", ["storage_state"] = archived ? "ARCHIVED" : "AVAILABLE",
            ["created_at"] = Now(),
        };
        return id;
    }

    /// <summary>Answers the next <paramref name="count"/> requests with <paramref name="status"/> before doing anything.</summary>
    public void FailNext(int count, int status) => _faults.AnswerNext(count, Error(status, status == 429 ? 8 : 14, "Injected fault.").ExecuteAsync);

    /// <summary>Lets the next <paramref name="method"/> request to <paramref name="path"/> do its work, then drops the connection before the answer reaches the client.</summary>
    public void DropAnswerTo(string method, string path) => _faults.DropNextAnswer(request => request.Method == method && request.Path == path);

    public async ValueTask DisposeAsync()
    {
        foreach (var run in _runs.Values)
        {
            run.Cancel.Cancel();
            await run.Runner.ConfigureAwait(false);
        }

        await _app.DisposeAsync();
    }

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            Requests.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
            if (Token is not null && context.Request.Headers.Authorization.ToString() != $"Bearer {Token}"
                && (SessionCookie is null || context.Request.Cookies["authservice_session"] != SessionCookie))
            {
                // What the API server (or Istio in front of it) says to a request without valid credentials.
                await Error(401, 16, "Unauthenticated: Request header error: there is no user identity header.").ExecuteAsync(context);
                return;
            }

            if (AllowedNamespaces is not null && context.Request.Query["namespace"] is { Count: > 0 } ns && !AllowedNamespaces.Contains(ns.ToString()))
            {
                await Error(403, 7, $"PermissionDenied: User is not authorized to access namespace {ns}").ExecuteAsync(context);
                return;
            }

            await _faults.ApplyAsync(context, next);
        });
        app.MapGet("/apis/v2beta1/experiments", (Delegate)ListExperiments);
        app.MapPost("/apis/v2beta1/experiments", (Delegate)CreateExperiment);
        app.MapGet("/apis/v2beta1/pipelines/names/{name}", GetPipelineByName);
        app.MapPost("/apis/v2beta1/pipelines/create", (Delegate)CreatePipelineAndVersion);
        app.MapGet("/apis/v2beta1/pipelines/{pipelineId}/versions", ListVersions);
        app.MapPost("/apis/v2beta1/pipelines/{pipelineId}/versions", CreateVersion);
        app.MapPost("/apis/v2beta1/runs", (Delegate)CreateRun);
        app.MapGet("/apis/v2beta1/runs", (Delegate)ListRuns);
        app.MapGet("/apis/v2beta1/runs/{runId}", GetRun);
        app.MapPost("/apis/v2beta1/runs/{runAndVerb}", RunVerb);
        app.MapPost("/apis/v2beta1/recurringruns", (Delegate)CreateRecurringRun);
    }

    private async Task<IResult> ListExperiments(HttpContext context)
    {
        var ns = context.Request.Query["namespace"].ToString();
        if (AllowedNamespaces is not null && ns.Length == 0)
        {
            return Error(400, 3, "Invalid input error: In multi-user mode, ListExperiment requires filter by namespace.");
        }

        if (Filter(context) is { Problem: { } problem })
        {
            return Error(400, 3, problem);
        }

        var matches = _experiments.Values.Where(e => e["namespace"]!.GetValue<string>() == ns && Filter(context).Matches(e)).ToList();
        await Task.CompletedTask;
        return Json(new JsonObject { ["experiments"] = new JsonArray([.. matches.Select(e => (JsonNode)e.DeepClone())]), ["total_size"] = matches.Count });
    }

    private async Task<IResult> CreateExperiment(HttpContext context)
    {
        var (body, problem) = await ReadAsync(context, "v2beta1Experiment");
        if (problem is not null)
        {
            return Error(400, 3, problem);
        }

        var name = Text(body, "display_name");
        var ns = Text(body, "namespace");
        if (name.Length == 0)
        {
            return Error(400, 3, "Invalid input error: Experiment must have a non-empty name.");
        }

        if (AllowedNamespaces is not null && (ns.Length == 0 || !AllowedNamespaces.Contains(ns)))
        {
            return ns.Length == 0 ? Error(400, 3, "Invalid input error: In multi-user mode, experiment namespace can't be empty.") : Error(403, 7, $"PermissionDenied: User is not authorized to access namespace {ns}");
        }

        if (_experiments.Values.Any(e => e["display_name"]!.GetValue<string>() == name && e["namespace"]!.GetValue<string>() == ns))
        {
            return Error(409, 6, $"Already exist error: Failed to create a new experiment. The name {name} already exists. Please specify a new name.");
        }

        return Json(_experiments[AddExperiment(name, ns)].DeepClone());
    }

    private IResult GetPipelineByName(HttpContext context, string name)
    {
        var ns = context.Request.Query["namespace"].ToString();
        var found = _pipelines.Values.FirstOrDefault(p => p["name"]!.GetValue<string>() == name && p["namespace"]!.GetValue<string>() == ns);
        return found is null ? Error(404, 5, $"Not found: Pipeline with name {name} in namespace '{ns}' not found.") : Json(found.DeepClone());
    }

    private async Task<IResult> CreatePipelineAndVersion(HttpContext context)
    {
        var (body, problem) = await ReadAsync(context, "v2beta1CreatePipelineAndVersionRequest");
        if (problem is not null)
        {
            return Error(400, 3, problem);
        }

        var pipeline = KfpSchema.Field(body, "pipeline") as JsonObject;
        var name = Text(pipeline, "name") is { Length: > 0 } n ? n : Text(pipeline, "display_name");
        if (pipeline is null || name.Length == 0)
        {
            return Error(400, 3, "Invalid input error: Pipeline name is required.");
        }

        var ns = Text(pipeline, "namespace");
        if (_pipelines.Values.Any(p => p["name"]!.GetValue<string>() == name && p["namespace"]!.GetValue<string>() == ns))
        {
            return Error(409, 6, $"Already exist error: Failed to create a new pipeline. The name {name} already exists in namespace '{ns}'.");
        }

        var id = Guid.NewGuid().ToString();
        if (VersionProblem(KfpSchema.Field(body, "pipeline_version") as JsonObject, id) is { } versionProblem)
        {
            return Error(400, 3, versionProblem);
        }

        var stored = new JsonObject { ["pipeline_id"] = id, ["name"] = name, ["display_name"] = Text(pipeline, "display_name") is { Length: > 0 } d ? d : name, ["namespace"] = ns, ["created_at"] = Now() };
        _pipelines[id] = stored;
        AddVersion((JsonObject)KfpSchema.Field(body, "pipeline_version")!, id);
        return Json(stored.DeepClone());
    }

    private IResult ListVersions(HttpContext context, string pipelineId)
    {
        if (!_pipelines.ContainsKey(pipelineId))
        {
            return Error(404, 5, $"Not found: Pipeline {pipelineId} not found.");
        }

        if (Filter(context) is { Problem: { } problem })
        {
            return Error(400, 3, problem);
        }

        var matches = _versions.Values.Where(v => v["pipeline_id"]!.GetValue<string>() == pipelineId && Filter(context).Matches(v)).ToList();
        return Json(new JsonObject { ["pipeline_versions"] = new JsonArray([.. matches.Select(v => (JsonNode)v.DeepClone())]), ["total_size"] = matches.Count });
    }

    private async Task<IResult> CreateVersion(HttpContext context, string pipelineId)
    {
        var (body, problem) = await ReadAsync(context, "v2beta1PipelineVersion");
        if (problem is not null)
        {
            return Error(400, 3, problem);
        }

        if (!_pipelines.ContainsKey(pipelineId))
        {
            return Error(404, 5, $"Not found: Pipeline {pipelineId} not found.");
        }

        if (VersionProblem((JsonObject)body!, pipelineId) is { } versionProblem)
        {
            return Error(400, 3, versionProblem);
        }

        return Json(AddVersion((JsonObject)body!, pipelineId).DeepClone());
    }

    private string? VersionProblem(JsonObject? version, string pipelineId)
    {
        var name = Text(version, "name") is { Length: > 0 } n ? n : Text(version, "display_name");
        if (version is null || name.Length == 0)
        {
            return "Invalid input error: Pipeline version name is required.";
        }

        if (_versions.Values.Any(v => v["pipeline_id"]!.GetValue<string>() == pipelineId && v["name"]!.GetValue<string>() == name))
        {
            return $"Already exist error: The name {name} already exists for pipeline {pipelineId}.";
        }

        if (KfpSchema.Field(version, "pipeline_spec") is not JsonObject spec)
        {
            return "Invalid input error: Pipeline spec source is missing: set pipeline_spec or package_url.";
        }

        return SpecProblem(spec);
    }

    /// <summary>What the API server says of a pipeline_spec struct: a 2.1.0 PipelineSpec (alone or with a platform spec) that holds together.</summary>
    private static string? SpecProblem(JsonObject spec)
    {
        var pipelineSpec = spec["pipeline_spec"] as JsonObject ?? spec;
        if (spec["platform_spec"] is JsonObject platform)
        {
            var executors = platform["platforms"]?["kubernetes"]?["deploymentSpec"]?["executors"] as JsonObject;
            var known = pipelineSpec["deploymentSpec"]?["executors"] as JsonObject;
            if (executors is null || executors.Any(e => known?.ContainsKey(e.Key) != true || e.Value?["imagePullSecret"] is not JsonArray))
            {
                return "Invalid input error: cannot unmarshal platform specific configs: executors must name the spec's executors with KubernetesExecutorConfig values";
            }
        }

        if (pipelineSpec["schemaVersion"]?.GetValue<string>() != "2.1.0")
        {
            return $"Invalid input error: KFP only supports schema version 2.1.0, but the pipeline spec has version {pipelineSpec["schemaVersion"]}";
        }

        if (pipelineSpec["pipelineInfo"]?["name"]?.GetValue<string>() is not { } name || !PipelineNamePattern().IsMatch(name))
        {
            return "Invalid input error: invalid v2 pipeline spec: name should consist of lower case alphanumeric characters, '-' or '.'";
        }

        return SpecChecker.Check(pipelineSpec.ToJsonString()) is { Count: > 0 } errors ? "Invalid input error: invalid v2 pipeline spec: " + errors[0] : null;
    }

    private JsonObject AddVersion(JsonObject version, string pipelineId)
    {
        var id = Guid.NewGuid().ToString();
        var stored = (JsonObject)version.DeepClone();
        stored.Remove("pipelineSpec");
        stored["pipeline_spec"] = KfpSchema.Field(version, "pipeline_spec")!.DeepClone();
        stored["pipeline_id"] = pipelineId;
        stored["pipeline_version_id"] = id;
        stored["name"] = Text(version, "name") is { Length: > 0 } n ? n : Text(version, "display_name");
        stored["created_at"] = Now();
        _versions[id] = stored;
        return stored;
    }

    private async Task<IResult> CreateRun(HttpContext context)
    {
        var (body, problem) = await ReadAsync(context, "v2beta1Run");
        if (problem is not null)
        {
            return Error(400, 3, problem);
        }

        if (Text(body, "display_name").Length == 0)
        {
            return Error(400, 3, "Invalid input error: The run name is empty. Please specify a valid name.");
        }

        var (version, versionProblem) = ReferencedVersion(KfpSchema.Field(body, "pipeline_version_reference"));
        if (versionProblem is not null)
        {
            return versionProblem;
        }

        var experimentId = Text(body, "experiment_id");
        if (experimentId.Length > 0 && !_experiments.ContainsKey(experimentId))
        {
            return Error(404, 5, $"Not found: Experiment {experimentId} not found.");
        }

        var spec = (JsonObject)(version!["pipeline_spec"]!["pipeline_spec"] ?? version["pipeline_spec"])!;
        var runtimeConfig = KfpSchema.Field(body, "runtime_config") as JsonObject ?? [];
        var parameters = KfpSchema.Field(runtimeConfig, "parameters") as JsonObject ?? [];
        var declared = spec["root"]?["inputDefinitions"]?["parameters"] as JsonObject ?? [];
        if (parameters.Select(p => p.Key).FirstOrDefault(p => !declared.ContainsKey(p)) is { } unknown)
        {
            return Error(400, 3, $"Invalid input error: input parameter {unknown} is not defined in the pipeline spec");
        }

        var id = Guid.NewGuid().ToString();
        var run = new RunState(id, (JsonObject)body!.DeepClone());
        run.Body["run_id"] = id;
        run.Body["experiment_id"] = experimentId.Length > 0 ? experimentId : _experiments.Values.FirstOrDefault()?["experiment_id"]?.GetValue<string>() ?? "";
        run.Body["created_at"] = Now();
        run.Body["state"] = "PENDING";
        _runs[id] = run;
        var pipelineRoot = Text(runtimeConfig, "pipeline_root") is { Length: > 0 } root ? root : "minio://mlpipeline/v2/artifacts";
        var vertexShaped = new JsonObject { ["parameterValues"] = parameters.DeepClone(), ["gcsOutputDirectory"] = pipelineRoot };
        var specRun = new SpecRun((JsonObject)spec.DeepClone(), vertexShaped, id, id, new TaskMachine(AppDirectory, ObjectRoot, TaskEnvironment), _cache);
        run.Start(specRun, StartGate);
        return Json(run.Snapshot());
    }

    private (JsonObject? Version, IResult? Problem) ReferencedVersion(JsonNode? reference)
    {
        var pipelineId = Text(reference, "pipeline_id");
        if (pipelineId.Length == 0)
        {
            return (null, Error(400, 3, "Invalid input error: Pipeline version reference with a pipeline id is required."));
        }

        if (!_pipelines.ContainsKey(pipelineId))
        {
            return (null, Error(404, 5, $"Not found: Pipeline {pipelineId} not found."));
        }

        var versionId = Text(reference, "pipeline_version_id");
        var version = versionId.Length > 0 ? _versions.GetValueOrDefault(versionId) : _versions.Values.Where(v => v["pipeline_id"]!.GetValue<string>() == pipelineId).MaxBy(v => v["created_at"]!.GetValue<string>());
        return version is null || version["pipeline_id"]!.GetValue<string>() != pipelineId
            ? (null, Error(404, 5, $"Not found: Pipeline version {versionId} of pipeline {pipelineId} not found."))
            : (version, null);
    }

    private IResult ListRuns(HttpContext context)
    {
        if (Filter(context) is { Problem: { } problem })
        {
            return Error(400, 3, problem);
        }

        var experiment = context.Request.Query["experiment_id"].ToString();
        var matches = _runs.Values.Select(r => r.Snapshot()).Where(r => (experiment.Length == 0 || r["experiment_id"]!.GetValue<string>() == experiment) && Filter(context).Matches(r)).ToList();
        return Json(new JsonObject { ["runs"] = new JsonArray([.. matches.Select(r => (JsonNode)r)]), ["total_size"] = matches.Count });
    }

    private IResult GetRun(string runId) =>
        _runs.TryGetValue(runId, out var run) ? Json(run.Snapshot()) : Error(404, 5, $"Not found: Run {runId} not found.");

    private IResult RunVerb(string runAndVerb)
    {
        var (runId, verb) = runAndVerb.Split(':') is [var id, var v] ? (id, v) : (runAndVerb, "");
        if (verb != "terminate")
        {
            return Error(404, 5, $"Not Found: POST /apis/v2beta1/runs/{runAndVerb}");
        }

        if (!_runs.TryGetValue(runId, out var run))
        {
            return Error(404, 5, $"Not found: Run {runId} not found.");
        }

        run.Cancel.Cancel();
        return Json(new JsonObject());
    }

    private async Task<IResult> CreateRecurringRun(HttpContext context)
    {
        var (body, problem) = await ReadAsync(context, "v2beta1RecurringRun");
        if (problem is not null)
        {
            return Error(400, 3, problem);
        }

        if (Text(body, "display_name").Length == 0)
        {
            return Error(400, 3, "Invalid input error: The recurring run name is empty. Please specify a valid name.");
        }

        if (KfpSchema.Field(KfpSchema.Field(body, "trigger"), "cron_schedule") is { } cron && !SixFieldCron().IsMatch(Text(cron, "cron")))
        {
            return Error(400, 3, $"Invalid input error: invalid cron schedule '{Text(cron, "cron")}': expected six fields, seconds first");
        }

        if (KfpSchema.Field(body, "mode")?.GetValue<string>() is not ("ENABLE" or "DISABLE"))
        {
            return Error(400, 3, "Invalid input error: The recurring run mode must be ENABLE or DISABLE.");
        }

        var concurrency = KfpSchema.Field(body, "max_concurrency") is { } max ? long.Parse(max.ToString(), CultureInfo.InvariantCulture) : 1;
        if (concurrency is < 1 or > 10)
        {
            return Error(400, 3, $"Invalid input error: max concurrency of recurring run should be between 1 and 10, got {concurrency}");
        }

        var (_, versionProblem) = ReferencedVersion(KfpSchema.Field(body, "pipeline_version_reference"));
        if (versionProblem is not null)
        {
            return versionProblem;
        }

        var id = Guid.NewGuid().ToString();
        var stored = (JsonObject)body!.DeepClone();
        stored["recurring_run_id"] = id;
        stored["status"] = Text(body, "mode") == "ENABLE" ? "ENABLED" : "DISABLED";
        stored["created_at"] = Now();
        _recurringRuns[id] = stored;
        return Json(stored.DeepClone());
    }

    private static async Task<(JsonNode? Body, string? Problem)> ReadAsync(HttpContext context, string message)
    {
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body);
        }
        catch (JsonException e)
        {
            return (null, "proto: syntax error: " + e.Message);
        }

        return KfpSchema.Check(body, message) is { Count: > 0 } problems ? (body, "Invalid input error: " + problems[0]) : (body, null);
    }

    private static FilterQuery Filter(HttpContext context)
    {
        var text = context.Request.Query["filter"].ToString();
        if (text.Length == 0)
        {
            return new FilterQuery([], null);
        }

        JsonNode? filter;
        try
        {
            filter = JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            return new FilterQuery([], $"Invalid input error: failed to parse the filter: {e.Message}");
        }

        if (KfpSchema.Check(filter, "v2beta1Filter") is { Count: > 0 } problems)
        {
            return new FilterQuery([], "Invalid input error: failed to parse the filter: " + problems[0]);
        }

        var predicates = (KfpSchema.Field(filter, "predicates") as JsonArray ?? []).Select(p => (Key: Text(p, "key"), Operation: Text(p, "operation"), Value: Text(p, "string_value"))).ToList();
        return predicates.FirstOrDefault(p => p.Operation != "EQUALS") is { Key: { } key, Operation: { Length: > 0 } operation }
            ? new FilterQuery([], $"the fake supports EQUALS only, not {operation} on {key}")
            : new FilterQuery(predicates.Select(p => (p.Key, p.Value)).ToList(), null);
    }

    private sealed record FilterQuery(List<(string Key, string Value)> Predicates, string? Problem)
    {
        public bool Matches(JsonObject item) => Predicates.All(p => item[p.Key]?.GetValue<string>() == p.Value);
    }

    private static string Text(JsonNode? node, string field) => KfpSchema.Field(node, field) is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";

    private static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static IResult Json(JsonNode body) => Results.Text(body.ToJsonString(), "application/json", Encoding.UTF8);

    /// <summary>An error as grpc-gateway writes it.</summary>
    private static IResult Error(int status, int code, string message) =>
        Results.Text(new JsonObject { ["error"] = message, ["code"] = code, ["message"] = message, ["details"] = new JsonArray() }.ToJsonString(), "application/json", Encoding.UTF8, status);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex PipelineNamePattern();

    [GeneratedRegex(@"^\S+ \S+ \S+ \S+ \S+ \S+$")]
    private static partial Regex SixFieldCron();

    /// <summary>A run: its body as created, and its spec run once started.</summary>
    private sealed class RunState(string id, JsonObject body)
    {
        public JsonObject Body { get; } = body;

        public CancellationTokenSource Cancel { get; } = new();

        public Task Runner { get; private set; } = Task.CompletedTask;

        private SpecRun? Execution { get; set; }

        private DateTimeOffset? Finished { get; set; }

        public void Start(SpecRun run, Task? gate)
        {
            Execution = run;
            Runner = Task.Run(async () =>
            {
                if (gate is not null)
                {
                    await Task.WhenAny(gate, Task.Delay(Timeout.Infinite, Cancel.Token).ContinueWith(_ => { }, TaskScheduler.Default));
                }

                await run.RunAsync(Cancel.Token);
                Finished = DateTimeOffset.UtcNow;
            });
        }

        /// <summary>The run as GET returns it: state, error and the tasks so far.</summary>
        public JsonObject Snapshot()
        {
            var snapshot = (JsonObject)Body.DeepClone();
            if (Execution is not { } run)
            {
                return snapshot;
            }

            var ended = Finished is not null;
            snapshot["state"] = !ended ? "RUNNING" : run.State switch
            {
                "PIPELINE_STATE_SUCCEEDED" => "SUCCEEDED",
                "PIPELINE_STATE_CANCELLED" => "CANCELED",
                _ => "FAILED",
            };
            if (ended)
            {
                snapshot["finished_at"] = Finished!.Value.ToString("O", CultureInfo.InvariantCulture);
                if (run.Error is { } error)
                {
                    snapshot["error"] = new JsonObject { ["code"] = 2, ["message"] = error };
                }
            }

            snapshot["scheduled_at"] = Body["created_at"]?.DeepClone();
            snapshot["run_details"] = new JsonObject { ["task_details"] = new JsonArray([.. run.Records.Where(r => r.Reported && r.State != "NOT_TRIGGERED").Select(r => (JsonNode)TaskDetail(r))]) };
            return snapshot;
        }

        private JsonObject TaskDetail(TaskRecord record)
        {
            var detail = new JsonObject
            {
                ["run_id"] = id,
                ["task_id"] = record.Id,
                ["display_name"] = record.Name,
                ["state"] = record.State switch { "CANCELLED" => "CANCELED", "NOT_TRIGGERED" => "SKIPPED", var s => s },
            };
            if (record.ParentId is not null)
            {
                detail["parent_task_id"] = record.ParentId;
            }

            if (record.Start is { } start)
            {
                detail["start_time"] = start.ToString("O", CultureInfo.InvariantCulture);
            }

            if (record.End is { } end)
            {
                detail["end_time"] = end.ToString("O", CultureInfo.InvariantCulture);
            }

            if (record.Error is { } error && record.State is "FAILED" or "CANCELLED")
            {
                detail["error"] = new JsonObject { ["code"] = 2, ["message"] = error };
            }

            if (record.StepKey is not null)
            {
                detail["executor_detail"] = new JsonObject { ["main_job"] = $"{record.Name}-{record.Id}-pod" };
            }

            return detail;
        }
    }
}
