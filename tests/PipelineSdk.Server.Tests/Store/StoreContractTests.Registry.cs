using PipelineSdk.Stacks;
using PipelineSdk.Store;

namespace PipelineSdk.Server.Tests.Store;

// Named artifact versions and model stages, on every backend.
public abstract partial class StoreContractTests
{
    private static readonly DateTimeOffset RegistryStart = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Who a promotion made with <paramref name="given"/> as its author is recorded as (a server records its token's name).</summary>
    protected virtual string RecordedPromoter(string given) => given;

    /// <summary>Records a run whose step produced one named output; returns the new artifact.</summary>
    private static ArtifactRecord ProduceNamed(MetadataStore store, string runId, string name, string hash, string kfpType = "system.Model", IReadOnlyList<string>? tags = null)
    {
        store.CreateRun(runId, "train", RegistryStart, "{}", "local");
        var step = store.StartStepRun(runId, "train", "train", RegistryStart, "key-" + hash, null);
        return store.FinishStepRun(step, StepStatus.Completed, RegistryStart.AddSeconds(1), null, [],
            [new NewArtifact("Output", $"file:///{runId}/Output", kfpType, "Model", 3, hash, """{"accuracy":0.5}""", name, tags)])["Output"];
    }

    [Test]
    public async Task Each_run_producing_a_named_output_makes_its_next_version_and_a_cache_hit_makes_none()
    {
        var store = await NewStoreAsync();
        var first = ProduceNamed(store, "run-1", "churn-model", "h1", tags: ["nightly"]);
        ProduceNamed(store, "run-2", "churn-model", "h2");
        ProduceNamed(store, "run-3", "churn-data", "d1", "system.Dataset");

        // A cache hit reuses the first run's artifact: no new version.
        store.CreateRun("run-4", "train", RegistryStart, "{}", "local");
        var cached = store.StartStepRun("run-4", "train", "train", RegistryStart, "key-h1", null);
        store.FinishStepRun(cached, StepStatus.Cached, RegistryStart, null, [], [], store.FindCachedStepRun("train", "key-h1"));

        var again = await AgainAsync(store);
        var versions = again.ListArtifactVersions("churn-model");
        Assert.That(versions.Select(v => v.Version), Is.EqualTo(new[] { 2, 1 }), "newest first; the cache hit made none");
        Assert.That(versions[1].Artifact.Id, Is.EqualTo(first.Id));
        Assert.That(versions[1].RunId, Is.EqualTo("run-1"));
        Assert.That(versions[1].Tags, Is.EqualTo(new[] { "nightly" }));
        Assert.That(versions.Select(v => v.Stage), Is.All.EqualTo(ModelStage.None));
        Assert.That(again.ListArtifactNames().Select(n => (n.Name, n.LatestVersion, n.KfpType)),
            Is.EqualTo(new[] { ("churn-data", 1, "system.Dataset"), ("churn-model", 2, "system.Model") }));
        Assert.That(again.ListArtifactVersions("nope"), Is.Empty);

        Assert.That(again.TagArtifactVersion("churn-model", 2, "best"), Is.True);
        Assert.That(again.TagArtifactVersion("churn-model", 2, "best"), Is.True, "a tag it has is kept once");
        Assert.That(again.TagArtifactVersion("churn-model", 7, "best"), Is.False);
        Assert.That(again.TagArtifactVersion("nope", 1, "best"), Is.False);
        Assert.That(store.FindArtifactVersion("churn-model", "latest")!.Version, Is.EqualTo(2));
        Assert.That(store.FindArtifactVersion("churn-model", "1")!.Version, Is.EqualTo(1));
        Assert.That(store.FindArtifactVersion("churn-model", "best")!.Tags, Is.EqualTo(new[] { "best" }));
        Assert.That(store.FindArtifactVersion("churn-model", "nightly")!.Version, Is.EqualTo(1));
        Assert.That(store.FindArtifactVersion("churn-model", "9"), Is.Null);
        Assert.That(store.FindArtifactVersion("churn-model", "gone"), Is.Null);
    }

    [Test]
    public async Task Runs_finishing_at_once_get_distinct_versions()
    {
        var store = await NewStoreAsync();
        ProduceNamed(store, "run-0", "churn-model", "h0");
        const int Writers = 6;
        var stores = new List<MetadataStore>();
        for (var i = 0; i < Writers; i++)
        {
            stores.Add(await AgainAsync(store));
        }

        // Each writer is its own connection (another process, another client); all finish their step runs together.
        using var start = new Barrier(Writers);
        await Task.WhenAll(stores.Select((writer, i) => Task.Run(() =>
        {
            writer.CreateRun($"run-{i + 1}", "train", RegistryStart, "{}", "local");
            var step = writer.StartStepRun($"run-{i + 1}", "train", "train", RegistryStart, null, null);
            start.SignalAndWait();
            writer.FinishStepRun(step, StepStatus.Completed, RegistryStart, null, [], [new NewArtifact("Output", $"file:///{i}", "system.Model", "Model", 1, $"h{i + 1}", "{}", "churn-model")]);
        })));

        var versions = store.ListArtifactVersions("churn-model");
        Assert.That(versions.Select(v => v.Version).Order(), Is.EqualTo(Enumerable.Range(1, Writers + 1)));
        Assert.That(versions.Select(v => v.RunId).Distinct().Count(), Is.EqualTo(Writers + 1));
        Assert.That(store.ListArtifactNames().Single().LatestVersion, Is.EqualTo(Writers + 1));
    }

    [Test]
    public async Task Promoting_moves_the_version_in_that_stage_to_archived_unless_asked_and_records_who_and_when()
    {
        var store = await NewStoreAsync();
        for (var i = 1; i <= 3; i++)
        {
            ProduceNamed(store, $"run-{i}", "churn-model", $"h{i}");
        }

        var at = RegistryStart.AddHours(1);
        var first = store.SetModelStage("churn-model", 1, ModelStage.Production, keepOthers: false, "alice", at);
        Assert.That(first, Is.EqualTo(new[] { new StageChangeRecord("churn-model", 1, ModelStage.None, ModelStage.Production, RecordedPromoter("alice"), at) }));
        var second = store.SetModelStage("churn-model", 2, ModelStage.Production, keepOthers: false, "bob", at.AddMinutes(1));
        Assert.That(second.Select(c => (c.Version, c.From, c.To)), Is.EqualTo(new[] { (1, ModelStage.Production, ModelStage.Archived), (2, ModelStage.None, ModelStage.Production) }));
        Assert.That(store.SetModelStage("churn-model", 2, ModelStage.Production, keepOthers: false, "bob", at), Is.Empty, "already there");
        store.SetModelStage("churn-model", 3, ModelStage.Production, keepOthers: true, "carol", at.AddMinutes(2));
        store.SetModelStage("churn-model", 3, ModelStage.Staging, keepOthers: false, "carol", at.AddMinutes(3));

        var again = await AgainAsync(store);
        Assert.That(again.ListArtifactVersions("churn-model").Select(v => (v.Version, v.Stage)),
            Is.EqualTo(new[] { (3, ModelStage.Staging), (2, ModelStage.Production), (1, ModelStage.Archived) }));
        Assert.That(again.FindModelVersion("churn-model", ModelStage.Production)!.Version, Is.EqualTo(2));
        var history = again.GetStageChanges("churn-model");
        Assert.That(history.Select(c => (c.Version, c.To)), Is.EqualTo(new[]
        {
            (1, ModelStage.Production), (1, ModelStage.Archived), (2, ModelStage.Production), (3, ModelStage.Production), (3, ModelStage.Staging),
        }));
        Assert.That(history[0].ChangedBy, Is.EqualTo(RecordedPromoter("alice")));
        Assert.That(history[4].ChangedAt, Is.EqualTo(at.AddMinutes(3)));

        var noVersion = Assert.Throws<StackException>(() => store.SetModelStage("churn-model", 9, ModelStage.Production, false, "alice", at))!;
        Assert.That(noVersion.Message, Does.Contain("has no version 9"));
        var noModel = Assert.Throws<StackException>(() => store.SetModelStage("nope", 1, ModelStage.Production, false, "alice", at))!;
        Assert.That(noModel.Message, Does.Contain("no model 'nope'"));
    }

    [Test]
    public async Task Promotions_at_once_leave_one_version_in_production()
    {
        var store = await NewStoreAsync();
        const int Versions = 5;
        for (var i = 1; i <= Versions; i++)
        {
            ProduceNamed(store, $"run-{i}", "churn-model", $"h{i}");
        }

        var stores = new List<MetadataStore>();
        for (var i = 0; i < Versions; i++)
        {
            stores.Add(await AgainAsync(store));
        }

        using var start = new Barrier(Versions);
        await Task.WhenAll(stores.Select((promoter, i) => Task.Run(() =>
        {
            start.SignalAndWait();
            promoter.SetModelStage("churn-model", i + 1, ModelStage.Production, keepOthers: false, "ci", RegistryStart);
        })));

        var stages = store.ListArtifactVersions("churn-model").Select(v => v.Stage).ToList();
        Assert.That(stages.Count(s => s == ModelStage.Production), Is.EqualTo(1));
        Assert.That(stages.Count(s => s == ModelStage.Archived), Is.EqualTo(Versions - 1));
    }
}
