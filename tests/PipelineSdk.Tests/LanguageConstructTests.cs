using PipelineSdk.Store;

namespace PipelineSdk.Tests;

/// <summary>
/// Issue 15's constructs run locally with their Kubeflow meaning (typed, in-process; PipelineSdk.Gcp.Tests'
/// SpecExecutionTests compares them with local-process runs and runs of their specs).
/// </summary>
public class LanguageConstructTests
{
    private TempStore _store = null!;

    [SetUp]
    public void SetUp() => _store = new TempStore();

    [TearDown]
    public void TearDown() => _store.Dispose();

    [Test]
    public async Task Constant_collections_defaults_and_loop_item_fields_reach_the_steps()
    {
        var run = await global::Pipelines.ConstantCollectionsPipeline.RunAsync(options: _store.Options());

        Assert.That(run.Status, Is.EqualTo(RunStatus.Completed), () => string.Join("; ", run.Steps.Select(s => $"{s.TaskKey}: {s.Error}")));
        Assert.That(run.Output, Is.EqualTo("a+b/x=1,y=2/0.5,2"), "the [Default] values, and a constant double[]");
        var labels = run.Steps.Where(s => s.StepName == "label").ToDictionary(s => s.TaskKey, s => (string)s.Outputs["Output"]!);
        Assert.That(labels, Is.EquivalentTo(new Dictionary<string, string>
        {
            ["label"] = "sum:36",
            ["label-2[0]"] = "x:1",
            ["label-2[1]"] = "y:2",
            ["label-3[0]"] = "anonymous:3",
            ["label-4[0]"] = "weight:5",
            ["label-4[1]"] = "weight:6",
            ["label-5[0]"] = "r1:0",
            ["label-5[1]"] = "r2:0",
        }));
    }

    [Test]
    public async Task Given_lists_and_dictionaries_replace_the_defaults_and_null_means_the_default()
    {
        var given = await global::Pipelines.ConstantCollectionsPipeline.RunAsync(["z"], new Dictionary<string, int> { ["k"] = 7 }, _store.Options());
        var nulls = await global::Pipelines.ConstantCollectionsPipeline.RunAsync(null, null, _store.Options());

        Assert.That(given.Output, Is.EqualTo("z/k=7/0.5,2"));
        Assert.That(nulls.Output, Is.EqualTo("a+b/x=1,y=2/0.5,2"));
    }

    [TestCase(3, "HELLO", "HELLO")]
    [TestCase(2, "HelloHello", "HelloHello")]
    [TestCase(1, "hello", "Hello")]
    public async Task A_OneOf_is_the_output_of_the_branch_that_ran(int loudness, string said, string kept)
    {
        var run = await global::Pipelines.OneOfPipeline.RunAsync(loudness, options: _store.Options());

        Assert.That(run.Status, Is.EqualTo(RunStatus.Completed), () => string.Join("; ", run.Steps.Select(s => $"{s.TaskKey}: {s.Error}")));
        Assert.That(run.Output, Is.EqualTo(said));
        Assert.That(run.ReadBack, Is.EqualTo(kept), "the artifact of the branch that ran");
        Assert.That(run.Steps.Count(s => s.Status == StepStatus.Completed), Is.EqualTo(3), "one step per branches group, and the reader");
    }

    [Test]
    public async Task A_called_pipeline_returns_its_OneOf()
    {
        var run = await global::Pipelines.OuterOneOfPipeline.RunAsync(options: _store.Options());

        Assert.That(run.Status, Is.EqualTo(RunStatus.Completed), () => string.Join("; ", run.Steps.Select(s => $"{s.TaskKey}: {s.Error}")));
        Assert.That(run.Output, Is.EqualTo("INNER"));
    }

    [Test]
    public async Task A_loop_over_collected_artifacts_reads_each_stored_artifact()
    {
        var run = await global::Pipelines.ArtifactLoopPipeline.RunAsync(options: _store.Options());

        Assert.That(run.Status, Is.EqualTo(RunStatus.Completed), () => string.Join("; ", run.Steps.Select(s => $"{s.TaskKey}: {s.Error}")));
        Assert.That(run.Output, Is.EqualTo("Hello, world!".Length));
        var lengths = run.Steps.Where(s => s.StepName == "length").OrderBy(s => s.TaskKey, StringComparer.Ordinal).Select(s => (int)s.Outputs["Output"]!);
        Assert.That(lengths, Is.EqualTo(new[] { 5, 1, 1, 6 }), "one iteration per collected dataset, in iteration order");
        Assert.That(run.Steps.Where(s => s.StepName == "repeat").Select(s => ((string)s.Outputs["Output"]!).Length).Order(), Is.EqualTo(new[] { 2, 2, 10, 12 }), "a loop over a collected parameter list");

        using var store = _store.Open();
        var steps = store.GetStepRuns(run.RunId).ToDictionary(s => s.TaskKey);
        var written = store.GetOutputs(steps["written[2]"].Id)["Output"];
        var consumed = store.GetInputs(steps["length[2]"].Id).Single();
        Assert.That((consumed.Source, consumed.ArtifactId), Is.EqualTo(("loop-item", (long?)written.Id)), "lineage: the iteration consumed the stored artifact");
    }
}
