using PipelineSdk.Descriptors;
using PipelineSdk.Orchestration;
using PipelineSdk.Store;
using PipelineSdk.Values;

namespace PipelineSdk.Tests;

/// <summary>Container steps on this machine: their command as a real child process, under both local orchestrators.</summary>
[NonParallelizable]
public class ContainerStepTests
{
    private TempStore _store = null!;

    [SetUp]
    public void SetUp() => _store = new TempStore();

    [TearDown]
    public void TearDown() => _store.Dispose();

    [TestCase(OrchestratorFlavors.Local)]
    [TestCase(OrchestratorFlavors.LocalProcess)]
    public async Task The_command_runs_as_a_child_process_and_its_outputs_are_read_back(string orchestrator)
    {
        var run = await Pipelines.ContainerPipeline.RunAsync("hello", _store.Options() with { Orchestrator = orchestrator });

        Assert.That(run.Status, Is.EqualTo(RunStatus.Completed), () => string.Join("; ", run.Steps.Select(s => s.Error)));
        Assert.That(run.Produce.Length, Is.EqualTo(5), "an output parameter the command wrote to its output file");
        Assert.That(File.ReadAllText(run.Produce.Data.Path), Is.EqualTo("hello\n"), "an artifact the command wrote at its path, now in the artifact store");
        Assert.That(run.Shout, Is.EqualTo("HELLO"), "no suffix: the IfPresent elements are left out");
        Assert.That(run.Shout2, Is.EqualTo("HELLO!"));
        Assert.That(run.Repeat, Is.EqualTo("HELLOHELLO"), "a constant and another task's output as arguments");
        Assert.That(run.Repeat2, Is.EqualTo("HELLO!HELLO!HELLO!HELLO!HELLO!"));
        using var store = _store.Open();
        var produce = store.GetStepRuns(run.RunId).Single(s => s.TaskKey == "produce");
        Assert.That(File.ReadAllText(produce.LogPath!), Does.Contain("producing hello"), "standard output is the step's log");
    }

    [TestCase(OrchestratorFlavors.Local)]
    [TestCase(OrchestratorFlavors.LocalProcess)]
    public async Task A_command_that_exits_non_zero_fails_the_step_with_one_line(string orchestrator)
    {
        var run = await Pipelines.FailingContainerPipeline.RunAsync(_store.Options() with { Orchestrator = orchestrator });

        Assert.That(run.Status, Is.EqualTo(RunStatus.Failed));
        var error = run["burn"].Error!;
        Assert.That(error, Does.StartWith("'sh' exited with code 3: disk on fire (log: "));
        Assert.That(error, Does.Not.Contain("\n"));
        using var store = _store.Open();
        Assert.That(File.ReadAllText(store.GetStepRuns(run.RunId).Single().LogPath!), Does.Contain("working").And.Contain("disk on fire"));
    }

    [TestCase(OrchestratorFlavors.Local)]
    [TestCase(OrchestratorFlavors.LocalProcess)]
    public async Task A_step_that_needs_its_image_fails_with_what_to_do(string orchestrator)
    {
        var run = await Pipelines.ImageOnlyPipeline.RunAsync(_store.Options() with { Orchestrator = orchestrator });

        Assert.That(run.Status, Is.EqualTo(RunStatus.Failed));
        Assert.That(run["train-in-image"].Error, Is.EqualTo(
            "step 'train-in-image' runs the image python:3.11 and has no LocalCommand; run it on a Vertex AI or Kubeflow stack, or add LocalCommand = [...] to its [ContainerStep] to run it on this machine"));
    }

    [Test]
    public async Task A_second_run_is_cached_in_both_orchestrators()
    {
        await Pipelines.ContainerPipeline.RunAsync("cache me", _store.Options());

        var again = await Pipelines.ContainerPipeline.RunAsync("cache me", _store.Options() with { Orchestrator = OrchestratorFlavors.LocalProcess });

        Assert.That(again.Steps.Select(s => s.Status), Is.All.EqualTo(StepStatus.Cached));
        Assert.That(again.Shout2, Is.EqualTo("CACHE ME!"));
    }

    [Test]
    public async Task Changing_the_command_or_its_arguments_misses_the_cache_and_explain_cache_says_which()
    {
        var first = await PipelineRunner.RunAsync(EchoPipeline("printf one > \"$0\""), options: _store.Options());
        var same = await PipelineRunner.RunAsync(EchoPipeline("printf one > \"$0\""), options: _store.Options());
        var changed = await PipelineRunner.RunAsync(EchoPipeline("printf two > \"$0\""), options: _store.Options());

        Assert.That(first["echo"].Status, Is.EqualTo(StepStatus.Completed), first["echo"].Error);
        Assert.That(same["echo"].Status, Is.EqualTo(StepStatus.Cached));
        Assert.That(changed["echo"].Status, Is.EqualTo(StepStatus.Completed));
        Assert.That(changed.GetOutput<string>("echo"), Is.EqualTo("two"));
        using var store = _store.Open();
        var explanation = Caching.CacheExplanation.Explain(store, changed.RunId, "echo");
        Assert.That(explanation.Changes.Select(c => (c.Part, c.Name)), Is.EquivalentTo(new[] { ("container", "command"), ("container", "localCommand") }));
    }

    [Test]
    public void Calling_a_container_step_directly_says_where_it_runs()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ContainerPipelines.TrainInImage(3));

        Assert.That(error!.Message, Does.StartWith("'TrainInImage' is a container step"));
    }

    [Test]
    public void IfPresent_and_Concat_resolve_as_Kubeflow_launcher_resolves_them_nested_or_not()
    {
        const string Input = """{"inputs": {"parameterValues": {"name": "x", "count": 3, "unset": null}}, "outputs": {"parameters": {"out": {"outputFile": "/tmp/out"}}, "outputFile": "/tmp/executor_output.json"}}""";

        var commandLine = PipelineSdk.Execution.Launcher.Substitute(
        [
            "run",
            """{"Concat": ["--name=", "{{$.inputs.parameters['name']}}", {"IfPresent": {"InputName": "count", "Then": ["/", "{{$.inputs.parameters['count']}}"]}}]}""",
            """{"IfPresent": {"InputName": "missing", "Then": ["--missing"], "Else": ["--none", "{{$.outputs.parameters['out'].output_file}}"]}}""",
            """{"IfPresent": {"InputName": "unset", "Then": ["--unset"]}}""",
            "{\"IfPresent\" is only text",
        ], Input);

        Assert.That(commandLine, Is.EqualTo(new[] { "run", "--name=x/3", "--none", "/tmp/out", "{\"IfPresent\" is only text" }));
    }

    /// <summary>A one-task pipeline whose container step runs <paramref name="script"/> with sh, here as in its image.</summary>
    private static PipelineDescriptor EchoPipeline(string script)
    {
        string[] command = ["sh", "-c", script];
        string[] args = ["{{$.outputs.parameters['Output'].output_file}}"];
        var settings = new StepSettings { Container = new ContainerCommand { Image = "alpine", Command = command, Arguments = args, LocalCommand = command } };
        var step = new StepDescriptor
        {
            Name = "echo",
            MethodName = "T.Echo",
            Inputs = [],
            Outputs = [new StepPort("Output", ParameterCodecs.String)],
            CodeParts = [new CodePart("T.Echo", "h")],
            CodeFingerprint = "fp",
            Invoke = (_, _) => throw new InvalidOperationException("a container step runs its command"),
            Settings = settings,
        };
        var task = new PipelineTask { Key = "echo", Step = step, Inputs = [], DependsOn = [], EnableCache = true };
        var container = new System.Text.Json.Nodes.JsonObject
        {
            ["image"] = "alpine",
            ["command"] = new System.Text.Json.Nodes.JsonArray([.. command.Select(c => (System.Text.Json.Nodes.JsonNode)c)]),
            ["args"] = new System.Text.Json.Nodes.JsonArray([.. args.Select(c => (System.Text.Json.Nodes.JsonNode)c)]),
        };
        var spec = new System.Text.Json.Nodes.JsonObject
        {
            ["deploymentSpec"] = new System.Text.Json.Nodes.JsonObject { ["executors"] = new System.Text.Json.Nodes.JsonObject { ["exec-echo"] = new System.Text.Json.Nodes.JsonObject { ["container"] = container } } },
        };
        return new PipelineDescriptor { Name = "echo-pipeline", MethodName = "T.EchoPipeline", Parameters = [], Nodes = [task], SpecJson = spec.ToJsonString() };
    }
}
