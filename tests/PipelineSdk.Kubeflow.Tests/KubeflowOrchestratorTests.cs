using System.Diagnostics;
using System.Reflection;
using PipelineSdk.Gcp.Vertex;
using PipelineSdk.Kubeflow.Api;
using PipelineSdk.Kubeflow.Orchestration;
using PipelineSdk.Kubeflow.Tests.Fakes;
using PipelineSdk.Stacks;
using PipelineSdk.Store;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Kubeflow.Tests;

/// <summary>
/// The example programs, unchanged, run on a Kubeflow stack: they submit to the fake Kubeflow Pipelines (which runs each task
/// through the executor contract), follow the run and record it; and each failure mode gives one line.
/// </summary>
public class KubeflowOrchestratorTests
{
    private const string Image = "127.0.0.1:5000/pipelines/app:test";

    private FakeKubeflow _kfp = null!;
    private string _directory = null!;
    private Dictionary<string, string> _environment = null!;

    private string Store => Path.Combine(_directory, "store");

    [SetUp]
    public async Task SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("psdk-kfp-").FullName;
        _kfp = await FakeKubeflow.StartAsync(Example("QuickStart"), Path.Combine(_directory, "objects"));
        _environment = new Dictionary<string, string>
        {
            ["PIPELINES_HOME"] = Store,
            ["PIPELINES_STACK"] = "",
            ["HOME"] = _directory,
            [KfpClient.RetryDelayVariable] = "20",
            [KubeflowOrchestrator.PollIntervalVariable] = "50",
            [ProgramImageSource.ImageVariable] = Image,
        };
        Register(new Dictionary<string, string> { ["host"] = _kfp.BaseUrl });
    }

    [TearDown]
    public async Task TearDown()
    {
        await _kfp.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task QuickStart_runs_on_Kubeflow_prints_the_link_follows_the_tasks_and_records_the_run()
    {
        var result = await Run("QuickStart");

        Assert.That(result.Exit, Is.EqualTo(0), result.Output + result.Error);
        var run = _kfp.Runs.Single();
        var runId = run["run_id"]!.GetValue<string>();
        var runName = run["display_name"]!.GetValue<string>();
        Assert.That(runName, Does.Match("^vertex-example-pipeline-[0-9]{14}-[0-9a-f]{4}$"));
        Assert.That(result.Output, Does.Contain($"Submitted run {runName} to Kubeflow Pipelines at {_kfp.BaseUrl}.")
            .And.Contain($"View it in the Kubeflow Pipelines UI: {_kfp.BaseUrl}/#/runs/details/{runId}")
            .And.Contain("Created experiment 'Default'.")
            .And.Contain("run SUCCEEDED"));
        // A task may start and end between two polls, so only some task is sure to be seen before it ends.
        Assert.That(result.Output, Does.Match(@"\n[0-9:]{8} [a-z-]+ (queued|running)\n(.*\n)*[0-9:]{8} subtract-numbers done \([0-9.]+ m?s\)\n"), "each task's state changes are printed as timestamped lines");

        Assert.That(run["runtime_config"]!["pipeline_root"]!.GetValue<string>(), Is.EqualTo("minio://mlpipeline/v2/artifacts"));
        Assert.That(run["experiment_id"]!.GetValue<string>(), Is.EqualTo(_kfp.Experiments.Single()["experiment_id"]!.GetValue<string>()));
        var version = _kfp.Versions.Single();
        Assert.That(version["pipeline_spec"]!["deploymentSpec"]!["executors"]!.AsObject().Select(e => e.Value!["container"]!["image"]!.GetValue<string>()), Is.All.EqualTo(Image));
        Assert.That(_kfp.Pipelines.Single()["name"]!.GetValue<string>(), Is.EqualTo("vertex-example-pipeline"));

        using var store = MetadataStore.Open(Store);
        var recorded = store.GetRun(runName)!;
        Assert.That(recorded.Status, Is.EqualTo(RunStatus.Completed));
        Assert.That((recorded.Orchestrator, recorded.Stack, recorded.RemoteId, recorded.RemoteUrl), Is.EqualTo(("kubeflow", "kfp_stack", runId, $"{_kfp.BaseUrl}/#/runs/details/{runId}")));
        Assert.That(store.GetStepRuns(runName).ToDictionary(s => s.TaskKey, s => s.Status), Is.EqualTo(new Dictionary<string, StepStatus>
        {
            ["get-first-num"] = StepStatus.Completed, ["get-random-int"] = StepStatus.Completed, ["subtract-numbers"] = StepStatus.Completed,
        }));
        // The step ran in its container's process and wrote its output where Kubeflow's launcher would upload it from.
        Assert.That(Directory.GetFiles(Path.Combine(_directory, "objects", "minio", "mlpipeline", "v2", "artifacts"), "executor_output.json", SearchOption.AllDirectories), Has.Length.EqualTo(3));
    }

    [Test]
    public async Task Submitting_unchanged_code_again_reuses_the_pipeline_version_and_the_experiment()
    {
        _kfp.AddExperiment("Default");

        var first = await Run("QuickStart");
        var second = await Run("QuickStart");

        Assert.That((first.Exit, second.Exit), Is.EqualTo((0, 0)), first.Output + second.Output + second.Error);
        Assert.That(_kfp.Runs, Has.Count.EqualTo(2));
        Assert.That(_kfp.Pipelines, Has.Count.EqualTo(1));
        Assert.That(_kfp.Versions, Has.Count.EqualTo(1));
        Assert.That(_kfp.Experiments, Has.Count.EqualTo(1));
        Assert.That(first.Output, Does.Not.Contain("Created experiment"));
    }

    [Test]
    public async Task TrainAndDeploy_runs_its_loop_condition_and_exit_handler_with_artifacts_on_minio_paths()
    {
        _kfp.AppDirectory = Example("TrainAndDeploy");

        var result = await Run("TrainAndDeploy", "--param", "rows=400", "--param", "epochs=50", "--param", "accuracyThreshold=0.5");

        Assert.That(result.Exit, Is.EqualTo(0), result.Output + result.Error);
        var runName = _kfp.Runs.Single()["display_name"]!.GetValue<string>();
        using var store = MetadataStore.Open(Store);
        var steps = store.GetStepRuns(runName).ToDictionary(s => s.TaskKey, s => s.Status);
        Assert.That(steps["load-data"], Is.EqualTo(StepStatus.Completed));
        Assert.That(steps["deploy"], Is.EqualTo(StepStatus.Completed));
        Assert.That(steps["notify"], Is.EqualTo(StepStatus.Completed));
        var models = Directory.GetFileSystemEntries(Path.Combine(_directory, "objects", "minio", "mlpipeline"), "Output", SearchOption.AllDirectories)
            .Where(p => Path.GetFileName(Path.GetDirectoryName(p)!).StartsWith("train-model_", StringComparison.Ordinal));
        Assert.That(models.Count(), Is.EqualTo(4), "each loop iteration's model was written at the /minio path of its minio:// URI");
    }

    [Test]
    public async Task A_failed_task_gives_its_message_and_where_its_logs_are_and_the_exit_code_says_so()
    {
        _kfp.AppDirectory = Example("LinearRegression");

        var result = await Run("LinearRegression", "--param", "testFraction=2");

        Assert.That(result.Exit, Is.EqualTo(1), result.Output + result.Error);
        Assert.That(result.Output, Does.Contain("Task split failed: main container exited with code 1: ArgumentOutOfRangeException: must be between 0 and 1"));
        Assert.That(result.Output, Does.Match(@"  Logs: kubectl logs -n kubeflow split-[0-9]+-pod -c main\n"));
        Assert.That(result.Error, Does.Not.Contain("   at "), "no stack trace");
        using var store = MetadataStore.Open(Store);
        var runName = _kfp.Runs.Single()["display_name"]!.GetValue<string>();
        Assert.That(store.GetRun(runName)!.Status, Is.EqualTo(RunStatus.Failed));
        Assert.That(store.GetStepRuns(runName).Single(s => s.TaskKey == "split").Status, Is.EqualTo(StepStatus.Failed));
    }

    [Test]
    public async Task An_API_that_is_down_gives_one_line_and_the_run_is_recorded_as_not_submitted()
    {
        Register(new Dictionary<string, string> { ["host"] = "http://127.0.0.1:9" });

        var result = await Run("QuickStart");

        Assert.That(result.Exit, Is.Not.EqualTo(0));
        var lines = result.Error.Trim().Split('\n');
        Assert.That(lines, Has.Length.EqualTo(1), result.Error);
        Assert.That(lines[0], Does.Contain("Kubeflow Pipelines did not answer at http://127.0.0.1:9 after 6 attempts").And.Contain("kubectl port-forward"));
        using var store = MetadataStore.Open(Store);
        var run = store.ListRuns().Single();
        Assert.That((run.Status, run.Error), Is.EqualTo((RunStatus.Failed, "not submitted: " + lines[0][(lines[0].IndexOf("Kubeflow", StringComparison.Ordinal))..].Trim())));
    }

    [Test]
    public async Task Missing_credentials_give_one_line_naming_the_settings_and_a_secret_token_is_sent()
    {
        _kfp.Token = "kfp-secret-token";

        var refused = await Run("QuickStart");

        Assert.That(refused.Exit, Is.Not.EqualTo(0));
        Assert.That(refused.Error.Trim().Split('\n'), Has.Length.EqualTo(1), refused.Error);
        Assert.That(refused.Error, Does.Contain("rejected the credentials").And.Contain("(401: Unauthenticated").And.Contain("token"));

        using (var store = MetadataStore.Open(Store))
        {
            store.RegisterComponent(new Component(ComponentType.SecretsManager, "local", "local", new Dictionary<string, string>()));
            store.UpdateStack("kfp_stack", new Dictionary<ComponentType, string?> { [ComponentType.SecretsManager] = "local" });
        }

        var secret = await Cli("secret", "create", "kfp", "--token=kfp-secret-token");
        Assert.That(secret.Exit, Is.EqualTo(0), secret.Output + secret.Error);
        Register(new Dictionary<string, string> { ["host"] = _kfp.BaseUrl, ["token"] = "{{secret.kfp.token}}" });

        var accepted = await Run("QuickStart");

        Assert.That(accepted.Exit, Is.EqualTo(0), accepted.Output + accepted.Error);
        Assert.That(accepted.Output + accepted.Error, Does.Not.Contain("kfp-secret-token"));
        using var reading = MetadataStore.Open(Store);
        Assert.That(reading.GetStack("kfp_stack").Orchestrator.Setting("token"), Is.EqualTo("{{secret.kfp.token}}"), "the store keeps the reference, never the token");
    }

    [Test]
    public async Task A_token_file_and_a_Dex_session_cookie_authenticate_too()
    {
        _kfp.Token = "from-the-file";
        _kfp.SessionCookie = "dex-session";
        var tokenFile = Path.Combine(_directory, "token");
        await File.WriteAllTextAsync(tokenFile, "from-the-file\n");
        Register(new Dictionary<string, string> { ["host"] = _kfp.BaseUrl, ["token_file"] = tokenFile });

        var withFile = await Run("QuickStart");

        Assert.That(withFile.Exit, Is.EqualTo(0), withFile.Output + withFile.Error);

        using (var store = MetadataStore.Open(Store))
        {
            store.RegisterComponent(new Component(ComponentType.SecretsManager, "local", "local", new Dictionary<string, string>()));
            store.UpdateStack("kfp_stack", new Dictionary<ComponentType, string?> { [ComponentType.SecretsManager] = "local" });
        }

        Assert.That((await Cli("secret", "create", "dex", "--cookie=authservice_session=dex-session")).Exit, Is.EqualTo(0));
        Register(new Dictionary<string, string> { ["host"] = _kfp.BaseUrl, ["cookie"] = "{{secret.dex.cookie}}" });

        var withCookie = await Run("QuickStart");

        Assert.That(withCookie.Exit, Is.EqualTo(0), withCookie.Output + withCookie.Error);
        Assert.That(_kfp.Runs, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task A_missing_token_file_gives_one_line_and_turning_off_TLS_checks_warns()
    {
        Register(new Dictionary<string, string> { ["host"] = _kfp.BaseUrl, ["token_file"] = Path.Combine(_directory, "no-such-token") });

        var missing = await Run("QuickStart");

        Assert.That(missing.Exit, Is.Not.EqualTo(0));
        Assert.That(missing.Error.Trim().Split('\n'), Has.Length.EqualTo(1), missing.Error);
        Assert.That(missing.Error, Does.Contain($"cannot read the token file {Path.Combine(_directory, "no-such-token")}").And.Contain("token_file"));

        Register(new Dictionary<string, string> { ["host"] = _kfp.BaseUrl, ["verify_tls"] = "false" });

        var insecure = await Run("QuickStart");

        Assert.That(insecure.Exit, Is.EqualTo(0), insecure.Output + insecure.Error);
        Assert.That(insecure.Output, Does.Contain($"warning: not checking the TLS certificate of {_kfp.BaseUrl} (verify_tls=false)"));
    }

    [Test]
    public async Task A_namespace_the_user_may_not_use_gives_one_line_with_403()
    {
        _kfp.AllowedNamespaces = ["team-a"];
        Register(new Dictionary<string, string> { ["host"] = _kfp.BaseUrl, ["namespace"] = "team-b" });

        var refused = await Run("QuickStart");

        Assert.That(refused.Exit, Is.Not.EqualTo(0));
        Assert.That(refused.Error.Trim().Split('\n'), Has.Length.EqualTo(1), refused.Error);
        Assert.That(refused.Error, Does.Contain("refused to look up experiment 'Default' (403: PermissionDenied: User is not authorized to access namespace team-b)").And.Contain("namespace"));

        Register(new Dictionary<string, string> { ["host"] = _kfp.BaseUrl, ["namespace"] = "team-a", ["service_account"] = "pipeline-runner" });

        var accepted = await Run("QuickStart");

        Assert.That(accepted.Exit, Is.EqualTo(0), accepted.Output + accepted.Error);
        Assert.That(_kfp.Experiments.Single()["namespace"]!.GetValue<string>(), Is.EqualTo("team-a"));
        Assert.That(_kfp.Pipelines.Single()["namespace"]!.GetValue<string>(), Is.EqualTo("team-a"));
        Assert.That(_kfp.Runs.Single()["service_account"]!.GetValue<string>(), Is.EqualTo("pipeline-runner"));
    }

    [Test]
    public async Task An_archived_experiment_gives_one_line_saying_what_to_do()
    {
        _kfp.AddExperiment("nightly", archived: true);
        Register(new Dictionary<string, string> { ["host"] = _kfp.BaseUrl, ["experiment"] = "nightly" });

        var result = await Run("QuickStart");

        Assert.That(result.Exit, Is.Not.EqualTo(0));
        Assert.That(result.Error.Trim().Split('\n'), Has.Length.EqualTo(1), result.Error);
        Assert.That(result.Error, Does.Contain("experiment 'nightly' is archived on Kubeflow Pipelines").And.Contain("--experiment="));
        Assert.That(_kfp.Runs, Is.Empty);
    }

    [Test]
    public async Task Overload_is_retried_and_a_create_whose_answer_was_lost_is_adopted_not_repeated()
    {
        _kfp.FailNext(2, 503);
        _kfp.DropAnswerTo("POST", "/apis/v2beta1/runs");

        var result = await Run("QuickStart");

        Assert.That(result.Exit, Is.EqualTo(0), result.Output + result.Error);
        var run = _kfp.Runs.Single();
        Assert.That(result.Output, Does.Contain($"Run {run["display_name"]} already existed (a retried submission); following it."));
        Assert.That(_kfp.Requests.Count(r => r == "POST /apis/v2beta1/runs"), Is.EqualTo(1), "the lost create was found by its name before sending it again");
    }

    [Test]
    public async Task Ctrl_C_while_following_terminates_the_run_records_it_cancelled_and_exits_130()
    {
        var gate = new TaskCompletionSource();
        _kfp.StartGate = gate.Task;
        var start = ProcessResult.InterruptibleDotnet([Path.Combine(Example("QuickStart"), "QuickStart.dll")]);
        start.RedirectStandardInput = true;
        foreach (var (name, value) in _environment)
        {
            start.Environment[name] = value;
        }

        using var program = Process.Start(start)!;
        var output = program.StandardOutput.ReadToEndAsync();
        var error = program.StandardError.ReadToEndAsync();
        using var hang = new CancellationTokenSource(ProcessResult.HangLimit);
        while (!_kfp.Requests.Any(r => r.StartsWith("GET /apis/v2beta1/runs/", StringComparison.Ordinal)))
        {
            await Task.Delay(20, hang.Token);
        }

        // From C#, not a shell's background job: a shell would start it with SIGINT ignored.
        var signal = await ProcessResult.RunAsync("kill", ["-INT", program.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.That(signal.Exit, Is.EqualTo(0), signal.Error);
        await program.WaitForExitAsync(hang.Token);
        var run = _kfp.Runs.Single();
        await _kfp.WaitAsync(run["run_id"]!.GetValue<string>());

        var runName = run["display_name"]!.GetValue<string>();
        Assert.That(program.ExitCode, Is.EqualTo(PipelineSdk.Hosting.PipelineApp.Interrupted), await output + await error);
        Assert.That(_kfp.Requests, Does.Contain($"POST /apis/v2beta1/runs/{run["run_id"]}:terminate"));
        Assert.That(await output, Does.Contain($"Stopped following {runName}; cancelling it on Kubeflow Pipelines (standard input is not a terminal, so nobody is asked).")
            .And.Contain("Asked Kubeflow Pipelines to cancel it."));
        using var store = MetadataStore.Open(Store);
        Assert.That((store.GetRun(runName)!.Status, store.GetRun(runName)!.Error), Is.EqualTo((RunStatus.Cancelled, "terminated on Kubeflow Pipelines after an interrupt")));
    }

    [Test]
    public async Task Image_pull_secrets_go_into_the_versions_platform_spec()
    {
        Register(new Dictionary<string, string> { ["host"] = _kfp.BaseUrl, ["image_pull_secrets"] = "regcred,other" });

        var result = await Run("QuickStart");

        Assert.That(result.Exit, Is.EqualTo(0), result.Output + result.Error);
        var spec = _kfp.Versions.Single()["pipeline_spec"]!;
        var executors = spec["platform_spec"]!["platforms"]!["kubernetes"]!["deploymentSpec"]!["executors"]!.AsObject();
        Assert.That(executors.Select(e => e.Key), Is.EquivalentTo(spec["pipeline_spec"]!["deploymentSpec"]!["executors"]!.AsObject().Select(e => e.Key)));
        Assert.That(executors.Select(e => e.Value!["imagePullSecret"]!.AsArray().Select(s => s!["secretName"]!.GetValue<string>()).ToList()), Is.All.EqualTo(new[] { "regcred", "other" }));
    }

    [Test]
    public async Task Submitting_without_waiting_leaves_the_run_running_and_runs_list_records_how_it_ended()
    {
        Register(new Dictionary<string, string> { ["host"] = _kfp.BaseUrl, ["synchronous"] = "false" });

        var result = await Run("QuickStart");

        Assert.That(result.Exit, Is.EqualTo(0), result.Output + result.Error);
        var run = _kfp.Runs.Single();
        await _kfp.WaitAsync(run["run_id"]!.GetValue<string>());
        var listed = await Cli("runs", "list");
        Assert.That(listed.Exit, Is.EqualTo(0), listed.Output + listed.Error);
        using var store = MetadataStore.Open(Store);
        Assert.That(store.GetRun(run["display_name"]!.GetValue<string>())!.Status, Is.EqualTo(RunStatus.Completed));
    }

    [Test]
    public async Task Schedule_create_on_a_Kubeflow_stack_makes_a_recurring_run_and_records_it()
    {
        var spec = Path.Combine(Example("QuickStart"), "pipelines", "vertex-example-pipeline.json");

        var result = await Cli("schedule", "create", "nightly", "--spec", spec, "--image", Image, "--cron", "0 3 * * *");

        Assert.That(result.Exit, Is.EqualTo(0), result.Output + result.Error);
        var recurring = _kfp.RecurringRuns.Single();
        Assert.That(recurring["trigger"]!["cron_schedule"]!["cron"]!.GetValue<string>(), Is.EqualTo("0 0 3 * * *"));
        Assert.That(recurring["mode"]!.GetValue<string>(), Is.EqualTo("ENABLE"));
        Assert.That(recurring["runtime_config"]!["pipeline_root"]!.GetValue<string>(), Is.EqualTo("minio://mlpipeline/v2/artifacts"));
        var id = recurring["recurring_run_id"]!.GetValue<string>();
        Assert.That(result.Output, Does.Contain($"Created recurring run {id} ('nightly', 0 3 * * *) on Kubeflow Pipelines: {_kfp.BaseUrl}/#/recurringrun/details/{id}"));
        using var store = MetadataStore.Open(Store);
        Assert.That(store.GetSchedule(id)!.Orchestrator, Is.EqualTo("kubeflow"));

        var zoned = await Cli("schedule", "create", "berlin", "--spec", spec, "--image", Image, "--cron", "TZ=Europe/Berlin 0 3 * * *");
        Assert.That(zoned.Exit, Is.Not.EqualTo(0));
        Assert.That(zoned.Error, Does.Contain("takes no TZ="));
    }

    [Test]
    public async Task Registering_checks_the_settings_and_the_stack_says_what_is_missing()
    {
        var literal = await Cli("orchestrator", "register", "bad", "--flavor=kubeflow", "--host=http://localhost:8080", "--token=abc");
        Assert.That(literal.Exit, Is.Not.EqualTo(0));
        Assert.That(literal.Error, Does.Contain("--token=abc: must be a {{secret.name.key}} reference"));

        var host = await Cli("orchestrator", "register", "bad", "--flavor=kubeflow", "--host=localhost:8080");
        Assert.That(host.Error, Does.Contain("must be an http:// or https:// URL"));

        var stack = await Cli("stack", "register", "broken", "-o", "kfp", "-a", "default");
        Assert.That(stack.Exit, Is.Not.EqualTo(0));
        Assert.That(stack.Error, Does.Contain("the kubeflow orchestrator 'kfp' needs an artifact store Kubeflow can read (s3 for MinIO or S3, or gcp), and 'default' is local"));

        var noRegistry = await Cli("stack", "register", "broken", "-o", "kfp", "-a", "minio");
        Assert.That(noRegistry.Error, Does.Contain("the kubeflow orchestrator 'kfp' needs a container registry for its images (-c NAME)"));
    }

    private void Register(Dictionary<string, string> settings)
    {
        using var store = MetadataStore.Open(Store);
        if (store.ListComponents(ComponentType.Orchestrator).Any(c => c.Name == "kfp"))
        {
            store.UpdateComponent(new Component(ComponentType.Orchestrator, "kfp", "kubeflow", settings));
            return;
        }

        store.RegisterComponent(new Component(ComponentType.ArtifactStore, "minio", "s3", new Dictionary<string, string> { ["path"] = "minio://mlpipeline/v2/artifacts" }));
        store.RegisterComponent(new Component(ComponentType.ContainerRegistry, "registry", "default", new Dictionary<string, string> { ["uri"] = "127.0.0.1:5000/pipelines" }));
        store.RegisterComponent(new Component(ComponentType.Orchestrator, "kfp", "kubeflow", settings));
        store.RegisterStack("kfp_stack", new Dictionary<ComponentType, string> { [ComponentType.ArtifactStore] = "minio", [ComponentType.ContainerRegistry] = "registry", [ComponentType.Orchestrator] = "kfp" });
        store.SetActiveStack("kfp_stack");
    }

    private Task<ProcessResult> Run(string example, params string[] args) =>
        ProcessResult.RunAsync("dotnet", [Path.Combine(Example(example), example + ".dll"), .. args], _environment);

    private Task<ProcessResult> Cli(params string[] args) =>
        ProcessResult.RunAsync("dotnet", [Metadata("CliDll"), .. args], _environment, _directory);

    private static string Example(string name) =>
        Path.Combine(Metadata("ExamplesDirectory"), name, Metadata("OutputSubdirectory"));

    internal static string Metadata(string key) =>
        typeof(KubeflowOrchestratorTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
