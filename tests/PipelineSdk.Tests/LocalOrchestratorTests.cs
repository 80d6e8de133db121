using PipelineSdk.Artifacts;
using PipelineSdk.Store;

namespace PipelineSdk.Tests;

[NonParallelizable]
public class LocalOrchestratorTests
{
    private TempStore _store = null!;

    [SetUp]
    public void SetUp()
    {
        TestPipelines.Reset();
        TestPipelines.Rendezvous = new Barrier(2);
        _store = new TempStore();
    }

    [TearDown]
    public void TearDown() => _store.Dispose();

    [Test]
    public async Task Steps_run_after_the_steps_whose_outputs_they_take()
    {
        var run = await Pipelines.ChainPipeline.RunAsync(_store.Options());

        Assert.That(run.Status, Is.EqualTo(RunStatus.Completed));
        Assert.That(TestPipelines.Started, Is.EqualTo(new[] { "First", "Second", "Third" }));
        Assert.That(run.Third, Is.EqualTo("third:2"));
        Assert.That(run.Second, Is.EqualTo(2));
    }

    [Test]
    public async Task Independent_steps_run_at_the_same_time()
    {
        // Each Meet step blocks until the other is running too; run sequentially, they would time out.
        var run = await Pipelines.RendezvousPipeline.RunAsync(_store.Options(maxParallelism: 2));

        Assert.That(run.Status, Is.EqualTo(RunStatus.Completed), () => string.Join("; ", run.Steps.Select(s => s.Error)));
        Assert.That(run.Join, Is.EqualTo(6));
        Assert.That(TestPipelines.MaxRunning, Is.EqualTo(2));
    }

    [Test]
    public async Task The_parallelism_limit_is_never_exceeded()
    {
        var run = await Pipelines.WidePipeline.RunAsync(_store.Options(maxParallelism: 1));

        Assert.That(run.Status, Is.EqualTo(RunStatus.Completed));
        Assert.That(TestPipelines.Calls["Slow"], Is.EqualTo(4));
        Assert.That(TestPipelines.MaxRunning, Is.EqualTo(1));
    }

    [Test]
    public async Task A_second_run_reuses_cached_outputs_without_running_the_steps()
    {
        var first = await Pipelines.ChainPipeline.RunAsync(_store.Options());
        var second = await Pipelines.ChainPipeline.RunAsync(_store.Options());

        Assert.That(first.Steps.Select(s => s.Status), Is.All.EqualTo(StepStatus.Completed));
        Assert.That(second.Steps.Select(s => s.Status), Is.All.EqualTo(StepStatus.Cached));
        Assert.That(TestPipelines.Calls["First"], Is.EqualTo(1));
        Assert.That(second.Third, Is.EqualTo("third:2"));
        Assert.That(second["third"].Artifacts["Output"].Id, Is.EqualTo(first["third"].Artifacts["Output"].Id), "a cache hit reuses the stored artifact");
    }

    [Test]
    public async Task Steps_with_caching_off_run_every_time()
    {
        await Pipelines.RendezvousPipeline.RunAsync(_store.Options(maxParallelism: 2));
        var second = await Pipelines.RendezvousPipeline.RunAsync(_store.Options(maxParallelism: 2));

        Assert.That(second.Steps.Select(s => s.Status), Is.All.EqualTo(StepStatus.Completed));
        Assert.That(TestPipelines.Calls["MeetLeft"], Is.EqualTo(2));
    }

    [Test]
    public async Task Turning_the_cache_off_for_a_run_runs_every_step()
    {
        await Pipelines.ChainPipeline.RunAsync(_store.Options());
        var second = await Pipelines.ChainPipeline.RunAsync(_store.Options(enableCache: false));

        Assert.That(second.Steps.Select(s => s.Status), Is.All.EqualTo(StepStatus.Completed));
        Assert.That(TestPipelines.Calls["First"], Is.EqualTo(2));
    }

    [Test]
    public async Task A_changed_parameter_misses_the_cache_for_the_steps_it_reaches()
    {
        var weights = new Dictionary<string, int> { ["b"] = 2, ["a"] = 1 };
        await Pipelines.ParametersPipeline.RunAsync(weights, options: _store.Options());
        var second = await Pipelines.ParametersPipeline.RunAsync(new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 }, count: 4, options: _store.Options());

        Assert.That(second["tags"].Status, Is.EqualTo(StepStatus.Cached), "equal dictionaries in another order hash alike");
        Assert.That(second["describe"].Status, Is.EqualTo(StepStatus.Completed));
        Assert.That(second["describe-2"].Status, Is.EqualTo(StepStatus.Cached));
        Assert.That(second.Describe, Is.EqualTo("run:4:0.5:a=1|b=2"));
        Assert.That(second.Describe2, Is.EqualTo("constant:1:2:a=1|b=2"));
    }

    [Test]
    public async Task A_failed_step_stops_its_dependents_only_and_the_next_run_reuses_what_completed()
    {
        TestPipelines.BoomShouldFail = true;
        var failed = await Pipelines.FailingPipeline.RunAsync(_store.Options());

        Assert.That(failed.Status, Is.EqualTo(RunStatus.Failed));
        Assert.That(failed["stable"].Status, Is.EqualTo(StepStatus.Completed));
        Assert.That(failed["boom"].Status, Is.EqualTo(StepStatus.Failed));
        Assert.That(failed["boom"].Error, Is.EqualTo("InvalidOperationException: boom on purpose"));
        Assert.That(failed["after-boom"].Status, Is.EqualTo(StepStatus.NotRun));
        Assert.That(failed["after-boom"].Error, Is.EqualTo("upstream task 'boom' failed"));
        Assert.That(failed["independent"].Status, Is.EqualTo(StepStatus.Completed));
        Assert.That(() => failed.AfterBoom, Throws.InvalidOperationException.With.Message.Contains("did not run"));

        using (var store = _store.Open())
        {
            Assert.That(store.GetRun(failed.RunId)!.Status, Is.EqualTo(RunStatus.Failed));
            Assert.That(store.GetStepRuns(failed.RunId).Select(s => (s.TaskKey, s.Status)), Is.EquivalentTo(new[]
            {
                ("stable", StepStatus.Completed), ("boom", StepStatus.Failed), ("after-boom", StepStatus.NotRun), ("independent", StepStatus.Completed),
            }));
        }

        TestPipelines.BoomShouldFail = false;
        var retried = await Pipelines.FailingPipeline.RunAsync(_store.Options());

        Assert.That(retried.Status, Is.EqualTo(RunStatus.Completed));
        Assert.That(retried["stable"].Status, Is.EqualTo(StepStatus.Cached));
        Assert.That(retried["independent"].Status, Is.EqualTo(StepStatus.Cached));
        Assert.That(retried["boom"].Status, Is.EqualTo(StepStatus.Completed));
        Assert.That(retried.AfterBoom, Is.EqualTo(71));
        Assert.That(TestPipelines.Calls["Stable"], Is.EqualTo(1));
    }

    [Test]
    public async Task Artifacts_and_lineage_are_recorded_with_size_hash_and_producer()
    {
        var run = await Pipelines.ChainPipeline.RunAsync(_store.Options());

        using var store = _store.Open();
        var steps = store.GetStepRuns(run.RunId).ToDictionary(s => s.TaskKey);
        var firstOutput = store.GetOutputs(steps["first"].Id)["Output"];
        var path = LocalArtifactStore.LocalPath(firstOutput.Uri);
        var bytes = File.ReadAllBytes(path);
        Assert.That(bytes, Is.EqualTo("1"u8.ToArray()));
        Assert.That(firstOutput.Size, Is.EqualTo(bytes.Length));
        Assert.That(firstOutput.ContentHash, Is.EqualTo(ContentHash.Of(bytes)));
        Assert.That(firstOutput.ProducerStepRunId, Is.EqualTo(steps["first"].Id));
        Assert.That(firstOutput.KfpType, Is.EqualTo("NUMBER_INTEGER"));
        Assert.That(path, Does.StartWith(Path.Combine(_store.Path, "artifacts", run.RunId)));

        var consumed = store.GetInputs(steps["second"].Id).Single();
        Assert.That(consumed.ArtifactId, Is.EqualTo(firstOutput.Id));
        Assert.That(consumed.Source, Is.EqualTo("task"));
        Assert.That(steps["second"].CacheKeyParts, Does.Contain("\"PipelineSdk.Tests.TestPipelines.Second(int)\""));
    }

    [Test]
    public async Task A_deleted_artifact_is_not_served_from_the_cache()
    {
        var first = await Pipelines.ChainPipeline.RunAsync(_store.Options());
        File.Delete(LocalArtifactStore.LocalPath(first["third"].Artifacts["Output"].Uri));

        var second = await Pipelines.ChainPipeline.RunAsync(_store.Options());

        Assert.That(second["first"].Status, Is.EqualTo(StepStatus.Cached));
        Assert.That(second["third"].Status, Is.EqualTo(StepStatus.Completed));
        Assert.That(second.Third, Is.EqualTo("third:2"));
    }

    [Test]
    public void Unknown_and_missing_parameters_are_rejected_before_anything_runs()
    {
        var descriptor = Pipelines.ParametersPipeline.Descriptor;

        Assert.That(() => Orchestration.PipelineRunner.RunAsync(descriptor, new Dictionary<string, object?>(), _store.Options()),
            Throws.ArgumentException.With.Message.EqualTo("Pipeline 'parameters-pipeline' needs a value for parameter 'weights' (Dictionary<string, int>); pass --param weights=VALUE."));
        Assert.That(() => Orchestration.PipelineRunner.RunAsync(descriptor, new Dictionary<string, object?> { ["weights"] = new Dictionary<string, int>(), ["nope"] = 1 }, _store.Options()),
            Throws.ArgumentException.With.Message.StartsWith("Pipeline 'parameters-pipeline' has no parameter 'nope'"));
        Assert.That(() => Orchestration.PipelineRunner.RunAsync(descriptor, new Dictionary<string, object?> { ["weights"] = new Dictionary<string, int>(), ["count"] = "three" }, _store.Options()),
            Throws.ArgumentException.With.Message.EqualTo("Parameter 'count' of pipeline 'parameters-pipeline' must be int, got String."));
        Assert.That(TestPipelines.Calls, Is.Empty);
        using var store = _store.Open();
        Assert.That(store.ListRuns(), Is.Empty);
    }
}
