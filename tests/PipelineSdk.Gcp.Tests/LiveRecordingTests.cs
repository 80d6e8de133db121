using System.Reflection;
using System.Text.Json.Nodes;
using PipelineSdk.Artifacts;
using PipelineSdk.Execution;
using PipelineSdk.Gcp.Tests.Fakes;
using PipelineSdk.Gcp.Vertex;
using PipelineSdk.Server.Hosting;
using PipelineSdk.Server.Security;
using PipelineSdk.Stacks;
using PipelineSdk.Store;
using PipelineSdk.Store.Remote;
using PipelineSdk.Store.Sql;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Gcp.Tests;

/// <summary>
/// QuickStart, unchanged, on a Vertex stack whose store is a real <c>pipelines server</c>: the steps that the fake Vertex AI
/// runs read the server's token from the fake Secret Manager with their own credentials and record themselves on the
/// server as they run — before, or without, the submitter's follow loop.
/// </summary>
public class LiveRecordingTests
{
    private const string Image = "127.0.0.1:5000/pipelines/app:test";
    private const string TokenSecret = "projects/my-project/secrets/pipelines-token/versions/latest";

    private FakeGoogle _google = null!;
    private FakeVertex _vertex = null!;
    private PipelineServer _server = null!;
    private string _directory = null!;
    private string _token = null!;
    private Dictionary<string, string> _environment = null!;

    private string GcsRoot => Path.Combine(_directory, "gcs");

    [SetUp]
    public async Task SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("psdk-live-").FullName;
        var serverDirectory = Path.Combine(_directory, "server");
        using (var database = SqlMetadataStore.OpenSqlite(serverDirectory))
        {
            _token = new ApiTokens(database).Create("vertex-steps", TokenRole.Write, null);
            database.RegisterComponent(new Component(ComponentType.ArtifactStore, "gcs", "gcp", new Dictionary<string, string> { ["path"] = "gs://test-bucket/root" }));
            database.RegisterComponent(new Component(ComponentType.ContainerRegistry, "registry", "default", new Dictionary<string, string> { ["uri"] = "127.0.0.1:5000/pipelines" }));
            database.RegisterComponent(new Component(ComponentType.Orchestrator, "vertex", "vertex", new Dictionary<string, string>
            {
                ["project"] = "my-project", ["location"] = "europe-west1", ["workload_service_account"] = FakeGoogle.ServiceAccount,
                ["synchronous"] = "false", ["server_token_secret"] = TokenSecret,
            }));
            database.RegisterStack("vertex_stack", new Dictionary<ComponentType, string> { [ComponentType.ArtifactStore] = "gcs", [ComponentType.ContainerRegistry] = "registry", [ComponentType.Orchestrator] = "vertex" });
        }

        _server = await PipelineServer.StartAsync(new ServerOptions { StoreDirectory = serverDirectory, Port = 0 });
        _google = await FakeGoogle.StartAsync();
        _vertex = await FakeVertex.StartAsync(_google, Example("QuickStart"), GcsRoot);
        var keyFile = _google.WriteKeyFile(_directory);
        // The machine the tasks run on: its service account's credentials and the Secret Manager endpoint; no server token.
        _vertex.TaskEnvironment["GOOGLE_APPLICATION_CREDENTIALS"] = keyFile;
        _vertex.TaskEnvironment[Secrets.GcpSecretsManager.EndpointVariable] = _google.BaseUrl;
        _vertex.TaskEnvironment["PIPELINES_HOME"] = Path.Combine(_directory, "task-home");
        _environment = new Dictionary<string, string>
        {
            ["PIPELINES_HOME"] = Path.Combine(_directory, "client"),
            ["PIPELINES_STACK"] = "vertex_stack",
            [ServerConnection.UrlVariable] = _server.Url,
            [ServerConnection.TokenVariable] = _token,
            ["HOME"] = _directory,
            ["GOOGLE_APPLICATION_CREDENTIALS"] = keyFile,
            [VertexClient.EndpointVariable] = _vertex.BaseUrl,
            [VertexClient.RetryDelayVariable] = "20",
            [VertexOrchestrator.PollIntervalVariable] = "50",
            [ProgramImageSource.ImageVariable] = Image,
        };
    }

    [TearDown]
    public async Task TearDown()
    {
        await _vertex.DisposeAsync();
        await _google.DisposeAsync();
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task Steps_of_a_run_nobody_follows_record_themselves_on_the_server_as_they_run()
    {
        _google.AddSecret("my-project", "pipelines-token", _token + "\n");

        var result = await Run();

        Assert.That(result.Exit, Is.EqualTo(0), result.Output + result.Error);
        var jobId = _vertex.JobIds.Single();
        using var store = Client();
        Assert.That(store.GetRun(jobId)!.Status, Is.EqualTo(RunStatus.Running), "listed while it runs");
        await _vertex.WaitAsync(jobId);

        var run = store.ListRuns().Single();
        Assert.That((run.Id, run.Status, run.Orchestrator, run.Stack, run.Owner), Is.EqualTo((jobId, RunStatus.Running, "vertex", "vertex_stack", (RunOwner?)null)),
            "no process of ours owns it, so it is never marked crashed; the steps cannot know they were the last");
        var steps = store.GetStepRuns(jobId).ToDictionary(s => s.TaskKey);
        Assert.That(steps.Keys, Is.EquivalentTo(new[] { "get-first-num", "get-random-int", "subtract-numbers" }));
        Assert.That(steps.Values.Select(s => s.Status), Is.All.EqualTo(StepStatus.Completed));

        var first = store.GetOutputs(steps["get-first-num"].Id)["Output"];
        Assert.That(first.Uri, Does.StartWith($"gs://test-bucket/root/{jobId}/get-first-num/"));
        Assert.That(File.ReadAllText(Path.Combine(GcsRoot, first.Uri["gs://".Length..])), Is.EqualTo("10"));
        Assert.That((first.Size, first.ContentHash, first.KfpType), Is.EqualTo((2L, ContentHash.Of("10"u8), "NUMBER_INTEGER")));

        var inputs = store.GetInputs(steps["subtract-numbers"].Id).ToDictionary(i => i.InputName);
        Assert.That((inputs["firstNum"].Source, inputs["firstNum"].ArtifactId, inputs["firstNum"].ContentHash), Is.EqualTo(("task", (long?)first.Id, first.ContentHash)), "lineage to the producer's record");
        Assert.That(steps["subtract-numbers"].DependsOn, Is.EquivalentTo(new[] { "get-first-num", "get-random-int" }));

        var log = steps["subtract-numbers"].LogPath!;
        Assert.That(log, Does.StartWith($"gs://test-bucket/root/{jobId}/subtract-numbers/"));
        Assert.That(File.ReadAllText(Path.Combine(GcsRoot, log["gs://".Length..])), Does.Contain("Step 'subtract-numbers' of pipeline 'vertex-example-pipeline' completed"));

        Assert.That(_google.Reads("my-project", "pipelines-token"), Is.EqualTo(3), "each step read the token itself");
        var body = _vertex.CreatedBody(jobId).ToJsonString();
        Assert.That(body, Does.Contain(TokenSecret).And.Contain(_server.Url).And.Not.Contain(_token), "the spec names the secret, never the token");
        Assert.That(body, Does.Contain("{{$.pipeline_task_name}}").And.Contain("{{$.pipeline_job_resource_name}}"));
        foreach (var file in Directory.EnumerateFiles(GcsRoot, "*", SearchOption.AllDirectories))
        {
            Assert.That(File.ReadAllText(file), Does.Not.Contain(_token), $"{file} holds the token");
        }

        Assert.That(steps.Keys.Select(task => _vertex.Log(jobId, task)), Has.None.Contain(_token).And.None.Contain("warning"));
    }

    [Test]
    public async Task Listing_runs_records_the_end_of_a_run_nobody_follows_as_Vertex_reports_it()
    {
        _google.AddSecret("my-project", "pipelines-token", _token);
        Assert.That((await Run()).Exit, Is.EqualTo(0));
        var jobId = _vertex.JobIds.Single();
        await _vertex.WaitAsync(jobId);

        var listed = JsonNode.Parse((await Cli("runs", "list", "--output", "json")).Output)!.AsArray().Single()!;

        Assert.That((listed["id"]!.GetValue<string>(), listed["status"]!.GetValue<string>()), Is.EqualTo((jobId, "completed")));
        using var store = Client();
        var run = store.GetRun(jobId)!;
        Assert.That((run.Status, run.Error, run.EndedAt.HasValue), Is.EqualTo((RunStatus.Completed, (string?)null, true)), "recorded on the server, so every member of the team sees it ended");
        Assert.That(store.GetStepRuns(jobId).Select(s => s.Status), Is.All.EqualTo(StepStatus.Completed));
    }

    [Test]
    public async Task A_run_cancelled_on_Vertex_is_shown_and_recorded_cancelled_and_its_step_left_running_is_ended()
    {
        _google.AddSecret("my-project", "pipelines-token", _token);
        var hold = _vertex.Hold("subtract-numbers");
        Assert.That((await Run()).Exit, Is.EqualTo(0));
        var jobId = _vertex.JobIds.Single();
        await hold.ReachedAsync();
        using var store = Client();
        // What a container killed mid-step leaves: a step run that started and never ended.
        var killed = store.StartStepRun(jobId, "subtract-numbers", "subtract-numbers", DateTimeOffset.UtcNow, null, null);
        Assert.That(JsonNode.Parse((await Cli("runs", "show", jobId, "--output", "json")).Output)!["run"]!["status"]!.GetValue<string>(), Is.EqualTo("running"));

        _vertex.CancelJob(jobId);
        await _vertex.WaitAsync(jobId);
        var shown = await Cli("runs", "show", jobId);

        Assert.That(shown.Output, Does.Contain($"Run {jobId} of pipeline vertex-example-pipeline: cancelled"));
        Assert.That(store.GetRun(jobId)!.Status, Is.EqualTo(RunStatus.Cancelled));
        var steps = store.GetStepRuns(jobId).ToDictionary(s => s.TaskKey);
        Assert.That((steps["get-first-num"].Status, steps["get-random-int"].Status), Is.EqualTo((StepStatus.Completed, StepStatus.Completed)));
        Assert.That((steps["subtract-numbers"].Id, steps["subtract-numbers"].Status, steps["subtract-numbers"].Error),
            Is.EqualTo((killed, StepStatus.Failed, "the run ended (cancelled) before this step recorded its own end")));
    }

    [Test]
    public async Task Without_Google_credentials_a_listing_notes_once_why_it_shows_runs_as_last_recorded()
    {
        _google.AddSecret("my-project", "pipelines-token", _token);
        Assert.That((await Run()).Exit, Is.EqualTo(0));
        await _vertex.WaitAsync(_vertex.JobIds.Single());
        _environment["GOOGLE_APPLICATION_CREDENTIALS"] = Path.Combine(_directory, "missing-key.json");

        var listed = await Cli("runs", "list");

        Assert.That(listed.Output, Does.Contain("running"));
        Assert.That(listed.Error.Trim().Split('\n'), Has.Length.EqualTo(1).And.One.StartsWith($"note: run {_vertex.JobIds.Single()} may have ended on vertex, but its state could not be read ("));
    }

    [Test]
    public async Task A_followed_run_is_recorded_once_by_its_steps_and_the_follow_loop_together()
    {
        _google.AddSecret("my-project", "pipelines-token", _token);
        UpdateOrchestrator("synchronous", "true");

        var result = await Run();

        Assert.That(result.Exit, Is.EqualTo(0), result.Output + result.Error);
        using var store = Client();
        var run = store.ListRuns().Single();
        Assert.That(run.Status, Is.EqualTo(RunStatus.Completed));
        var steps = store.GetStepRuns(run.Id);
        Assert.That(steps.Select(s => s.TaskKey), Is.EquivalentTo(new[] { "get-first-num", "get-random-int", "subtract-numbers" }), "no duplicates");
        var values = steps.ToDictionary(s => s.TaskKey, s => int.Parse(File.ReadAllText(Path.Combine(GcsRoot, store.GetOutputs(s.Id)["Output"].Uri["gs://".Length..])), System.Globalization.CultureInfo.InvariantCulture));
        Assert.That(values["subtract-numbers"], Is.EqualTo(10 - values["get-random-int"]));
    }

    [Test]
    public async Task An_unreadable_token_secret_is_a_warning_in_each_step_and_the_steps_still_succeed()
    {
        var result = await Run();

        Assert.That(result.Exit, Is.EqualTo(0), result.Output + result.Error);
        var jobId = _vertex.JobIds.Single();
        await _vertex.WaitAsync(jobId);
        Assert.That(_vertex.Log(jobId, "get-first-num"), Does.Contain(
            $"warning: task 'get-first-num' is not recorded live (the secret version {TokenSecret} does not exist (Secret [projects/my-project/secrets/pipelines-token] not found or has no versions.)); the step itself goes on"));
        Assert.That(_vertex.Log(jobId, "subtract-numbers"), Does.Contain("completed"));
        using var store = Client();
        Assert.That(store.GetRun(jobId), Is.Not.Null, "the submitter recorded the run");
        Assert.That(store.GetStepRuns(jobId), Is.Empty);
    }

    [Test]
    public async Task Without_a_token_secret_the_submitter_says_what_to_set_and_asks_the_steps_for_nothing()
    {
        UpdateOrchestrator("server_token_secret", null);

        var result = await Run();

        Assert.That(result.Exit, Is.EqualTo(0), result.Output + result.Error);
        Assert.That(result.Output, Does.Contain($"warning: the steps will not report to {_server.Url} while they run: the vertex orchestrator 'vertex' has no server_token_secret; "
            + "store an API token in Secret Manager and run `pipelines orchestrator update vertex --server_token_secret=projects/PROJECT/secrets/SECRET/versions/latest`"));
        var body = _vertex.CreatedBody(_vertex.JobIds.Single()).ToJsonString();
        Assert.That(body, Does.Not.Contain("--run").And.Not.Contain(Execution.LiveRecording.TokenSecretVariable));
    }

    [Test]
    public async Task A_dry_run_on_Vertex_predicts_exactly_what_its_cache_then_reuses()
    {
        _google.AddSecret("my-project", "pipelines-token", _token);
        UpdateOrchestrator("synchronous", "true");
        _vertex.AppDirectory = Example("TrainAndDeploy");
        _vertex.RunWholeSpec = true;
        // The dry run reads cached parameter values (a condition needs the best accuracy) where the tasks wrote them.
        _environment[GcsMount.RootVariable] = GcsRoot;
        string[] epochs = ["--param", "epochs=40"];
        var first = await Run("TrainAndDeploy", epochs);
        Assert.That(first.Exit, Is.EqualTo(0), first.Output + first.Error);
        using (var store = Client())
        {
            var steps = store.GetStepRuns(store.ListRuns().Single().Id);
            Assert.That(steps.Count(s => s.TaskKey.StartsWith("train-model[", StringComparison.Ordinal) && s.CacheKey is not null), Is.EqualTo(4),
                "each iteration recorded itself apart, with its cache key");
            Assert.That(steps.Select(s => s.TaskKey), Has.None.EqualTo("train-model"), "the follow loop left the iterations to them");
            Assert.That(store.ListArtifactVersions("classifier").Select(v => (v.Version, v.Stage)), Is.EqualTo(new[] { (1, ModelStage.Production) }),
                "pick-best's container registered the model and deploy's promoted that same version, both through the server");
        }


        var unchanged = await PredictThenRun(epochs);
        Assert.That(unchanged["load-data"], Does.StartWith("cached: same cache key and image as Vertex AI step run"));
        Assert.That(unchanged.Where(p => p.Key.StartsWith("train-model[", StringComparison.Ordinal)).Select(p => p.Value).ToList(), Has.Count.EqualTo(4).And.All.StartWith("cached"));
        Assert.That(unchanged["beats-production"], Does.StartWith("runs: caching is off for it"), "it reads the production model, so it never comes from the cache");
        Assert.That(unchanged["deploy"], Does.StartWith("decided_at_run_time"), "its condition is the comparison with production");
        using (var store = Client())
        {
            var again = store.GetStepRuns(store.ListRuns().First().Id).ToDictionary(s => s.TaskKey);
            Assert.That(again["deploy"].Status, Is.Not.EqualTo(StepStatus.Completed), "the production model, pinned at submission and read from Cloud Storage, is as good");
            Assert.That(again["beats-production"].MetadataJson, Does.Contain("\"productionAccuracy\""));
            Assert.That(store.ListArtifactVersions("classifier").Select(v => (v.Version, v.Stage)), Is.EqualTo(new[] { (1, ModelStage.Production) }), "a cached pick-best registers nothing");
        }

        Assert.That(unchanged["notify"], Does.StartWith("decided_at_run_time: it takes the outcome of"));

        string[] fewer = [.. epochs, "--param", "rows=1500"];
        var fewerRows = await PredictThenRun(fewer);
        Assert.That(fewerRows["load-data"], Is.EqualTo("runs: its cache key changed: input 'rows' changed: 2000 → 1500"));
        Assert.That(fewerRows["split"], Is.EqualTo("runs: it takes artifact 'data' from 'load-data', which runs: Vertex AI keys a task's inputs by artifact, not content, and that run makes a new one"));

        _environment[ProgramImageSource.ImageVariable] = Image + "-rebuilt";
        // No fourth run: Vertex AI's cache key holds the whole container, image included (ExecutionCache.Key), so none can be cached.
        var rebuilt = await Predict(fewer);
        Assert.That(rebuilt["load-data"], Is.EqualTo($"runs: its cache key changed: the container image changed: {Image} → {Image}-rebuilt (any change to the program makes a new image)"));
        Assert.That(rebuilt.Values, Has.None.StartWith("cached"));
    }

    [Test]
    public void The_token_secret_setting_must_name_a_secret_version()
    {
        var vertex = Flavors.Find(ComponentType.Orchestrator, "vertex")!;

        Assert.That(vertex.Validate(Settings("pipelines-token")), Is.EqualTo(new[] { "--server_token_secret=pipelines-token: must be a Secret Manager secret version like projects/P/secrets/S/versions/latest" }));
        Assert.That(vertex.Validate(Settings(TokenSecret)), Is.Empty);
        Assert.That(vertex.Validate(Settings("projects/my-project/secrets/t/versions/3")), Is.Empty);

        static Dictionary<string, string> Settings(string secret) =>
            new() { ["project"] = "my-project", ["location"] = "europe-west1", ["server_token_secret"] = secret };
    }

    /// <summary>
    /// Dry-runs TrainAndDeploy with <paramref name="args"/>, then runs it for real, and checks that the tasks predicted cached are
    /// exactly those the fake Vertex AI's cache served. Returns each task's "forecast: reason".
    /// </summary>
    private async Task<Dictionary<string, string>> PredictThenRun(string[] args)
    {
        var jobs = _vertex.JobIds.ToList();
        var predicted = await Predict(args);

        var run = await Run("TrainAndDeploy", args);
        Assert.That(run.Exit, Is.EqualTo(0), run.Output + run.Error);
        var served = _vertex.SpecRunOf(_vertex.JobIds.Except(jobs).Single()).Steps().Where(s => s.State == "SKIPPED").Select(s => s.StepKey).ToList();
        Assert.That(predicted.Where(p => p.Value.StartsWith("cached", StringComparison.Ordinal)).Select(p => p.Key), Is.EquivalentTo(served),
            "predicted cached vs served by Vertex AI's cache:\n" + string.Join("\n", predicted.Select(p => $"{p.Key} {p.Value}")));
        return predicted;
    }

    /// <summary>Dry-runs TrainAndDeploy with <paramref name="args"/>; returns each task's "forecast: reason".</summary>
    private async Task<Dictionary<string, string>> Predict(string[] args)
    {
        var jobs = _vertex.JobIds.ToList();
        var dryRun = await Run("TrainAndDeploy", [.. args, "--dry-run", "--output", "json"]);
        Assert.That(dryRun.Exit, Is.EqualTo(0), dryRun.Output + dryRun.Error);
        Assert.That(_vertex.JobIds, Is.EquivalentTo(jobs), "a dry run submits nothing");
        var plan = JsonNode.Parse(dryRun.Output)!;
        Assert.That(plan["orchestrator"]!.GetValue<string>(), Is.EqualTo("vertex"));
        return plan["tasks"]!.AsArray().ToDictionary(t => t!["task"]!.GetValue<string>(), t => $"{t!["forecast"]!.GetValue<string>()}: {t["reason"]!.GetValue<string>()}");
    }

    private ServerStore Client() => new(Path.Combine(_directory, "reader"), new ServerConnection(_server.Url, _token));

    private void UpdateOrchestrator(string setting, string? value)
    {
        using var store = Client();
        var vertex = store.GetComponent(ComponentType.Orchestrator, "vertex");
        var settings = new Dictionary<string, string>(vertex.Settings);
        if (value is null)
        {
            settings.Remove(setting);
        }
        else
        {
            settings[setting] = value;
        }

        store.UpdateComponent(vertex with { Settings = settings });
    }

    private async Task<ProcessResult> Cli(params string[] args)
    {
        var result = await ProcessResult.RunAsync("dotnet", [Metadata("CliDll"), .. args], _environment);
        Assert.That(result.Exit, Is.EqualTo(0), $"pipelines {string.Join(' ', args)}\n{result.Output}\n{result.Error}");
        return result;
    }

    private Task<ProcessResult> Run() => Run("QuickStart", []);

    private Task<ProcessResult> Run(string example, string[] args) =>
        ProcessResult.RunAsync("dotnet", [Path.Combine(Example(example), example + ".dll"), .. args], _environment);

    private static string Example(string name) =>
        Path.Combine(Metadata("ExamplesDirectory"), name, Metadata("OutputSubdirectory"));

    private static string Metadata(string key) =>
        typeof(LiveRecordingTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
