using System.Text.Json.Nodes;
using PipelineSdk.Descriptors;
using PipelineSdk.Orchestration;
using PipelineSdk.Store;
using PipelineSdk.Values;

namespace PipelineSdk.Tests;

/// <summary>Step settings honoured by the local orchestrators: retries with backoff, environment variables, display names.</summary>
[NonParallelizable]
public class StepSettingsTests
{
    private TempStore _store = null!;

    [SetUp]
    public void SetUp() => _store = new TempStore();

    [TearDown]
    public void TearDown() => _store.Dispose();

    [Test]
    public void Backoff_grows_by_the_factor_and_is_capped_at_the_maximum()
    {
        var retry = new RetrySettings(10, TimeSpan.FromSeconds(10), 2, TimeSpan.FromSeconds(60));

        var delays = Enumerable.Range(1, 6).Select(retry.DelayBeforeRetry).Select(d => d.TotalSeconds);

        Assert.That(delays, Is.EqualTo(new[] { 10.0, 20, 40, 60, 60, 60 }));
        Assert.That(new RetrySettings(3, TimeSpan.Zero, 2, TimeSpan.FromHours(1)).DelayBeforeRetry(3), Is.EqualTo(TimeSpan.Zero));
        Assert.That(new RetrySettings(3, TimeSpan.FromSeconds(5), 1, TimeSpan.FromHours(1)).DelayBeforeRetry(3), Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(new RetrySettings(5000, TimeSpan.FromSeconds(1), 10, TimeSpan.FromHours(1)).DelayBeforeRetry(5000), Is.EqualTo(TimeSpan.FromHours(1)), "no overflow");
        Assert.Throws<ArgumentOutOfRangeException>(() => retry.DelayBeforeRetry(0));
    }

    [Test]
    public void Retries_wait_the_computed_backoffs_and_stop_after_the_last_retry()
    {
        var delays = new List<TimeSpan>();
        var executor = new FailingExecutor(failures: int.MaxValue);
        var execution = Execution(new StepSettings { Retry = new RetrySettings(3, TimeSpan.FromSeconds(10), 2, TimeSpan.FromSeconds(3600)) });

        var ended = new List<string>();
        var error = Assert.ThrowsAsync<InvalidOperationException>(() => StepRetries.ExecuteAsync(executor, execution, (d, _) => { delays.Add(d); return Task.CompletedTask; }, null, CancellationToken.None,
            (attempt, e) => ended.Add($"{attempt}: {e?.Message}")));

        Assert.That(error!.Message, Is.EqualTo("attempt 4 failed"), "the last attempt's error is the task's");
        Assert.That(executor.Attempts, Is.EqualTo(new[] { 1, 2, 3, 4 }));
        Assert.That(ended, Is.EqualTo(new[] { "1: attempt 1 failed", "2: attempt 2 failed", "3: attempt 3 failed", "4: attempt 4 failed" }), "every attempt's end is heard, the last one's too");
        Assert.That(delays, Is.EqualTo(new[] { TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(40) }));
    }

    [Test]
    public void Cancelling_the_run_ends_a_backoff_wait()
    {
        using var cancellation = new CancellationTokenSource();
        var executor = new FailingExecutor(failures: int.MaxValue);
        var execution = Execution(new StepSettings { Retry = new RetrySettings(3, TimeSpan.FromHours(1), 2, TimeSpan.FromHours(1)) });

        // The wait is an hour long; it is cancelled as it begins and must end then, not an hour later.
        Assert.That(
            () => StepRetries.ExecuteAsync(executor, execution, (d, token) => { cancellation.Cancel(); return Task.Delay(d, token); }, null, cancellation.Token),
            Throws.InstanceOf<OperationCanceledException>());
        Assert.That(executor.Attempts, Is.EqualTo(new[] { 1 }));
    }

    [Test]
    public void A_step_without_retries_runs_once()
    {
        var executor = new FailingExecutor(failures: int.MaxValue);

        Assert.ThrowsAsync<InvalidOperationException>(() => StepRetries.ExecuteAsync(executor, Execution(StepSettings.None), (_, _) => Task.CompletedTask, null, CancellationToken.None));

        Assert.That(executor.Attempts, Is.EqualTo(new[] { 1 }));
    }

    [Test]
    public async Task A_flaky_step_succeeds_on_its_third_attempt_in_process()
    {
        SettingsPipelines.Reset(failuresBeforeSuccess: 2);

        var run = await Pipelines.FlakyPipeline.RunAsync(_store.Options());

        Assert.That(run.Status, Is.EqualTo(RunStatus.Completed), () => string.Join("; ", run.Steps.Select(s => s.Error)));
        Assert.That(run.Flaky, Is.EqualTo(3));
        Assert.That(run["flaky"].Attempts, Is.EqualTo(3));
        Assert.That(run["after-flaky"].Attempts, Is.EqualTo(1));
        Assert.That(run.AfterFlaky, Is.EqualTo(30));
        using var store = _store.Open();
        var attempts = store.GetAttempts(store.GetStepRuns(run.RunId).Single(s => s.TaskKey == "flaky").Id);
        Assert.That(attempts.Select(a => (a.Number, a.Outcome, a.Error)), Is.EqualTo(new[]
        {
            (1, AttemptOutcome.Failed, "InvalidOperationException: attempt 1 failed"),
            (2, AttemptOutcome.Failed, "InvalidOperationException: attempt 2 failed"),
            (3, AttemptOutcome.Completed, (string?)null),
        }));
        Assert.That(attempts.Zip(attempts.Skip(1)).All(p => p.First.EndedAt <= p.Second.StartedAt), Is.True, "one after the other");
    }

    [Test]
    public async Task When_every_attempt_fails_the_step_fails_with_the_last_error_and_its_dependents_do_not_run()
    {
        SettingsPipelines.Reset(failuresBeforeSuccess: 100);

        var run = await Pipelines.FlakyPipeline.RunAsync(_store.Options());

        Assert.That(run.Status, Is.EqualTo(RunStatus.Failed));
        Assert.That(SettingsPipelines.Attempts, Is.EqualTo(4), "one attempt and three retries");
        Assert.That(run["flaky"].Attempts, Is.EqualTo(4));
        Assert.That(run["flaky"].Error, Is.EqualTo("InvalidOperationException: attempt 4 failed (all 4 attempts failed)"));
        Assert.That(run["after-flaky"].Status, Is.EqualTo(StepStatus.NotRun));
        using var store = _store.Open();
        Assert.That(store.GetStepRuns(run.RunId).Single(s => s.TaskKey == "flaky").Error, Is.EqualTo(run["flaky"].Error));
    }

    [Test]
    public void Generated_descriptors_carry_the_step_settings()
    {
        var flaky = Pipelines.FlakyPipeline.Descriptor.FindTask("flaky")!.Step.Settings;

        Assert.That(flaky.DisplayName, Is.EqualTo("A flaky download"));
        Assert.That(flaky.Retry, Is.EqualTo(new RetrySettings(3, TimeSpan.Zero, 2, TimeSpan.FromHours(1))));
        Assert.That(Pipelines.FlakyPipeline.Descriptor.FindTask("after-flaky")!.Step.Settings, Is.SameAs(StepSettings.None));
        var task = JsonNode.Parse(Pipelines.FlakyPipeline.SpecJson)!["root"]!["dag"]!["tasks"]!["flaky"]!;
        Assert.That(task["taskInfo"]!["name"]!.GetValue<string>(), Is.EqualTo("A flaky download"));
        Assert.That(task["retryPolicy"]!["maxRetryCount"]!.GetValue<int>(), Is.EqualTo(3));
    }

    [Test]
    public void Task_names_are_read_from_the_spec_as_Vertex_reports_them()
    {
        const string Spec = """
            {"root": {"dag": {"tasks": {
              "load": {"taskInfo": {"name": "Load the data"}},
              "load-2": {"taskInfo": {"name": "Load the data (2)"}},
              "train": {"taskInfo": {"name": "train"}},
              "bare": {}
            }}}}
            """;

        var names = PipelineSdk.Execution.Launcher.ReadTaskNames(Spec);

        Assert.That(names, Is.EquivalentTo(new Dictionary<string, string> { ["load"] = "Load the data", ["load-2"] = "Load the data (2)", ["train"] = "train", ["bare"] = "bare" }));
    }

    [Test]
    public async Task Under_local_process_a_step_process_gets_the_spec_environment_and_is_retried_with_its_log_kept()
    {
        // A real child process per attempt, started from the spec's command and env as on Vertex AI: it fails until
        // its third attempt, and records the variable it sees.
        var counter = Path.Combine(_store.Path, "attempts");
        var seen = Path.Combine(_store.Path, "seen");
        var script = $"n=$(cat '{counter}' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '{counter}'; printf '%s' \"$GREETING\" > '{seen}'; echo \"attempt $n\"; [ $n -ge 3 ]";
        var pipeline = ShellPipeline(script, new StepSettings { Retry = new RetrySettings(2, TimeSpan.Zero, 2, TimeSpan.FromHours(1)) }, ("GREETING", "hello from the spec"));

        var run = await PipelineRunner.RunAsync(pipeline, options: _store.Options() with { Orchestrator = OrchestratorFlavors.LocalProcess });

        Assert.That(run.Status, Is.EqualTo(RunStatus.Completed), () => string.Join("; ", run.Steps.Select(s => s.Error)));
        Assert.That(run["shell"].Attempts, Is.EqualTo(3));
        Assert.That(File.ReadAllText(seen), Is.EqualTo("hello from the spec"));
        Assert.That(Environment.GetEnvironmentVariable("GREETING"), Is.Null, "the variable is the child's, not this process's");
        using var store = _store.Open();
        var log = File.ReadAllText(store.GetStepRuns(run.RunId).Single().LogPath!);
        Assert.That(log, Does.Contain("attempt 1").And.Contain("--- attempt 2 ---").And.Contain("attempt 3"));
    }

    [Test]
    public async Task Under_local_process_a_step_whose_attempts_all_fail_reports_its_error_and_the_attempt_count()
    {
        var pipeline = ShellPipeline("echo nope >&2; exit 7", new StepSettings { Retry = new RetrySettings(1, TimeSpan.Zero, 2, TimeSpan.FromHours(1)) });

        var run = await PipelineRunner.RunAsync(pipeline, options: _store.Options() with { Orchestrator = OrchestratorFlavors.LocalProcess });

        Assert.That(run.Status, Is.EqualTo(RunStatus.Failed));
        Assert.That(run["shell"].Attempts, Is.EqualTo(2));
        Assert.That(run["shell"].Error, Does.StartWith("the step process exited with code 7").And.EndWith("(all 2 attempts failed)"));
        using var store = _store.Open();
        var attempts = store.GetAttempts(store.GetStepRuns(run.RunId).Single().Id);
        Assert.That(attempts.Select(a => (a.Number, a.Outcome)), Is.EqualTo(new[] { (1, AttemptOutcome.Failed), (2, AttemptOutcome.Failed) }));
        Assert.That(attempts.Select(a => a.Error), Is.All.StartWith("the step process exited with code 7"));
    }

    [Test]
    public async Task Changing_an_environment_variable_misses_the_cache_and_explain_cache_names_it()
    {
        var first = await PipelineRunner.RunAsync(EnvPipeline(("MODE", "fast")), options: _store.Options());
        var same = await PipelineRunner.RunAsync(EnvPipeline(("MODE", "fast")), options: _store.Options());
        var changed = await PipelineRunner.RunAsync(EnvPipeline(("MODE", "slow"), ("EXTRA", "1")), options: _store.Options());

        Assert.That(first["env-step"].Status, Is.EqualTo(StepStatus.Completed), first["env-step"].Error);
        Assert.That(same["env-step"].Status, Is.EqualTo(StepStatus.Cached));
        Assert.That(changed["env-step"].Status, Is.EqualTo(StepStatus.Completed));
        using var store = _store.Open();
        var explanation = Caching.CacheExplanation.Explain(store, changed.RunId, "env-step");
        Assert.That(explanation.Changes.Select(c => (c.Part, c.Name, c.Description)), Is.EquivalentTo(new[]
        {
            ("env", "MODE", "environment variable 'MODE' changed"),
            ("env", "EXTRA", "env 'EXTRA' is new"),
        }));
    }

    /// <summary>
    /// A one-task pipeline whose step has <paramref name="environment"/> as settings, so even the local orchestrator runs it
    /// as a process: sh writes its output.
    /// </summary>
    private static PipelineDescriptor EnvPipeline(params (string Name, string Value)[] environment)
    {
        var settings = new StepSettings { Environment = [.. environment.Select(e => KeyValuePair.Create(e.Name, e.Value))] };
        var step = new StepDescriptor
        {
            Name = "env-step",
            MethodName = "T.EnvStep",
            Inputs = [],
            Outputs = [new StepPort("Output", ParameterCodecs.Int32)],
            CodeParts = [new CodePart("T.EnvStep", "h")],
            CodeFingerprint = "fp",
            Invoke = (_, _) => throw new InvalidOperationException("a step with environment variables runs as a process"),
            Settings = settings,
        };
        var task = new PipelineTask { Key = "env-step", Step = step, Inputs = [], DependsOn = [], EnableCache = true };
        var spec = ProcessSpec("env-step", new JsonArray("sh", "-c", "mkdir -p \"$(dirname \"$0\")\" && printf 1 > \"$0\"", "{{$.outputs.parameters['Output'].output_file}}"), environment);
        return new PipelineDescriptor { Name = "env-pipeline", MethodName = "T.EnvPipeline", Parameters = [], Nodes = [task], SpecJson = spec };
    }

    private static TaskExecution Execution(StepSettings settings)
    {
        var step = new StepDescriptor
        {
            Name = "s", MethodName = "T.S", Inputs = [], Outputs = [], CodeParts = [], CodeFingerprint = "fp", Invoke = (_, _) => new ValueTask<object?[]>([]), Settings = settings,
        };
        var task = new PipelineTask { Key = "s", Step = step, Inputs = [], DependsOn = [], EnableCache = false };
        var pipeline = new PipelineDescriptor { Name = "p", MethodName = "T.P", Parameters = [], Nodes = [task], SpecJson = "{}" };
        return new TaskExecution("run", "s", pipeline, task, [], new Dictionary<string, IReadOnlyList<PipelineSdk.Execution.RuntimeArtifact>>());
    }

    /// <summary>A one-task pipeline whose executor runs <paramref name="script"/> with sh, with <paramref name="environment"/> in its spec.</summary>
    private static PipelineDescriptor ShellPipeline(string script, StepSettings settings, params (string Name, string Value)[] environment)
    {
        var step = new StepDescriptor
        {
            Name = "shell",
            MethodName = "T.Shell",
            Inputs = [],
            Outputs = [],
            CodeParts = [],
            CodeFingerprint = "fp",
            Invoke = (_, _) => throw new InvalidOperationException("runs as a process"),
            Settings = settings,
        };
        var task = new PipelineTask { Key = "shell", Step = step, Inputs = [], DependsOn = [], EnableCache = false };
        return new PipelineDescriptor
        {
            Name = "shell-pipeline", MethodName = "T.ShellPipeline", Parameters = [], Nodes = [task], SpecJson = ProcessSpec("shell", new JsonArray("sh", "-c", script), environment),
        };
    }

    /// <summary>The spec of a one-task pipeline whose executor runs <paramref name="command"/>, with <paramref name="environment"/>.</summary>
    private static string ProcessSpec(string taskKey, JsonArray command, (string Name, string Value)[] environment)
    {
        var env = new JsonArray([.. environment.Select(e => (JsonNode)new JsonObject { ["name"] = e.Name, ["value"] = e.Value })]);
        var spec = new JsonObject
        {
            ["components"] = new JsonObject { [$"comp-{taskKey}"] = new JsonObject { ["executorLabel"] = $"exec-{taskKey}" } },
            ["deploymentSpec"] = new JsonObject
            {
                ["executors"] = new JsonObject
                {
                    [$"exec-{taskKey}"] = new JsonObject
                    {
                        ["container"] = new JsonObject { ["image"] = "debian", ["command"] = command, ["args"] = new JsonArray(), ["env"] = env },
                    },
                },
            },
            ["root"] = new JsonObject { ["dag"] = new JsonObject { ["tasks"] = new JsonObject { [taskKey] = new JsonObject { ["componentRef"] = new JsonObject { ["name"] = $"comp-{taskKey}" } } } } },
        };
        return spec.ToJsonString();
    }

    /// <summary>Fails its first <c>failures</c> attempts, recording each attempt number it is given.</summary>
    private sealed class FailingExecutor(int failures) : ITaskExecutor
    {
        public List<int> Attempts { get; } = [];

        public string Flavor => OrchestratorFlavors.Local;

        public Task<(object?[] Outputs, string? LogPath)> ExecuteAsync(TaskExecution execution, CancellationToken cancellationToken)
        {
            Attempts.Add(execution.Attempt);
            return execution.Attempt <= failures
                ? Task.FromException<(object?[], string?)>(new InvalidOperationException($"attempt {execution.Attempt} failed"))
                : Task.FromResult<(object?[], string?)>(([], null));
        }
    }
}
