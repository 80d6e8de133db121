using System.Diagnostics;
using System.Reflection;
using PipelineSdk.Gcp.Tests.Fakes;
using PipelineSdk.Gcp.Vertex;
using PipelineSdk.Stacks;
using PipelineSdk.Store;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Gcp.Tests;

/// <summary>
/// Example programs, unchanged, run on a Vertex stack: they submit to the fake Vertex AI (which runs each
/// task through the executor contract), follow the job and record it in the store.
/// </summary>
public class VertexOrchestratorTests
{
    private const string Image = "127.0.0.1:5000/pipelines/app:test";

    private FakeGoogle _google = null!;
    private FakeVertex _vertex = null!;
    private string _directory = null!;
    private Dictionary<string, string> _environment = null!;

    private string Store => Path.Combine(_directory, "store");

    [SetUp]
    public async Task SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("psdk-vertex-").FullName;
        _google = await FakeGoogle.StartAsync();
        _vertex = await FakeVertex.StartAsync(_google, Example("QuickStart"), Path.Combine(_directory, "gcs"));
        _environment = new Dictionary<string, string>
        {
            ["PIPELINES_HOME"] = Store,
            ["PIPELINES_STACK"] = "",
            ["HOME"] = _directory,
            ["GOOGLE_APPLICATION_CREDENTIALS"] = _google.WriteKeyFile(_directory),
            [VertexClient.EndpointVariable] = _vertex.BaseUrl,
            [VertexClient.RetryDelayVariable] = "20",
            [VertexOrchestrator.PollIntervalVariable] = "50",
            [ProgramImageSource.ImageVariable] = Image,
        };
        using var store = MetadataStore.Open(Store);
        store.RegisterComponent(new Component(ComponentType.ArtifactStore, "gcs", "gcp", new Dictionary<string, string> { ["path"] = "gs://test-bucket/root" }));
        store.RegisterComponent(new Component(ComponentType.ContainerRegistry, "registry", "default", new Dictionary<string, string> { ["uri"] = "127.0.0.1:5000/pipelines" }));
        store.RegisterComponent(new Component(ComponentType.Orchestrator, "vertex", "vertex", new Dictionary<string, string>
        {
            ["project"] = "my-project", ["location"] = "europe-west1", ["workload_service_account"] = FakeGoogle.ServiceAccount, ["labels"] = "team=ml",
        }));
        store.RegisterStack("vertex_stack", new Dictionary<ComponentType, string> { [ComponentType.ArtifactStore] = "gcs", [ComponentType.ContainerRegistry] = "registry", [ComponentType.Orchestrator] = "vertex" });
        store.SetActiveStack("vertex_stack");
    }

    [TearDown]
    public async Task TearDown()
    {
        await _vertex.DisposeAsync();
        await _google.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task QuickStart_runs_on_Vertex_prints_the_link_follows_the_tasks_and_records_the_run()
    {
        var result = await Run("QuickStart");

        Assert.That(result.Exit, Is.EqualTo(0), result.Output + result.Error);
        var jobId = _vertex.JobIds.Single();
        Assert.That(jobId, Does.Match("^vertex-example-pipeline-[0-9]{14}-[0-9a-f]{4}$"));
        Assert.That(result.Output, Does.Contain($"Submitted pipeline job {jobId} to Vertex AI (europe-west1).")
            .And.Contain($"https://console.cloud.google.com/vertex-ai/locations/europe-west1/pipelines/runs/{jobId}?project=my-project")
            .And.Contain("job SUCCEEDED"));
        Assert.That(result.Output, Does.Match(@"\n[0-9:]{8} subtract-numbers (queued|running)\n(.*\n)*[0-9:]{8} subtract-numbers done \([0-9.]+ m?s\)\n"), "each task's state changes are printed as timestamped lines");
        Assert.That(result.Output, Does.Match($@"\n[0-9:]{{8}} run {jobId} of vertex-example-pipeline started\n"));

        var body = _vertex.CreatedBody(jobId);
        Assert.That(body["serviceAccount"]!.GetValue<string>(), Is.EqualTo(FakeGoogle.ServiceAccount));
        Assert.That(body["runtimeConfig"]!["gcsOutputDirectory"]!.GetValue<string>(), Is.EqualTo("gs://test-bucket/root"));
        Assert.That(body["labels"]!["team"]!.GetValue<string>(), Is.EqualTo("ml"));
        Assert.That(body["pipelineSpec"]!["deploymentSpec"]!["executors"]!.AsObject().Select(e => e.Value!["container"]!["image"]!.GetValue<string>()), Is.All.EqualTo(Image));

        using var store = MetadataStore.Open(Store);
        var run = store.GetRun(jobId)!;
        Assert.That(run.Status, Is.EqualTo(RunStatus.Completed));
        Assert.That(run.Orchestrator, Is.EqualTo("vertex"));
        Assert.That(run.Stack, Is.EqualTo("vertex_stack"));
        Assert.That(run.RemoteId, Is.EqualTo($"projects/my-project/locations/europe-west1/pipelineJobs/{jobId}"));
        var outputs = store.GetStepRuns(jobId).ToDictionary(s => s.TaskKey, s => int.Parse(File.ReadAllText(PipelineSdk.Artifacts.LocalArtifactStore.LocalPath(store.GetOutputs(s.Id)["Output"].Uri)), System.Globalization.CultureInfo.InvariantCulture));
        Assert.That(outputs["get-first-num"], Is.EqualTo(10));
        Assert.That(outputs["subtract-numbers"], Is.EqualTo(10 - outputs["get-random-int"]));
    }

    [Test]
    public async Task Parameters_and_their_defaults_reach_the_job()
    {
        _vertex.AppDirectory = Example("LinearRegression");

        var result = await Run("LinearRegression", "--param", "epochs=50");

        Assert.That(result.Exit, Is.EqualTo(0), result.Output + result.Error);
        var values = _vertex.CreatedBody(_vertex.JobIds.Single())["runtimeConfig"]!["parameterValues"]!;
        Assert.That(values["epochs"]!.GetValue<int>(), Is.EqualTo(50));
        Assert.That(values["learningRate"]!.GetValue<double>(), Is.EqualTo(0.5));
        Assert.That(result.Output, Does.Contain("Output = \"y = 2.9"));
    }

    [Test]
    public async Task A_failed_task_is_shown_with_its_error_and_the_logs_link_and_the_exit_code_says_so()
    {
        _vertex.AppDirectory = Example("LinearRegression");

        var result = await Run("LinearRegression", "--param", "testFraction=2");

        Assert.That(result.Exit, Is.EqualTo(1));
        Assert.That(result.Output, Does.Contain("Task split failed: The replica workerpool0-0 exited with a non-zero status of 1. Error: ArgumentOutOfRangeException: must be between 0 and 1")
            .And.Contain("Logs: https://console.cloud.google.com/logs/query;query=").And.Contain("project=my-project"));
        Assert.That(result.Output, Does.Match(@"\n[0-9:]{8} split failed \([0-9.]+ m?s\): The replica workerpool0-0 exited"), "the follow loop reports the failure as it happens");
        using var store = MetadataStore.Open(Store);
        var steps = store.GetStepRuns(_vertex.JobIds.Single()).ToDictionary(s => s.TaskKey);
        Assert.That(store.GetRun(_vertex.JobIds.Single())!.Status, Is.EqualTo(RunStatus.Failed));
        Assert.That(steps["split"].Status, Is.EqualTo(StepStatus.Failed));
        Assert.That(steps["train"].Status, Is.EqualTo(StepStatus.NotRun));
    }

    [Test]
    public async Task TrainAndDeploy_runs_on_Vertex_with_its_loop_condition_and_exit_handler_executed_from_the_spec()
    {
        _vertex.AppDirectory = Example("TrainAndDeploy");
        _vertex.RunWholeSpec = true;

        var result = await Run("TrainAndDeploy", "--param", "epochs=40");

        Assert.That(result.Exit, Is.EqualTo(0), result.Output + result.Error);
        Assert.That(result.Output, Does.Contain("job SUCCEEDED"));
        var jobId = _vertex.JobIds.Single();
        var steps = _vertex.SpecRunOf(jobId).Steps().ToDictionary(s => s.StepKey!);
        Assert.That(steps.Keys.Count(k => k.StartsWith("train-model[", StringComparison.Ordinal)), Is.EqualTo(4), "one training per learning rate");
        Assert.That(steps.Values.Select(s => s.State), Is.All.AnyOf("SUCCEEDED", "NOT_TRIGGERED"));
        Assert.That(steps["notify"].Outputs.Parameters["Output"]!.GetValue<string>(), Is.EqualTo($"#ml-team: training run projects/my-project/locations/europe-west1/pipelineJobs/{jobId} finished."));
        Assert.That(_vertex.Log(jobId, "deploy") + _vertex.Log(jobId, "notify"), Does.Contain("finished."), "each task's log is kept under its step key");
        using var store = MetadataStore.Open(Store);
        var versions = store.ListArtifactVersions("classifier");
        Assert.That(versions.Select(v => (v.Version, v.Stage, v.RunId)), Is.EqualTo(new[] { (2, ModelStage.Production, jobId), (1, ModelStage.None, jobId) }),
            "recorded after following the job: without a team server the content hashes are not known, so deploy's promoted model is a version of its own");
        Assert.That(store.GetStageChanges("classifier").Single().ChangedBy, Is.EqualTo($"run {jobId}"));
    }

    [Test]
    public async Task Network_encryption_key_and_failure_policy_reach_the_job_body()
    {
        const string Key = "projects/my-project/locations/europe-west1/keyRings/ring/cryptoKeys/key";
        using (var store = MetadataStore.Open(Store))
        {
            var vertex = store.GetComponent(ComponentType.Orchestrator, "vertex");
            store.UpdateComponent(vertex with
            {
                Settings = new Dictionary<string, string>(vertex.Settings)
                {
                    ["network"] = "projects/123/global/networks/private", ["encryption_key"] = Key, ["failure_policy"] = "fast",
                },
            });
        }

        var result = await Run("QuickStart");

        Assert.That(result.Exit, Is.EqualTo(0), result.Output + result.Error);
        var body = _vertex.CreatedBody(_vertex.JobIds.Single());
        Assert.That(body["network"]!.GetValue<string>(), Is.EqualTo("projects/123/global/networks/private"));
        Assert.That(body["encryptionSpec"]!["kmsKeyName"]!.GetValue<string>(), Is.EqualTo(Key));
        Assert.That(body["runtimeConfig"]!["failurePolicy"]!.GetValue<string>(), Is.EqualTo("PIPELINE_FAILURE_POLICY_FAIL_FAST"));
    }

    [Test]
    public async Task Without_those_settings_the_body_has_no_network_or_key_and_fails_slow()
    {
        var result = await Run("QuickStart");

        Assert.That(result.Exit, Is.EqualTo(0), result.Output + result.Error);
        var body = _vertex.CreatedBody(_vertex.JobIds.Single());
        Assert.That(body["network"], Is.Null);
        Assert.That(body["encryptionSpec"], Is.Null);
        Assert.That(body["runtimeConfig"]!["failurePolicy"]!.GetValue<string>(), Is.EqualTo("PIPELINE_FAILURE_POLICY_FAIL_SLOW"));
    }

    [Test]
    public async Task Throttling_and_outages_are_retried_and_the_job_is_created_once()
    {
        _vertex.FailNext(2, 429);
        _vertex.FailNext(2, 503);

        var result = await Run("QuickStart");

        Assert.That(result.Exit, Is.EqualTo(0), result.Output + result.Error);
        Assert.That(_vertex.JobIds, Has.Count.EqualTo(1));
        Assert.That(_vertex.Requests.Count(r => r.StartsWith("POST", StringComparison.Ordinal) && r.Contains("pipelineJobId", StringComparison.Ordinal)), Is.EqualTo(5));
    }

    [Test]
    public async Task A_create_whose_answer_is_lost_is_retried_and_adopts_the_job_instead_of_duplicating_it()
    {
        _vertex.DropNextAnswer();

        var result = await Run("QuickStart");

        Assert.That(result.Exit, Is.EqualTo(0), result.Output + result.Error);
        Assert.That(_vertex.JobIds, Has.Count.EqualTo(1));
        Assert.That(result.Output, Does.Contain("already existed (a retried submission); following it."));
        using var store = MetadataStore.Open(Store);
        Assert.That(store.ListRuns(), Has.Count.EqualTo(1), "recorded once");
    }

    [Test]
    public async Task A_follow_that_loses_Vertex_AI_for_longer_than_one_request_s_retries_waits_it_out_and_completes()
    {
        var hold = _vertex.Hold("subtract-numbers");
        var running = Run("QuickStart");
        await hold.ReachedAsync();
        // Every request now is a poll of the follow: more failures in a row than one request retries, then dropped connections.
        _vertex.FailNext(10, 503);
        _vertex.DropNextAnswer();
        _vertex.DropNextAnswer();
        _vertex.FailNext(3, 503);
        hold.Release();

        var result = await running;

        Assert.That(result.Exit, Is.EqualTo(0), result.Output + result.Error);
        Assert.That(result.Output, Does.Contain("lost contact with Vertex AI (503 Service Unavailable); still trying for up to 30 minutes")
            .And.Contain("in contact with Vertex AI again").And.Contain("job SUCCEEDED"));
        using var store = MetadataStore.Open(Store);
        Assert.That(store.GetRun(_vertex.JobIds.Single())!.Status, Is.EqualTo(RunStatus.Completed));
    }

    [Test]
    public async Task Without_task_details_runs_show_says_each_step_is_unknown_not_that_it_did_not_run()
    {
        _vertex.OmitTaskDetails = true;

        var result = await Run("QuickStart");

        Assert.That(result.Exit, Is.EqualTo(0), result.Output + result.Error);
        var jobId = _vertex.JobIds.Single();
        var shown = await ProcessResult.RunAsync("dotnet", [Metadata("CliDll"), "runs", "show", jobId], _environment);
        Assert.That(shown.Exit, Is.EqualTo(0), shown.Output + shown.Error);
        Assert.That(shown.Output, Does.Contain($"Run {jobId} of pipeline vertex-example-pipeline: completed"));
        var rows = shown.Output.Split('\n').Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, "^│ (get-first-num|get-random-int|subtract-numbers) +│")).ToList();
        Assert.That(rows, Has.Count.EqualTo(3), shown.Output);
        Assert.That(rows, Is.All.Contain("│ unknown │").And.All.Contain("Vertex AI reported no task details for the job"));
        Assert.That(shown.Output, Does.Not.Contain("not run"));
        using var store = MetadataStore.Open(Store);
        Assert.That(store.GetStepRuns(jobId).Select(s => s.Status), Is.EqualTo(new[] { StepStatus.Unknown, StepStatus.Unknown, StepStatus.Unknown }));
    }

    [Test]
    public async Task Bad_credentials_are_one_line_errors_that_say_what_to_do()
    {
        var stranger = new FakeGoogle.Stranger(_google.BaseUrl);
        _environment["GOOGLE_APPLICATION_CREDENTIALS"] = stranger.WriteKeyFile(_directory);

        var result = await Run("QuickStart");

        Assert.That(result.Exit, Is.EqualTo(2));
        Assert.That(result.Error.TrimEnd('\n'), Does.StartWith("error: no usable Google credentials (").And.EndWith("set GOOGLE_APPLICATION_CREDENTIALS to a service account key file"));
        Assert.That(_vertex.JobIds, Is.Empty);
    }

    [Test]
    public async Task Not_waiting_submits_and_returns()
    {
        using (var store = MetadataStore.Open(Store))
        {
            var vertex = store.GetComponent(ComponentType.Orchestrator, "vertex");
            store.UpdateComponent(vertex with { Settings = new Dictionary<string, string>(vertex.Settings) { ["synchronous"] = "false" } });
        }

        var result = await Run("QuickStart");

        Assert.That(result.Exit, Is.EqualTo(0), result.Output + result.Error);
        Assert.That(result.Output, Does.Contain("Not waiting (synchronous=false)").And.Contain("submitted"));
        Assert.That(_vertex.JobIds, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Ctrl_C_while_following_cancels_the_job_without_asking_when_stdin_is_not_a_terminal_records_it_cancelled_and_exits_130()
    {
        var hold = _vertex.Hold("subtract-numbers");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(Example("QuickStart"), "QuickStart.dll"));
        foreach (var (name, value) in _environment)
        {
            start.Environment[name] = value;
        }

        using var program = Process.Start(start)!;
        var output = program.StandardOutput.ReadToEndAsync();
        var error = program.StandardError.ReadToEndAsync();
        await hold.ReachedAsync();
        var jobId = _vertex.JobIds.Single();

        // From C#, not a shell's background job: a shell would start it with SIGINT ignored.
        var signal = await ProcessResult.RunAsync("kill", ["-INT", program.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.That(signal.Exit, Is.EqualTo(0), signal.Error);
        using var hang = new CancellationTokenSource(ProcessResult.HangLimit);
        await program.WaitForExitAsync(hang.Token);
        await _vertex.WaitAsync(jobId);

        Assert.That(program.ExitCode, Is.EqualTo(PipelineSdk.Hosting.PipelineApp.Interrupted), await output + await error);
        Assert.That(_vertex.Requests, Does.Contain($"POST /v1/projects/my-project/locations/europe-west1/pipelineJobs/{jobId}:cancel"));
        Assert.That(await output, Does.Contain($"Stopped following {jobId}; cancelling it on Vertex AI (standard input is not a terminal, so nobody is asked).")
            .And.Contain("Asked Vertex AI to cancel it."));
        Assert.That(_vertex.FinalState(jobId), Is.EqualTo("PIPELINE_STATE_CANCELLED"));
        using var store = MetadataStore.Open(Store);
        var run = store.GetRun(jobId)!;
        Assert.That((run.Status, run.Error), Is.EqualTo((RunStatus.Cancelled, "cancelled on Vertex AI after an interrupt")));
    }

    [Test]
    public async Task A_run_in_an_experiment_is_added_to_that_Vertex_AI_Experiment_which_is_made_once()
    {
        var first = await Run("QuickStart", "--experiment", "churn");
        var second = await Run("QuickStart", "--experiment", "churn");

        Assert.That(first.Exit, Is.EqualTo(0), first.Output + first.Error);
        Assert.That(second.Exit, Is.EqualTo(0), second.Output + second.Error);
        Assert.That(first.Output, Does.Contain("Added to Vertex AI Experiment 'churn'."));
        const string experiment = "projects/my-project/locations/europe-west1/metadataStores/default/contexts/churn";
        var context = _vertex.Context(experiment)!;
        Assert.That(context["schemaTitle"]!.GetValue<string>(), Is.EqualTo("system.Experiment"));
        Assert.That(context["displayName"]!.GetValue<string>(), Is.EqualTo("churn"));
        Assert.That(_vertex.Requests.Count(r => r.StartsWith("POST /v1/projects/my-project/locations/europe-west1/metadataStores/default/contexts?contextId=churn", StringComparison.Ordinal)),
            Is.EqualTo(1), "the second run finds the experiment");
        var jobs = _vertex.JobIds.Order(StringComparer.Ordinal).ToList();
        Assert.That(_vertex.ChildrenOf(experiment).Order(StringComparer.Ordinal),
            Is.EqualTo(jobs.Select(j => $"projects/my-project/locations/europe-west1/metadataStores/default/contexts/{j}")), "each job's run context is a child of the experiment");
        using var store = MetadataStore.Open(Store);
        Assert.That(store.ListRuns().Select(r => r.Experiment), Is.All.EqualTo("churn"));
    }

    [Test]
    public async Task A_context_of_another_schema_under_the_experiment_name_stops_the_run_before_it_is_submitted()
    {
        _vertex.PutContext("my-project", "europe-west1", "churn", "system.PipelineRun");

        var result = await Run("QuickStart", "--experiment", "churn");

        Assert.That(result.Exit, Is.Not.EqualTo(0));
        Assert.That(result.Error.Trim(), Is.EqualTo("error: the Vertex AI metadata context 'churn' is a system.PipelineRun, not an experiment; choose another experiment name"));
        Assert.That(_vertex.JobIds, Is.Empty);
    }

    private Task<ProcessResult> Run(string example, params string[] args) =>
        ProcessResult.RunAsync("dotnet", [Path.Combine(Example(example), example + ".dll"), .. args], _environment);

    private static string Example(string name) =>
        Path.Combine(Metadata("ExamplesDirectory"), name, Metadata("OutputSubdirectory"));

    private static string Metadata(string key) =>
        typeof(VertexOrchestratorTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
