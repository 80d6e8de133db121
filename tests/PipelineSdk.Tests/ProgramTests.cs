using PipelineSdk.Build;
using PipelineSdk.Hosting;
using PipelineSdk.Descriptors;
using PipelineSdk.Store;
using Spectre.Console;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Tests;

[NonParallelizable]
public class ProgramTests
{
    private static string QuickStartDirectory => ExampleProgram.QuickStart.Directory;

    [Test]
    public void The_build_writes_every_pipeline_spec_read_from_metadata()
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "pipelines");

        var specs = PipelineSpecReader.ReadSpecs(typeof(ProgramTests).Assembly.Location);

        Assert.That(specs.Select(s => s.Key), Is.EquivalentTo(PipelineRegistry.All.Select(p => p.Name)));
        Assert.That(Directory.GetFiles(directory, "*.json").Select(Path.GetFileNameWithoutExtension), Is.EquivalentTo(specs.Select(s => s.Key)));
        foreach (var (name, json) in specs)
        {
            Assert.That(File.ReadAllText(Path.Combine(directory, name + ".json")), Is.EqualTo(json));
            Assert.That(json, Is.EqualTo(PipelineRegistry.Find(name)!.SpecJson));
        }
    }

    [Test]
    public async Task Run_with_params_parses_them_with_the_parameter_types()
    {
        using var store = new TempStore();
        TestPipelines.Reset();

        var (exit, output, error) = await RunApp(store, "run", "parameters-pipeline", "--param", "weights={\"z\": 3}", "--param", "count=7", "-p", "label=hello world", "--param", "ratio=1.25");

        Assert.That(error, Is.Empty);
        Assert.That(exit, Is.EqualTo(PipelineApp.Success));
        Assert.That(output, Does.Contain("Output = \"hello world:7:1.25:z=3\""));
        using var records = store.Open();
        var run = records.ListRuns().Single();
        Assert.That(run.ParametersJson, Is.EqualTo("{\"weights\":{\"z\":3},\"count\":7,\"label\":\"hello world\",\"ratio\":1.25}"));
    }

    [TestCase(new[] { "run", "nope" }, "error: no pipeline named 'nope'; this program has artifact-kinds, artifact-loop-pipeline, branch-pipeline, chain-pipeline, constant-collections-pipeline, container-pipeline, describe, failing-container-pipeline, failing-pipeline, flaky-pipeline, forgotten-artifact, guarded-pipeline, image-only-pipeline, logging-pipeline, loop-pipeline, mislogging-pipeline, nested-pipeline, one-of-pipeline, ordered-pipeline, outer-one-of-pipeline, parameters-pipeline, plain-exit-pipeline, rendezvous-pipeline, squares-of, sum-of-squares, train-and-promote, train-once, wide-pipeline")]
    [TestCase(new string[0], "error: this program has 28 pipelines (artifact-kinds, artifact-loop-pipeline, branch-pipeline, chain-pipeline, constant-collections-pipeline, container-pipeline, describe, failing-container-pipeline, failing-pipeline, flaky-pipeline, forgotten-artifact, guarded-pipeline, image-only-pipeline, logging-pipeline, loop-pipeline, mislogging-pipeline, nested-pipeline, one-of-pipeline, ordered-pipeline, outer-one-of-pipeline, parameters-pipeline, plain-exit-pipeline, rendezvous-pipeline, squares-of, sum-of-squares, train-and-promote, train-once, wide-pipeline); choose one with `run <pipeline>`")]
    [TestCase(new[] { "run", "parameters-pipeline", "--param", "weights={}", "--param", "count=three" }, "error: --param count=three: 'three' is not a whole number like 5 (count is int)")]
    [TestCase(new[] { "run", "parameters-pipeline", "--param", "weights=[1]" }, "error: --param weights=[1]: '[1]' is not a JSON object like {\"a\": 1} (weights is Dictionary<string, int>)")]
    [TestCase(new[] { "run", "parameters-pipeline", "--param", "weights" }, "error: --param weights: write it as --param name=value")]
    [TestCase(new[] { "run", "parameters-pipeline", "--param", "colour=red" }, "error: --param colour=red: pipeline 'parameters-pipeline' has no parameter 'colour' (its parameters: weights, count, label, ratio)")]
    [TestCase(new[] { "run", "parameters-pipeline" }, "error: Pipeline 'parameters-pipeline' needs a value for parameter 'weights' (Dictionary<string, int>); pass --param weights=VALUE.")]
    [TestCase(new[] { "run", "chain-pipeline", "--max-parallelism", "0" }, "error: --max-parallelism must be at least 1, got 0")]
    [TestCase(new[] { "--colour" }, "error: Unrecognized command or argument '--colour'. (see --help)")]
    public async Task Bad_command_lines_get_one_line_errors_and_exit_code_2(string[] args, string expected)
    {
        using var store = new TempStore();

        var (exit, output, error) = await RunApp(store, args);

        Assert.That(exit, Is.EqualTo(PipelineApp.UsageError));
        Assert.That(error.TrimEnd('\n'), Is.EqualTo(expected));
        Assert.That(output, Is.Empty);
        using var records = store.Open();
        Assert.That(records.ListRuns(), Is.Empty, "nothing runs after a usage error");
    }

    [Test]
    public async Task A_failed_run_exits_with_1_and_shows_the_failure()
    {
        using var store = new TempStore();
        TestPipelines.Reset();
        TestPipelines.BoomShouldFail = true;

        var (exit, output, _) = await RunApp(store, "run", "FailingPipeline");

        Assert.That(exit, Is.EqualTo(PipelineApp.RunFailed));
        Assert.That(output, Does.Contain("InvalidOperationException: boom on purpose"));
        Assert.That(output, Does.Contain("upstream task 'boom' failed"));
        Assert.That(output, Does.Not.Contain("   at "), "no stack trace in the summary");
    }

    [Test]
    public async Task List_shows_the_pipelines_and_their_parameters()
    {
        using var store = new TempStore();

        var (exit, output, _) = await RunApp(store, "list");

        Assert.That(exit, Is.EqualTo(PipelineApp.Success));
        Assert.That(output, Does.Contain("parameters-pipeline").And.Contain("count: int = 3").And.Contain("weights: Dictionary<string, int>"));
    }

    [Test]
    public void QuickStart_spec_is_in_its_build_output()
    {
        var spec = Path.Combine(QuickStartDirectory, "pipelines", "vertex-example-pipeline.json");

        Assert.That(File.Exists(spec), Is.True, spec);
        // The spec is compact JSON (as embedded in the assembly): read it as JSON, not as text laid out one way.
        Assert.That(System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(spec))!["pipelineInfo"]!["name"]!.GetValue<string>(), Is.EqualTo("vertex-example-pipeline"));
    }

    [Test]
    public async Task QuickStart_runs_twice_as_a_process_and_the_second_run_reuses_GetFirstNum()
    {
        using var store = new TempStore();

        var first = await RunQuickStart(store);
        var second = await RunQuickStart(store);

        Assert.That(first.Exit, Is.EqualTo(0), first.Error);
        Assert.That(second.Exit, Is.EqualTo(0), second.Error);
        Assert.That(Row(first.Output, "get-first-num"), Does.Contain(" ran "));
        Assert.That(Row(second.Output, "get-first-num"), Does.Contain(" cached ").And.Contain("Output = 10"));
        Assert.That(Row(second.Output, "get-random-int"), Does.Contain(" ran "));
        Assert.That(Row(second.Output, "subtract-numbers"), Does.Contain(" ran ").Or.Contain(" cached "));
        Assert.That(second.Output, Does.Contain(Path.Combine(store.Path, MetadataStore.DatabaseFileName)));

        using var records = store.Open();
        var runs = records.ListRuns("vertex-example-pipeline");
        Assert.That(runs, Has.Count.EqualTo(2));
        Assert.That(runs.Select(r => r.Status), Is.All.EqualTo(RunStatus.Completed));
        var steps = records.GetStepRuns(runs[0].Id).ToDictionary(s => s.TaskKey);
        Assert.That(steps["get-first-num"].Status, Is.EqualTo(StepStatus.Cached));
        Assert.That(steps["get-random-int"].Status, Is.EqualTo(StepStatus.Completed));
    }

    [Test]
    public async Task QuickStart_rejects_an_unknown_pipeline_without_a_stack_trace()
    {
        using var store = new TempStore();

        var result = await RunQuickStart(store, "run", "nope");

        Assert.That(result.Exit, Is.EqualTo(2));
        Assert.That(result.Error.TrimEnd('\n'), Is.EqualTo("error: no pipeline named 'nope'; this program has vertex-example-pipeline"));
    }

    private static string Row(string output, string task) =>
        output.Split('\n').SingleOrDefault(line => line.StartsWith('│') && line.Contains($" {task} ", StringComparison.Ordinal)) ?? $"<no row for {task} in:\n{output}>";

    [Test]
    public async Task The_run_summary_shows_a_display_name_beside_its_task_key()
    {
        using var store = new TempStore();
        SettingsPipelines.Reset(failuresBeforeSuccess: 1);

        var (exit, output, error) = await RunApp(store, "run", "flaky-pipeline");

        Assert.That(exit, Is.EqualTo(PipelineApp.Success), error);
        Assert.That(output, Does.Contain("flaky (A flaky download)"));
        Assert.That(output, Does.Contain("after-flaky ").And.Not.Contain("after-flaky ("));
    }

    internal static async Task<(int Exit, string Output, string Error)> RunApp(TempStore store, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 200;
        var previous = Environment.GetEnvironmentVariable(StoreLocation.HomeVariable);
        Environment.SetEnvironmentVariable(StoreLocation.HomeVariable, store.Path);
        try
        {
            var exit = await PipelineApp.RunAsync(args, console, error, CancellationToken.None);
            return (exit, output.ToString(), error.ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable(StoreLocation.HomeVariable, previous);
        }
    }

    private static Task<ProcessResult> RunQuickStart(TempStore store, params string[] args) => ExampleProgram.QuickStart.RunAsync(store, args);
}
