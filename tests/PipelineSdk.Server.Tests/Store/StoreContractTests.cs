using PipelineSdk.Stacks;
using PipelineSdk.Store;

namespace PipelineSdk.Server.Tests.Store;

/// <summary>
/// What every store backend must do, the same way: run once per backend (SQLite, PostgreSQL, the server's HTTP client).
/// Each test gets an empty store of its backend.
/// </summary>
public abstract partial class StoreContractTests
{
    private readonly List<IDisposable> _cleanup = [];

    /// <summary>An empty store of the backend under test, in <paramref name="directory"/> (the local folder).</summary>
    protected abstract Task<MetadataStore> CreateStoreAsync(string directory);

    /// <summary>A second, independent store object on the same records (another process would open one).</summary>
    protected abstract Task<MetadataStore> OpenAgainAsync(MetadataStore store);

    protected string Folder { get; private set; } = "";

    [SetUp]
    public void CreateFolder()
    {
        Folder = Path.Combine(Path.GetTempPath(), "psdk-store-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
    }

    [TearDown]
    public void Clean()
    {
        foreach (var item in Enumerable.Reverse(_cleanup))
        {
            item.Dispose();
        }

        _cleanup.Clear();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<MetadataStore> NewStoreAsync()
    {
        var store = await CreateStoreAsync(Folder);
        _cleanup.Add(store);
        return store;
    }

    private async Task<MetadataStore> AgainAsync(MetadataStore store)
    {
        var again = await OpenAgainAsync(store);
        _cleanup.Add(again);
        return again;
    }

    [Test]
    public async Task A_new_store_has_the_default_stack_active()
    {
        var store = await NewStoreAsync();
        Assert.That(store.ActiveStackName, Is.EqualTo("default"));
        var stack = store.GetStack("default");
        Assert.That(stack.Orchestrator.Flavor, Is.EqualTo("local"));
        Assert.That(store.ListStacks().Select(s => s.Name), Is.EqualTo(new[] { "default" }));
    }

    [Test]
    public async Task Components_and_stacks_round_trip_and_refuse_what_is_wrong()
    {
        var store = await NewStoreAsync();
        store.RegisterComponent(new Component(ComponentType.Orchestrator, "processes", "local-process", new Dictionary<string, string>()));
        var stack = store.RegisterStack("dev", new Dictionary<ComponentType, string> { [ComponentType.Orchestrator] = "processes", [ComponentType.ArtifactStore] = "default" });
        Assert.That(stack.Orchestrator.Name, Is.EqualTo("processes"));

        var again = await AgainAsync(store);
        Assert.That(again.GetStack("dev").Orchestrator.Flavor, Is.EqualTo("local-process"));
        Assert.That(again.ListComponents(ComponentType.Orchestrator).Select(c => c.Name), Is.EqualTo(new[] { "default", "processes" }));

        var duplicate = Assert.Throws<StackException>(() => store.RegisterComponent(new Component(ComponentType.Orchestrator, "processes", "local", new Dictionary<string, string>())))!;
        Assert.That(duplicate.Message, Does.Contain("named 'processes' exists"));
        var inUse = Assert.Throws<StackException>(() => store.DeleteComponent(ComponentType.Orchestrator, "processes"))!;
        Assert.That(inUse.Message, Does.Contain("used by stack 'dev'"));
        var missing = Assert.Throws<StackException>(() => store.GetStack("nope"))!;
        Assert.That(missing.Message, Does.StartWith("no stack named 'nope'"));

        store.CopyStack("dev", "dev2");
        store.UpdateStack("dev2", new Dictionary<ComponentType, string?> { [ComponentType.Orchestrator] = "default" });
        Assert.That(again.GetStack("dev2").Orchestrator.Name, Is.EqualTo("default"));
        store.DeleteStack("dev2");
        Assert.That(again.ListStacks().Select(s => s.Name), Is.EqualTo(new[] { "default", "dev" }));

        store.SetActiveStack("dev");
        Assert.That(store.ActiveStackName, Is.EqualTo("dev"));
        Assert.Throws<StackException>(() => store.DeleteStack("dev"));
    }

    [Test]
    public async Task A_run_records_steps_artifacts_lineage_and_cache_entries()
    {
        var store = await NewStoreAsync();
        var started = new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);
        store.CreateRun("run-1", "train", started, """{"epochs":3}""", "local", "default", RunOwner.Current, """{"pipelineInfo":{"name":"train"}}""");

        var load = store.StartStepRun("run-1", "load", "load", started, "key-load", """{"code":"c1"}""", [], cacheEnabled: true);
        var loaded = store.FinishStepRun(load, StepStatus.Completed, started.AddSeconds(1), null, [],
            [new NewArtifact("Output", "file:///a/load/Output", "system.Dataset", "Dataset", 42, "hash-a", """{"rows":10}""")]);
        var train = store.StartStepRun("run-1", "train", "train", started.AddSeconds(1), "key-train", null, ["load"], cacheEnabled: false);
        store.FinishStepRun(train, StepStatus.Failed, started.AddSeconds(2), "boom", [new StepInputRecord("data", "task", loaded["Output"].Id, "hash-a")], []);
        store.RecordNotRun("run-1", "deploy", "deploy", "train failed", ["train"]);
        store.EndRun("run-1", RunStatus.Failed, started.AddSeconds(3), "failed: train");

        var again = await AgainAsync(store);
        var run = again.GetRun("run-1")!;
        Assert.That(run.Status, Is.EqualTo(RunStatus.Failed));
        Assert.That(run.Error, Is.EqualTo("failed: train"));
        Assert.That(run.ParametersJson, Is.EqualTo("""{"epochs":3}"""));
        Assert.That(run.StartedAt, Is.EqualTo(started));
        Assert.That(run.EndedAt, Is.EqualTo(started.AddSeconds(3)));
        Assert.That(run.Owner, Is.EqualTo(RunOwner.Current));
        Assert.That(again.GetRunSpec("run-1"), Is.EqualTo("""{"pipelineInfo":{"name":"train"}}"""));

        var steps = again.GetStepRuns("run-1");
        Assert.That(steps.Select(s => (s.TaskKey, s.Status)), Is.EqualTo(new[]
        {
            ("load", StepStatus.Completed), ("train", StepStatus.Failed), ("deploy", StepStatus.NotRun),
        }));
        Assert.That(steps[0].CacheEnabled, Is.True);
        Assert.That(steps[1].CacheEnabled, Is.False);
        Assert.That(steps[1].DependsOn, Is.EqualTo(new[] { "load" }));
        Assert.That(steps[1].Error, Is.EqualTo("boom"));
        Assert.That(steps[0].CacheKeyParts, Is.EqualTo("""{"code":"c1"}"""));

        var artifact = again.GetArtifact(loaded["Output"].Id)!;
        Assert.That((artifact.Uri, artifact.Size, artifact.ContentHash, artifact.MetadataJson, artifact.ProducerStepRunId), Is.EqualTo(("file:///a/load/Output", 42L, "hash-a", """{"rows":10}""", load)));
        Assert.That(again.GetConsumers(artifact.Id).Select(s => s.TaskKey), Is.EqualTo(new[] { "train" }));
        Assert.That(again.GetInputs(train).Single(), Is.EqualTo(new StepInputRecord("data", "task", artifact.Id, "hash-a")));
        Assert.That(again.GetOutputs(load)["Output"].Id, Is.EqualTo(artifact.Id));

        var hit = again.FindCachedStepRun("train", "key-load")!;
        Assert.That(hit.StepRunId, Is.EqualTo(load));
        Assert.That(hit.Outputs["Output"].Id, Is.EqualTo(artifact.Id));
        Assert.That(again.FindCachedStepRun("train", "key-train"), Is.Null, "a failed step is no cache entry");
        Assert.That(again.FindCachedStepRun("other-pipeline", "key-load"), Is.Null, "cache entries belong to their pipeline");
    }

    [Test]
    public async Task A_cache_hit_reuses_the_outputs_and_explains_against_the_previous_step_run()
    {
        var store = await NewStoreAsync();
        var at = DateTimeOffset.UtcNow;
        store.CreateRun("run-1", "p", at, "{}", "local");
        var first = store.StartStepRun("run-1", "load", "load", at, "key", "{}");
        store.FinishStepRun(first, StepStatus.Completed, at, null, [], [new NewArtifact("Output", "file:///x", "NUMBER_INTEGER", "int", 2, "h")]);
        store.EndRun("run-1", RunStatus.Completed, at, null);

        store.CreateRun("run-2", "p", at.AddMinutes(1), "{}", "local");
        var second = store.StartStepRun("run-2", "load", "load", at.AddMinutes(1), "key", "{}");
        var entry = store.FindCachedStepRun("p", "key")!;
        var reused = store.FinishStepRun(second, StepStatus.Cached, at.AddMinutes(1), null, [], [], entry);
        Assert.That(reused["Output"].Id, Is.EqualTo(entry.Outputs["Output"].Id));

        var again = await AgainAsync(store);
        Assert.That(again.GetStepRun(second)!.CachedFrom, Is.EqualTo(first));
        Assert.That(again.GetOutputs(second)["Output"].Id, Is.EqualTo(entry.Outputs["Output"].Id));
        Assert.That(again.FindPreviousStepRun("p", "load", second)!.Id, Is.EqualTo(first));
        Assert.That(again.FindPreviousStepRun("p", "load", first), Is.Null);
    }

    [Test]
    public async Task Each_attempt_of_a_retried_step_is_recorded_once_with_its_error()
    {
        var store = await NewStoreAsync();
        var at = new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);
        store.CreateRun("run-1", "p", at, "{}", "local");
        var flaky = store.StartStepRun("run-1", "flaky", "flaky", at, null, null);
        var steady = store.StartStepRun("run-1", "steady", "steady", at, null, null);
        var failed = new StepAttemptRecord(1, at, at.AddSeconds(1), AttemptOutcome.Failed, "IOException: the mirror timed out");
        var succeeded = new StepAttemptRecord(2, at.AddSeconds(3), at.AddSeconds(4), AttemptOutcome.Completed, null);
        store.RecordAttempt(flaky, failed);
        store.RecordAttempt(flaky, succeeded);
        store.RecordAttempt(flaky, failed with { EndedAt = at.AddSeconds(9), Outcome = AttemptOutcome.Completed, Error = null });
        store.RecordAttempt(steady, new StepAttemptRecord(1, at, at.AddSeconds(2), AttemptOutcome.Cancelled, "cancelled"));

        var again = await AgainAsync(store);
        Assert.That(again.GetAttempts(flaky), Is.EqualTo(new[] { failed, succeeded }), "in order, and a repeated write keeps the first");
        Assert.That(again.GetAttempts(steady).Single().Outcome, Is.EqualTo(AttemptOutcome.Cancelled));
        Assert.That(again.GetAttempts(12345), Is.Empty);
    }

    [Test]
    public async Task A_failed_task_whose_container_starts_again_runs_again_as_its_next_attempt()
    {
        var store = await NewStoreAsync();
        var at = new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);
        store.CreateRun("run-1", "p", at, "{}", "vertex");
        var id = store.StartStepRun("run-1", "flaky", "flaky", at, null, null);
        store.FinishStepRun(id, StepStatus.Failed, at.AddSeconds(1), "quota exceeded", [new StepInputRecord("x", "constant", null, "hx")], [], logPath: "gs://b/log-1");
        store.RecordAttempt(id, new StepAttemptRecord(1, at, at.AddSeconds(1), AttemptOutcome.Failed, "quota exceeded"));

        Assert.That(store.StartStepRun("run-1", "flaky", "flaky", at.AddSeconds(4), null, null), Is.EqualTo(id));
        Assert.That(store.GetStepRun(id)!.Status, Is.EqualTo(StepStatus.Failed), "without nextAttempt (a follow loop recording how the task ended) it stays failed");
        Assert.That(store.StartStepRun("run-1", "flaky", "flaky", at.AddSeconds(5), null, null, nextAttempt: true), Is.EqualTo(id), "the same step run");
        var retried = (await AgainAsync(store)).GetStepRun(id)!;
        Assert.That((retried.Status, retried.Error, retried.EndedAt, retried.LogPath, retried.StartedAt), Is.EqualTo((StepStatus.Running, (string?)null, (DateTimeOffset?)null, (string?)null, (DateTimeOffset?)at)));
        store.FinishStepRun(id, StepStatus.Completed, at.AddSeconds(6), null, [new StepInputRecord("x", "constant", null, "hx")], [new NewArtifact("Output", "gs://b/o", "STRING", "string", 1, "h")]);
        store.RecordAttempt(id, new StepAttemptRecord(2, at.AddSeconds(5), at.AddSeconds(6), AttemptOutcome.Completed, null));

        var again = await AgainAsync(store);
        Assert.That(again.GetStepRun(id)!.Status, Is.EqualTo(StepStatus.Completed));
        Assert.That(again.GetInputs(id), Has.Count.EqualTo(1), "the failed attempt's inputs are not kept twice");
        Assert.That(again.GetOutputs(id)["Output"].Uri, Is.EqualTo("gs://b/o"));
        Assert.That(again.GetAttempts(id).Select(a => (a.Number, a.Outcome, a.Error)), Is.EqualTo(new[] { (1, AttemptOutcome.Failed, (string?)"quota exceeded"), (2, AttemptOutcome.Completed, null) }));
        Assert.That(again.StartStepRun("run-1", "flaky", "flaky", at.AddSeconds(9), null, null, nextAttempt: true), Is.EqualTo(id));
        Assert.That(again.GetStepRun(id)!.Status, Is.EqualTo(StepStatus.Completed), "a completed task started again (a client retrying) stays as it ended");
    }

    [Test]
    public async Task Writes_that_a_client_retries_are_recorded_once()
    {
        var store = await NewStoreAsync();
        var at = DateTimeOffset.UtcNow;
        store.CreateRun("run-1", "p", at, """{"a":1}""", "local");
        store.CreateRun("run-1", "p", at.AddHours(1), """{"a":2}""", "local");
        var id = store.StartStepRun("run-1", "t", "t", at, "k", null);
        Assert.That(store.StartStepRun("run-1", "t", "t", at, "k", null), Is.EqualTo(id));
        var outputs = store.FinishStepRun(id, StepStatus.Completed, at, null, [new StepInputRecord("x", "constant", null, "hx")], [new NewArtifact("Output", "file:///o", "STRING", "string", 1, "h")]);
        var retried = store.FinishStepRun(id, StepStatus.Completed, at, null, [new StepInputRecord("x", "constant", null, "hx")], [new NewArtifact("Output", "file:///o", "STRING", "string", 1, "h")]);
        store.RecordNotRun("run-1", "n", "n", "why");
        store.RecordNotRun("run-1", "n", "n", "why");

        var again = await AgainAsync(store);
        Assert.That(retried["Output"].Id, Is.EqualTo(outputs["Output"].Id));
        Assert.That(again.GetRun("run-1")!.ParametersJson, Is.EqualTo("""{"a":1}"""), "the first create wins");
        Assert.That(again.GetStepRuns("run-1").Select(s => s.TaskKey), Is.EqualTo(new[] { "t", "n" }));
        Assert.That(again.GetInputs(id), Has.Count.EqualTo(1));
        Assert.That(again.GetOutputs(id), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Runs_list_newest_first_with_filters_and_a_limit()
    {
        var store = await NewStoreAsync();
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 5; i++)
        {
            store.CreateRun($"run-{i}", i % 2 == 0 ? "even" : "odd", at.AddMinutes(i), "{}", "local");
        }

        store.EndRun("run-4", RunStatus.Completed, at.AddMinutes(10), null);
        var again = await AgainAsync(store);
        Assert.That(again.ListRuns().Select(r => r.Id), Is.EqualTo(new[] { "run-4", "run-3", "run-2", "run-1", "run-0" }));
        Assert.That(again.ListRuns("even").Select(r => r.Id), Is.EqualTo(new[] { "run-4", "run-2", "run-0" }));
        Assert.That(again.ListRuns(limit: 2).Select(r => r.Id), Is.EqualTo(new[] { "run-4", "run-3" }));
        Assert.That(again.ListRuns(status: RunStatus.Running).Select(r => r.Id), Is.EqualTo(new[] { "run-3", "run-2", "run-1", "run-0" }));
        Assert.That(again.ListRuns("even", status: RunStatus.Completed).Select(r => r.Id), Is.EqualTo(new[] { "run-4" }));
        Assert.That(again.GetRun("missing"), Is.Null);
        Assert.That(again.GetStepRun(12345), Is.Null);
        Assert.That(again.GetArtifact(12345), Is.Null);
    }

    [Test]
    public async Task Logged_metadata_is_kept_key_by_key_for_runs_and_step_runs()
    {
        var store = await NewStoreAsync();
        var at = DateTimeOffset.UtcNow;
        store.CreateRun("run-1", "p", at, "{}", "local", experiment: "churn");
        var train = store.StartStepRun("run-1", "train", "train", at, null, null);
        var evaluate = store.StartStepRun("run-1", "evaluate", "evaluate", at, null, null);

        store.LogRunMetadata("run-1", """{"accuracy":0.5,"model":"sgd"}""", train);
        store.LogRunMetadata("run-1", """{"accuracy":0.93,"table":{"columns":["c"],"rows":[[1]]}}""", evaluate);
        store.LogStepRunMetadata(train, """{"epochs":3,"report":"https://example.com/r"}""");
        store.LogStepRunMetadata(train, """{"epochs":4}""");

        var again = await AgainAsync(store);
        var run = again.GetRun("run-1")!;
        Assert.That(run.Experiment, Is.EqualTo("churn"));
        Assert.That(run.MetadataJson, Is.EqualTo("""{"accuracy":0.93,"model":"sgd","table":{"columns":["c"],"rows":[[1]]}}"""), "a later value of a key wins; other keys stay");
        Assert.That(again.ListRuns().Single().MetadataJson, Is.EqualTo(run.MetadataJson));
        Assert.That(again.GetStepRun(train)!.MetadataJson, Is.EqualTo("""{"epochs":4,"report":"https://example.com/r"}"""));
        Assert.That(again.GetStepRuns("run-1").Select(s => s.MetadataJson), Is.EqualTo(new[] { """{"epochs":4,"report":"https://example.com/r"}""", "{}" }));
        Assert.That(() => again.LogRunMetadata("run-1", "[1]"), Throws.Exception, "metadata is a JSON object");
    }

    [Test]
    public async Task Runs_filter_by_experiment_and_by_logged_metadata()
    {
        var store = await NewStoreAsync();
        var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var accuracies = new[] { 0.7, 0.95, 0.9, 0.99 };
        for (var i = 0; i < accuracies.Length; i++)
        {
            store.CreateRun($"run-{i}", i == 3 ? "other" : "p", at.AddMinutes(i), "{}", "local", experiment: i == 0 ? null : i == 3 ? "b" : "a");
            store.LogRunMetadata($"run-{i}", $$"""{"accuracy":{{accuracies[i].ToString(System.Globalization.CultureInfo.InvariantCulture)}},"model":"{{(i % 2 == 0 ? "sgd" : "lightgbm")}}"}""");
        }

        var again = await AgainAsync(store);
        IReadOnlyList<string> Ids(RunQuery query) => [.. again.ListRuns(query).Select(r => r.Id)];
        MetadataCondition[] Where(params string[] conditions) => [.. conditions.Select(MetadataCondition.Parse)];
        Assert.That(Ids(new RunQuery { Experiment = "a" }), Is.EqualTo(new[] { "run-2", "run-1" }));
        Assert.That(Ids(new RunQuery { Where = Where("accuracy>0.9") }), Is.EqualTo(new[] { "run-3", "run-1" }), "numbers compare as numbers");
        Assert.That(Ids(new RunQuery { Where = Where("accuracy>=0.9") }), Is.EqualTo(new[] { "run-3", "run-2", "run-1" }));
        Assert.That(Ids(new RunQuery { Where = Where("accuracy<0.9", "model=sgd") }), Is.EqualTo(new[] { "run-0" }));
        Assert.That(Ids(new RunQuery { Where = Where("model!=sgd") }), Is.EqualTo(new[] { "run-3", "run-1" }));
        Assert.That(Ids(new RunQuery { Where = Where("missing=1") }), Is.Empty, "a run without the key matches no condition on it");
        Assert.That(Ids(new RunQuery { Where = Where("accuracy>0.8"), Limit = 2 }), Is.EqualTo(new[] { "run-3", "run-2" }), "the limit counts matching runs");
        Assert.That(Ids(new RunQuery { Experiment = "a", Pipeline = "p", Where = Where("accuracy>0.92") }), Is.EqualTo(new[] { "run-1" }));

        var experiments = again.ListExperiments();
        Assert.That(experiments.Select(e => (e.Name, e.Runs)), Is.EqualTo(new[] { ("b", 1), ("a", 2) }), "most recently used first; runs of no experiment are in none");
        Assert.That(experiments[1].Pipelines, Is.EqualTo(new[] { "p" }));
        Assert.That(experiments[1].FirstRunAt, Is.EqualTo(at.AddMinutes(1)).Within(TimeSpan.FromMilliseconds(1)));
    }

    [Test]
    public async Task A_cache_hit_brings_the_metadata_its_source_step_run_logged()
    {
        var store = await NewStoreAsync();
        var at = DateTimeOffset.UtcNow;
        store.CreateRun("run-1", "p", at, "{}", "local");
        var first = store.StartStepRun("run-1", "train", "train", at, "key", null);
        store.LogStepRunMetadata(first, """{"epochs":3}""");
        store.LogRunMetadata("run-1", """{"accuracy":0.9}""", first);
        store.LogRunMetadata("run-1", """{"owner":"run-1 only"}""");
        store.FinishStepRun(first, StepStatus.Completed, at, null, [], [new NewArtifact("Output", "file:///o", "STRING", "string", 1, "h")]);

        store.CreateRun("run-2", "p", at.AddMinutes(1), "{}", "local");
        var hit = store.FindCachedStepRun("p", "key")!;
        var cached = store.StartStepRun("run-2", "train", "train", at, "key", null);
        store.FinishStepRun(cached, StepStatus.Cached, at, null, [], [], hit);

        var again = await AgainAsync(store);
        Assert.That(again.GetStepRun(cached)!.MetadataJson, Is.EqualTo("""{"epochs":3}"""));
        Assert.That(again.GetRun("run-2")!.MetadataJson, Is.EqualTo("""{"accuracy":0.9}"""), "only what the reused step logged for its run");
    }

    [Test]
    public async Task A_crashed_run_and_its_running_steps_are_marked_once()
    {
        var store = await NewStoreAsync();
        var at = DateTimeOffset.UtcNow;
        store.CreateRun("run-1", "p", at, "{}", "local", owner: RunOwner.Current);
        var done = store.StartStepRun("run-1", "a", "a", at, null, null);
        store.FinishStepRun(done, StepStatus.Completed, at, null, [], []);
        store.StartStepRun("run-1", "b", "b", at, null, null);
        store.Heartbeat("run-1", at.AddSeconds(30));
        Assert.That(store.GetRun("run-1")!.HeartbeatAt, Is.EqualTo(at.AddSeconds(30)).Within(TimeSpan.FromMilliseconds(1)));

        Assert.That(store.MarkRunCrashed("run-1", at.AddMinutes(1), "its process is gone"), Is.True);
        Assert.That(store.MarkRunCrashed("run-1", at.AddMinutes(2), "again"), Is.False);

        var again = await AgainAsync(store);
        var run = again.GetRun("run-1")!;
        Assert.That((run.Status, run.Error), Is.EqualTo((RunStatus.Crashed, "its process is gone")));
        Assert.That(again.GetStepRuns("run-1").Select(s => s.Status), Is.EqualTo(new[] { StepStatus.Completed, StepStatus.Crashed }));

        store.CreateRun("run-2", "p", at, "{}", "local");
        store.EndRun("run-2", RunStatus.Completed, at, null);
        Assert.That(store.MarkRunCrashed("run-2", at, "late"), Is.False, "a finished run is left as it ended");
    }

    [Test]
    public async Task Concurrent_writers_lose_nothing()
    {
        const int writers = 16;
        const int stepsEach = 10;
        var store = await NewStoreAsync();
        var stores = new List<MetadataStore>();
        for (var i = 0; i < writers; i++)
        {
            stores.Add(await AgainAsync(store));
        }

        var at = DateTimeOffset.UtcNow;
        await Task.WhenAll(stores.Select((writer, w) => Task.Run(() =>
        {
            var runId = $"run-{w}";
            writer.CreateRun(runId, "p", at, "{}", "local");
            for (var s = 0; s < stepsEach; s++)
            {
                var id = writer.StartStepRun(runId, $"t{s}", "t", at, $"k{w}-{s}", null);
                writer.FinishStepRun(id, StepStatus.Completed, at, null, [], [new NewArtifact("Output", $"file:///{w}/{s}", "STRING", "string", 1, "h")]);
            }

            writer.EndRun(runId, RunStatus.Completed, at, null);
        })));

        Assert.That(store.ListRuns(limit: 1000), Has.Count.EqualTo(writers));
        Assert.That(store.ListRuns(limit: 1000).All(r => r.Status == RunStatus.Completed), Is.True);
        for (var w = 0; w < writers; w++)
        {
            var steps = store.GetStepRuns($"run-{w}");
            Assert.That(steps, Has.Count.EqualTo(stepsEach), $"run-{w}");
            Assert.That(steps.All(s => store.GetOutputs(s.Id).Count == 1), Is.True, $"run-{w} outputs");
            Assert.That(store.FindCachedStepRun("p", $"k{w}-{stepsEach - 1}"), Is.Not.Null);
        }
    }
}
