using PipelineSdk.Artifacts;
using PipelineSdk.Orchestration;
using PipelineSdk.Stacks;
using PipelineSdk.Store;
using RegistryPipelines = RegistryApp.Pipelines;

namespace PipelineSdk.Tests;

/// <summary>
/// Named, versioned outputs and the model registry through real runs: the deploy-if-better pipeline of the RegistryApp test
/// program in-process with typed results, and the program itself as a child process under both local orchestrators.
/// </summary>
public class RegistryTests
{
    [Test]
    public async Task A_better_model_is_promoted_a_worse_one_is_not_and_a_cache_hit_makes_no_new_version()
    {
        using var temp = new TempStore();
        var first = await RegistryPipelines.TrainAndPromote.RunAsync(quality: 0.8, options: temp.Options());
        var worse = await RegistryPipelines.TrainAndPromote.RunAsync(quality: 0.7, options: temp.Options());
        var better = await RegistryPipelines.TrainAndPromote.RunAsync(quality: 0.9, options: temp.Options());
        var same = await RegistryPipelines.TrainAndPromote.RunAsync(quality: 0.9, options: temp.Options());

        Assert.That(new[] { first, worse, better, same }.Select(r => r.Status), Is.All.EqualTo(RunStatus.Completed), string.Join("; ", better.Steps.Select(s => s.Error)));
        Assert.That(first.PromoteIfBetter, Is.EqualTo("promoted version 1"), "no production model yet: the input is null");
        Assert.That(worse.PromoteIfBetter, Is.EqualTo("kept production: 0.8 beats 0.7"));
        Assert.That(better.PromoteIfBetter, Is.EqualTo("promoted version 3"));
        Assert.That(same.PromoteIfBetter, Is.EqualTo("kept production: 0.9 beats 0.9"));
        Assert.That(same.Steps.Single(s => s.TaskKey == "train").Status, Is.EqualTo(StepStatus.Cached));

        using var store = temp.Open();
        var versions = store.ListArtifactVersions("churn-model");
        Assert.That(versions.Select(v => (v.Version, v.Stage, v.RunId)), Is.EqualTo(new[]
        {
            (3, ModelStage.Production, better.RunId), (2, ModelStage.None, worse.RunId), (1, ModelStage.Archived, first.RunId),
        }), "the cached train step of the fourth run made no version");
        Assert.That(versions.Select(v => v.Tags), Is.All.EqualTo(new[] { "candidate" }));
        Assert.That(store.ListArtifactVersions("churn-data").Select(v => v.Version), Is.EqualTo(new[] { 1 }), "the tuple element is named; split ran once");
        var changes = store.GetStageChanges("churn-model");
        Assert.That(changes.Select(c => (c.Version, c.From, c.To)), Is.EqualTo(new[]
        {
            (1, ModelStage.None, ModelStage.Production), (1, ModelStage.Production, ModelStage.Archived), (3, ModelStage.None, ModelStage.Production),
        }));
        Assert.That(changes.Select(c => c.ChangedBy), Is.All.EqualTo(Environment.UserName));

        // The production model each promote-if-better read is its recorded input: lineage, and part of its cache key.
        var promote = store.GetStepRuns(same.RunId).Single(s => s.TaskKey == "promote-if-better");
        var current = store.GetInputs(promote.Id).Single(i => i.InputName == "current");
        Assert.That((current.Source, current.ArtifactId), Is.EqualTo(("registry", versions[0].Artifact.Id)));
        var firstPromote = store.GetStepRuns(first.RunId).Single(s => s.TaskKey == "promote-if-better");
        Assert.That(store.GetInputs(firstPromote.Id).Single(i => i.InputName == "current").ArtifactId, Is.Null);
        Assert.That(store.GetConsumers(versions[0].Artifact.Id).Select(s => s.RunId), Does.Contain(same.RunId));
    }

    [Test]
    public async Task Plain_code_loads_the_latest_a_numbered_a_tagged_and_the_production_version()
    {
        using var temp = new TempStore();
        await RegistryPipelines.TrainAndPromote.RunAsync(quality: 0.6, options: temp.Options());
        await RegistryPipelines.TrainAndPromote.RunAsync(quality: 0.5, options: temp.Options());
        using var store = temp.Open();
        store.TagArtifactVersion("churn-model", 1, "reviewed");

        Assert.That(ArtifactRegistry.Load<Artifacts.Model>("churn-model", store: store).ReadAllText(), Is.EqualTo("6 rows, accuracy 0.5"));
        Assert.That(ArtifactRegistry.Load<Artifacts.Model>("churn-model", "1", store).ReadAllText(), Is.EqualTo("6 rows, accuracy 0.6"));
        Assert.That(ArtifactRegistry.Load<Artifacts.Model>("churn-model", "reviewed", store).Metadata["accuracy"]!.GetValue<double>(), Is.EqualTo(0.6));
        Assert.That(ModelRegistry.Load<Artifacts.Model>("churn-model", ModelStage.Production, store)!.ReadAllText(), Is.EqualTo("6 rows, accuracy 0.6"));
        Assert.That(ModelRegistry.Load<Artifacts.Model>("churn-model", ModelStage.Staging, store), Is.Null);
        Assert.That(ArtifactRegistry.Load<Dataset>("churn-data", store: store).ReadAllText(), Is.EqualTo("0\n1\n2\n3\n4\n5\n"));

        var missingVersion = Assert.Throws<StackException>(() => ArtifactRegistry.Load<Artifacts.Model>("churn-model", "7", store))!;
        Assert.That(missingVersion.Message, Is.EqualTo("artifact 'churn-model' has no version '7'; `pipelines artifacts versions churn-model` lists them"));
        Assert.Throws<StackException>(() => ArtifactRegistry.Load<Artifacts.Model>("nope", store: store));

        var changes = ModelRegistry.Promote("churn-model", 2, ModelStage.Production, store: store);
        Assert.That(changes.Select(c => (c.Version, c.To)), Is.EqualTo(new[] { (1, ModelStage.Archived), (2, ModelStage.Production) }));
    }

    [Test]
    public async Task A_from_artifact_step_reruns_when_a_new_version_appears_and_fails_when_there_is_none()
    {
        using var temp = new TempStore();
        var none = await RegistryPipelines.Describe.RunAsync(options: temp.Options());
        Assert.That(none.Status, Is.EqualTo(RunStatus.Failed));
        Assert.That(none.Steps.Single().Error, Is.EqualTo("no artifact is named 'churn-model' yet; run the pipeline whose step outputs it first"));

        await RegistryPipelines.TrainAndPromote.RunAsync(quality: 0.4, options: temp.Options());
        var described = await RegistryPipelines.Describe.RunAsync(options: temp.Options());
        var again = await RegistryPipelines.Describe.RunAsync(options: temp.Options());
        await RegistryPipelines.TrainAndPromote.RunAsync(quality: 0.3, options: temp.Options());
        var newer = await RegistryPipelines.Describe.RunAsync(options: temp.Options());

        Assert.That(described.DescribeLatest, Is.EqualTo("6 rows, accuracy 0.4"));
        Assert.That(again.Steps.Single().Status, Is.EqualTo(StepStatus.Cached), "same version, same cache key");
        Assert.That(newer.Steps.Single().Status, Is.EqualTo(StepStatus.Completed), "a new version is a new input");
        Assert.That(newer.DescribeLatest, Is.EqualTo("6 rows, accuracy 0.3"));
    }

    [TestCase(OrchestratorFlavors.Local)]
    [TestCase(OrchestratorFlavors.LocalProcess)]
    public async Task The_program_promotes_through_the_run_s_store_under_each_local_orchestrator(string orchestrator)
    {
        using var temp = new TempStore();
        foreach (var (quality, expected) in new[] { ("0.8", "promoted version 1"), ("0.95", "promoted version 2"), ("0.5", "kept production: 0.95 beats 0.5") })
        {
            var result = await ExampleProgram.RegistryApp.RunAsync(temp, "run", "train-and-promote", "--param", "quality=" + quality, "--orchestrator", orchestrator);
            Assert.That(result.Exit, Is.EqualTo(0), result.Error + result.Output);
            Assert.That(result.Output, Does.Contain(expected));
        }

        var describe = await ExampleProgram.RegistryApp.RunAsync(temp, "run", "describe", "--orchestrator", orchestrator);
        Assert.That(describe.Exit, Is.EqualTo(0), describe.Error + describe.Output);
        Assert.That(describe.Output, Does.Contain("6 rows, accuracy 0.5"));

        using var store = temp.Open();
        Assert.That(store.ListArtifactVersions("churn-model").Select(v => (v.Version, v.Stage)),
            Is.EqualTo(new[] { (3, ModelStage.None), (2, ModelStage.Production), (1, ModelStage.Archived) }));
        Assert.That(store.ListRuns().Select(r => r.Orchestrator), Is.All.EqualTo(orchestrator));
    }
}
