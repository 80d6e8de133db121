using System.Runtime.Loader;
using PipelineSdk.Generators.Tests.Infrastructure;
using PipelineSdk.Descriptors;
using PipelineSdk.Orchestration;
using PipelineSdk.Store;

namespace PipelineSdk.Generators.Tests;

/// <summary>
/// Compiles a pipeline program, runs it, edits the source, recompiles and runs again against the same store:
/// the cache must follow the code, including helpers a step calls — not just the step's own body.
/// </summary>
[NonParallelizable]
public class CacheInvalidationTests
{
    private const string Program = """
        using PipelineSdk;

        public static class Scoring
        {
            public const int Bonus = 1;

            public static int Scale(int value) => value * 2;
        }

        public static class Flow
        {
            [Step] public static int Load() => 20;
            [Step] public static int Score(int value) => Scoring.Scale(value) + Scoring.Bonus;
            [Step] public static int Report(int score) => score;

            [Pipeline]
            public static void Scored()
            {
                var loaded = Load();
                var score = Score(loaded);
                Report(score);
            }
        }
        """;

    private string _store = null!;

    [SetUp]
    public void SetUp() => _store = Path.Combine(Path.GetTempPath(), "psdk-cache-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_store))
        {
            Directory.Delete(_store, recursive: true);
        }
    }

    [Test]
    public async Task Unchanged_code_is_served_from_the_cache()
    {
        await Run(Program);

        var second = await Run(Program);

        Assert.That(Statuses(second), Is.EqualTo(new[] { StepStatus.Cached, StepStatus.Cached, StepStatus.Cached }));
    }

    [Test]
    public async Task Editing_a_helper_the_step_calls_reruns_the_step_and_what_depends_on_its_changed_output()
    {
        await Run(Program);

        var second = await Run(Program.Replace("value * 2", "value * 3", StringComparison.Ordinal));

        Assert.That(Statuses(second), Is.EqualTo(new[] { StepStatus.Cached, StepStatus.Completed, StepStatus.Completed }));
        Assert.That(second.GetOutput<int>("report"), Is.EqualTo(61));
    }

    [Test]
    public async Task Editing_a_constant_the_step_reads_reruns_the_step()
    {
        await Run(Program);

        var second = await Run(Program.Replace("Bonus = 1", "Bonus = 2", StringComparison.Ordinal));

        Assert.That(second["score"].Status, Is.EqualTo(StepStatus.Completed));
        Assert.That(second.GetOutput<int>("score"), Is.EqualTo(42));
    }

    [Test]
    public async Task Editing_the_step_body_reruns_it_but_an_equal_output_keeps_downstream_cached()
    {
        await Run(Program);

        // Same result, different code: Score reruns; Report's input hash is unchanged, so it stays cached.
        var second = await Run(Program.Replace("Scoring.Scale(value) + Scoring.Bonus", "Scoring.Bonus + Scoring.Scale(value)", StringComparison.Ordinal));

        Assert.That(Statuses(second), Is.EqualTo(new[] { StepStatus.Cached, StepStatus.Completed, StepStatus.Cached }));
    }

    [Test]
    public async Task Reformatting_and_comments_do_not_invalidate_the_cache()
    {
        await Run(Program);

        var second = await Run(Program.Replace("public static int Scale(int value) => value * 2;", "// Doubles.\n    public static int Scale(int value)\n        => value  *  2;", StringComparison.Ordinal));

        Assert.That(Statuses(second), Is.All.EqualTo(StepStatus.Cached));
    }

    [Test]
    public async Task Explain_cache_names_the_helper_that_changed_and_the_input_it_then_changed()
    {
        await Run(Program);
        var second = await Run(Program.Replace("value * 2", "value * 3", StringComparison.Ordinal));

        using var store = MetadataStore.Open(_store);
        var score = Caching.CacheExplanation.Explain(store, second.RunId, "score");
        var report = Caching.CacheExplanation.Explain(store, second.RunId, "report");
        var load = Caching.CacheExplanation.Explain(store, second.RunId, "load");

        Assert.That(score.Decision, Is.EqualTo(Caching.CacheDecision.Changed));
        Assert.That(score.Changes.Select(c => (c.Part, c.Name)), Is.EqualTo(new[] { ("helper", "Scoring.Scale(int)") }));
        Assert.That(score.Changes[0].Description, Is.EqualTo("a method it uses changed: Scoring.Scale(int)"));
        Assert.That(report.Changes.Select(c => (c.Part, c.Name)), Is.EqualTo(new[] { ("input", "score") }));
        Assert.That(load.Decision, Is.EqualTo(Caching.CacheDecision.Hit));
    }

    [Test]
    public async Task Explain_cache_names_the_step_itself_when_its_body_changed()
    {
        await Run(Program);
        var second = await Run(Program.Replace("[Step] public static int Report(int score) => score;", "[Step] public static int Report(int score) => score + 0;", StringComparison.Ordinal));

        using var store = MetadataStore.Open(_store);
        var report = Caching.CacheExplanation.Explain(store, second.RunId, "report");

        Assert.That(report.Changes.Select(c => c.Description), Is.EqualTo(new[] { "the step's own code changed (Flow.Report(int))" }));
    }

    private static StepStatus[] Statuses(PipelineRunResult run) => [.. run.Steps.Select(s => s.Status)];

    private async Task<PipelineRunResult> Run(string source)
    {
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Compile(source));
        Assert.That(result.Diagnostics, Is.Empty);
        var image = GeneratorHarness.EmitClean(output);

        // A collectible context per version, as if the program were rebuilt; PipelineSdk itself is shared.
        var context = new AssemblyLoadContext("pipeline-program", isCollectible: true);
        try
        {
            var assembly = context.LoadFromStream(new MemoryStream(image));
            var runner = assembly.GetType("Pipelines+Scored", throwOnError: true)!;
            var descriptor = (PipelineDescriptor)runner.GetProperty("Descriptor")!.GetValue(null)!;
            return await PipelineRunner.RunAsync(descriptor, options: new RunOptions { StoreDirectory = _store });
        }
        finally
        {
            context.Unload();
        }
    }
}
