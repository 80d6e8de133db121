using System.Text.Json.Nodes;
using PipelineSdk.Gcp.Tests.SpecExecution;
using PipelineSdk.Tests.Shared.SpecExecution;

namespace PipelineSdk.Gcp.Tests;

/// <summary>
/// "What runs locally runs the same on Vertex AI": every example and every control-flow scenario runs in-process, as
/// local processes, and from its generated spec alone with Kubeflow's semantics (the spec executor of the fake Vertex
/// AI); which steps ran, failed, were not triggered or not run, every output value and every artifact's content must
/// agree. A mutated spec must not.
/// </summary>
public class SpecExecutionTests
{
    /// <summary>QuickStart draws a random number per run: those steps are compared by state and outputs present.</summary>
    private static readonly string[] QuickStartRandomSteps = ["get-random-int", "subtract-numbers"];

    private string _scratch = null!;

    public static IEnumerable<TestCaseData> Scenarios()
    {
        TestCaseData Case(PipelineProgram program, string pipeline, params string[] parameters) =>
            new TestCaseData(program.Name, pipeline, parameters).SetArgDisplayNames(program.Name, pipeline, string.Join(" ", parameters));

        yield return Case(PipelineProgram.QuickStart, "vertex-example-pipeline");
        yield return Case(PipelineProgram.LinearRegression, "linear-regression-pipeline");
        yield return Case(PipelineProgram.TrainAndDeploy, "train-and-deploy-pipeline", "epochs=40");
        yield return Case(PipelineProgram.TrainAndDeploy, "train-and-deploy-pipeline", "epochs=40", "accuracyThreshold=0.999");
        foreach (var (value, loud) in new[] { (4, false), (2, false), (2, true), (7, false), (4, true) })
        {
            yield return Case(PipelineProgram.ControlFlowApp, "branch-pipeline", $"value={value}", $"loud={loud.ToString().ToLowerInvariant()}");
        }

        yield return Case(PipelineProgram.ControlFlowApp, "branch-pipeline", "value=4", "threshold=0.5");
        yield return Case(PipelineProgram.ControlFlowApp, "loop-pipeline", "count=6");
        yield return Case(PipelineProgram.ControlFlowApp, "loop-pipeline", "count=0");
        yield return Case(PipelineProgram.ControlFlowApp, "guarded-pipeline");
        yield return Case(PipelineProgram.ControlFlowApp, "guarded-pipeline", "fail=true");
        yield return Case(PipelineProgram.ControlFlowApp, "sum-of-squares");
        yield return Case(PipelineProgram.ControlFlowApp, "nested-pipeline");
        yield return Case(PipelineProgram.ControlFlowApp, "artifact-flow-pipeline");
        yield return Case(PipelineProgram.ControlFlowApp, "artifact-flow-pipeline", "least=100");
        yield return Case(PipelineProgram.ControlFlowApp, "noisy-pipeline");
        yield return Case(PipelineProgram.ControlFlowApp, "constant-collections-pipeline");
        yield return Case(PipelineProgram.ControlFlowApp, "constant-collections-pipeline", "tags=[\"z\"]", "limits={\"k\": 7}");
        foreach (var loudness in new[] { 1, 2, 3 })
        {
            yield return Case(PipelineProgram.ControlFlowApp, "one-of-pipeline", $"loudness={loudness}");
        }

        yield return Case(PipelineProgram.ControlFlowApp, "outer-one-of-pipeline");
        yield return Case(PipelineProgram.ControlFlowApp, "artifact-loop-pipeline");
        yield return Case(PipelineProgram.ControlFlowApp, "artifact-loop-pipeline", "texts=[\"a\", \"bcd\"]");
        yield return Case(PipelineProgram.ControlFlowApp, "per-call-spec-pipeline");
        yield return Case(PipelineProgram.ControlFlowApp, "per-call-spec-pipeline", "fail=true");
        yield return Case(PipelineProgram.ControlFlowApp, "import-written-pipeline");
        yield return Case(PipelineProgram.ControlFlowApp, "container-step-pipeline");
        yield return Case(PipelineProgram.ControlFlowApp, "container-step-pipeline", "name=kubeflow", "suffix=?");
    }

    [SetUp]
    public void SetUp() => _scratch = Directory.CreateTempSubdirectory("psdk-spec-run-").FullName;

    [TearDown]
    public void TearDown()
    {
        try
        {
            Directory.Delete(_scratch, recursive: true);
        }
        catch (IOException)
        {
            // A step process may still hold a file; the OS temp cleaner takes it.
        }
    }

    [TestCaseSource(nameof(Scenarios))]
    public async Task The_spec_run_has_the_outcome_of_the_in_process_and_local_process_runs(string programName, string pipeline, string[] parameters)
    {
        var program = PipelineProgram.Named(programName);
        // Three independent runs (each its own store and folders) that mostly wait for their processes: at once.
        var inProcessRun = RunOutcome.LocalAsync(program, pipeline, parameters, asProcesses: false, _scratch);
        var asProcessesRun = RunOutcome.LocalAsync(program, pipeline, parameters, asProcesses: true, _scratch);
        var fromSpecRun = RunOutcome.FromSpecAsync(program, pipeline, parameters, _scratch);
        await Task.WhenAll(inProcessRun, asProcessesRun, fromSpecRun);
        var (inProcess, asProcesses, (fromSpec, _)) = (await inProcessRun, await asProcessesRun, await fromSpecRun);

        var volatileSteps = program == PipelineProgram.QuickStart ? QuickStartRandomSteps : [];
        Assert.That(inProcess.Steps, Is.Not.Empty, "the in-process run recorded its steps");
        Assert.That(inProcess.Differences(asProcesses, volatileSteps), Is.Empty, () => $"in-process:\n{inProcess}\nlocal-process:\n{asProcesses}");
        Assert.That(inProcess.Differences(fromSpec, volatileSteps), Is.Empty, () => $"in-process:\n{inProcess}\nspec run:\n{fromSpec}");
    }

    [Test]
    public async Task Random_draws_still_flow_through_the_spec_run()
    {
        var (outcome, run) = await RunOutcome.FromSpecAsync(PipelineProgram.QuickStart, "vertex-example-pipeline", [], _scratch);

        Assert.That(run.State, Is.EqualTo("PIPELINE_STATE_SUCCEEDED"), outcome.ToString);
        var values = run.Steps().ToDictionary(s => s.StepKey!, s => s.Outputs.Parameters["Output"]!.GetValue<long>());
        Assert.That(values["subtract-numbers"], Is.EqualTo(values["get-first-num"] - values["get-random-int"]));
    }

    [Test]
    public async Task A_container_steps_command_runs_from_the_spec_with_its_placeholders_and_IfPresent_resolved()
    {
        var (outcome, run) = await RunOutcome.FromSpecAsync(PipelineProgram.ControlFlowApp, "container-step-pipeline", ["name=vertex"], _scratch);

        Assert.That(run.State, Is.EqualTo("PIPELINE_STATE_SUCCEEDED"), outcome.ToString);
        var values = run.Steps().ToDictionary(s => s.StepKey!, s => s.Outputs.Parameters);
        Assert.That(values["write"]["Length"]!.GetValue<long>(), Is.EqualTo("hello vertex".Length), "an output parameter read back from its output_file");
        Assert.That(values["shout"]["Output"]!.GetValue<string>(), Is.EqualTo("HELLO VERTEX"), "the unbound optional input: IfPresent's Then left out");
        Assert.That(values["describe"]["Output"]!.GetValue<string>(), Is.EqualTo("HELLO VERTEX / HELLO VERTEX! (12)"));
    }

    [Test]
    public async Task The_task_details_list_each_loop_iteration_with_its_state_and_outputs()
    {
        var (_, run) = await RunOutcome.FromSpecAsync(PipelineProgram.ControlFlowApp, "loop-pipeline", ["count=4"], _scratch);

        var details = run.TaskDetails().Select(d => d!.AsObject()).ToList();
        var loop = details.Single(d => d["taskName"]!.GetValue<string>() == "for-loop-1" && d["execution"]!["metadata"]!["iteration_index"] is null);
        var iterations = details.Where(d => d["parentTaskId"]?.GetValue<string>() == loop["taskId"]!.GetValue<string>()).ToList();
        Assert.That(iterations.Select(i => i["execution"]!["metadata"]!["iteration_index"]!.GetValue<int>()), Is.EquivalentTo(new[] { 0, 1, 2, 3 }));
        Assert.That(iterations.Select(i => i["state"]!.GetValue<string>()), Is.All.EqualTo("SUCCEEDED"));
        var squares = details.Where(d => d["taskName"]!.GetValue<string>() == "square").ToList();
        Assert.That(squares.Select(s => s["parentTaskId"]!.GetValue<string>()), Is.EquivalentTo(iterations.Select(i => i["taskId"]!.GetValue<string>())), "each square runs inside its own iteration");
        Assert.That(squares.Select(s => s["execution"]!["metadata"]!["output:Output"]!.GetValue<int>()), Is.EquivalentTo(new[] { 1, 4, 9, 16 }));
        Assert.That(loop["execution"]!["metadata"]!["output:pipelinechannel--square-Output"]!.ToJsonString(), Is.EqualTo("[1,4,9,16]"), "collected in iteration order");
        Assert.That(run.PipelineOutputs.Parameters["Output"]!.GetValue<int>(), Is.EqualTo(30));
        var spans = run.Records.Where(r => r.IterationIndex is not null).Select(r => (Start: r.Start!.Value, End: r.End!.Value)).ToList();
        var mostAtOnce = spans.Max(s => spans.Count(o => o.Start <= s.Start && s.Start < o.End));
        Assert.That(mostAtOnce, Is.InRange(1, 2), "iteratorPolicy.parallelismLimit is 2 (WithParallelism(2))");
    }

    [Test]
    public async Task A_wrong_trigger_condition_in_the_spec_makes_the_comparison_fail()
    {
        string[] parameters = ["value=4"];
        var inProcess = await RunOutcome.LocalAsync(PipelineProgram.ControlFlowApp, "branch-pipeline", parameters, asProcesses: false, _scratch);
        string? mutated = null;
        var (fromSpec, _) = await RunOutcome.FromSpecAsync(PipelineProgram.ControlFlowApp, "branch-pipeline", parameters, _scratch, spec =>
        {
            var task = FirstTaskWith(spec, t => t["triggerPolicy"]?["condition"] is not null);
            var condition = task["triggerPolicy"]!["condition"]!.GetValue<string>();
            task["triggerPolicy"]!["condition"] = $"!({condition})";
            mutated = task["taskInfo"]!["name"]!.GetValue<string>();
        });

        var differences = inProcess.Differences(fromSpec);
        Assert.That(mutated, Is.Not.Null, "the spec has a condition to break");
        Assert.That(differences, Has.Some.Match(@"^step say(-[0-9]+)?: ran in-process, not triggered spec run$"), string.Join("\n", differences));
    }

    [Test]
    public async Task A_wrong_iterator_input_in_the_spec_makes_the_comparison_fail()
    {
        string[] parameters = ["count=3"];
        var inProcess = await RunOutcome.LocalAsync(PipelineProgram.ControlFlowApp, "loop-pipeline", parameters, asProcesses: false, _scratch);
        var (fromSpec, _) = await RunOutcome.FromSpecAsync(PipelineProgram.ControlFlowApp, "loop-pipeline", parameters, _scratch, spec =>
        {
            var items = FirstTaskWith(spec, t => t["parameterIterator"] is not null)["parameterIterator"]!["items"]!.AsObject();
            items.Remove("inputParameter");
            items["raw"] = "[1, 2, 5]";
        });

        var differences = inProcess.Differences(fromSpec);
        Assert.That(differences, Has.Some.EqualTo("step square[2] output Output: 9 in-process, 25 spec run"), string.Join("\n", differences));
        Assert.That(differences, Has.Some.StartWith("step sum output Output: 14 in-process, 30 spec run"));
    }

    [Test]
    public async Task An_iterator_reading_an_input_its_task_lacks_fails_the_loop_task()
    {
        var (_, run) = await RunOutcome.FromSpecAsync(PipelineProgram.ControlFlowApp, "loop-pipeline", ["count=2"], _scratch, spec =>
            FirstTaskWith(spec, t => t["parameterIterator"] is not null)["parameterIterator"]!["items"]!["inputParameter"] = "pipelinechannel--no-such-Output");

        Assert.That(run.State, Is.EqualTo("PIPELINE_STATE_FAILED"));
        var loop = run.Records.Single(r => r.Name == "for-loop-1" && r.IterationIndex is null);
        Assert.That(loop.Error, Does.Contain("pipelinechannel--no-such-Output"));
        Assert.That(run.Steps().Where(s => s.StepKey is "sum" or "join").Select(s => s.State), Is.All.EqualTo("CANCELLED"));
    }

    [Test]
    public async Task A_cancelled_job_kills_its_running_task_and_starts_no_other_not_even_the_exit_handler()
    {
        var spec = PipelineProgram.TrainAndDeploy.Spec("train-and-deploy-pipeline");
        var gcs = Path.Combine(_scratch, "gcs");
        var run = new SpecRun(spec, new JsonObject { ["gcsOutputDirectory"] = "gs://spec-bucket/root", ["parameterValues"] = new JsonObject() },
            "projects/p/locations/l/pipelineJobs/cancelled", "cancelled", new PipelineSdk.Tests.Shared.SpecExecution.TaskMachine(PipelineProgram.TrainAndDeploy.Directory, gcs, new Dictionary<string, string> { ["HOME"] = _scratch }));
        using var cancel = new CancellationTokenSource();

        var running = run.RunAsync(cancel.Token);
        while (!run.Steps().Any(s => s.State == "RUNNING") && !running.IsCompleted)
        {
            await Task.Delay(10);
        }

        await cancel.CancelAsync();
        await running.WaitAsync(PipelineSdk.Tests.Shared.ProcessResult.HangLimit);

        Assert.That(run.State, Is.EqualTo("PIPELINE_STATE_CANCELLED"));
        var states = run.Steps().ToDictionary(s => s.StepKey!, s => s.State);
        Assert.That(states["load-data"], Is.EqualTo("CANCELLED"), "the first task was running when the job was cancelled");
        Assert.That(states["notify"], Is.EqualTo("CANCELLED"));
        Assert.That(states.Values, Is.All.EqualTo("CANCELLED"));
    }

    [Test]
    public async Task A_OneOf_that_selects_only_the_first_branch_makes_the_comparison_fail()
    {
        string[] parameters = ["loudness=2"];
        var inProcess = await RunOutcome.LocalAsync(PipelineProgram.ControlFlowApp, "one-of-pipeline", parameters, asProcesses: false, _scratch);
        var (fromSpec, _) = await RunOutcome.FromSpecAsync(PipelineProgram.ControlFlowApp, "one-of-pipeline", parameters, _scratch, spec =>
        {
            var oneOf = spec["components"]!["comp-condition-branches-1"]!["dag"]!["outputs"]!["parameters"]!["pipelinechannel--condition-branches-1-oneof-1"]!["valueFromOneof"]!["parameterSelectors"]!.AsArray();
            while (oneOf.Count > 1)
            {
                oneOf.RemoveAt(1);
            }
        });

        var differences = inProcess.Differences(fromSpec);
        Assert.That(differences, Is.Not.Empty, "the second branch ran: without its selector the spec run has no value for the steps after the branches");
        Assert.That(differences, Has.Some.StartWith("step written"), string.Join("\n", differences));
    }

    [Test]
    public async Task An_artifact_iterator_over_the_wrong_list_makes_the_comparison_fail()
    {
        var inProcess = await RunOutcome.LocalAsync(PipelineProgram.ControlFlowApp, "artifact-loop-pipeline", [], asProcesses: false, _scratch);
        var (fromSpec, run) = await RunOutcome.FromSpecAsync(PipelineProgram.ControlFlowApp, "artifact-loop-pipeline", [], _scratch, spec =>
            FirstTaskWith(spec, t => t["artifactIterator"] is not null)["artifactIterator"]!["items"]!["inputArtifact"] = "pipelinechannel--no-such-Output");

        Assert.That(run.Records.Single(r => r.Name == "for-loop-2" && r.IterationIndex is null).Error, Does.Contain("pipelinechannel--no-such-Output"));
        Assert.That(inProcess.Differences(fromSpec), Has.Some.StartWith("step length[0]"));
    }

    private static JsonObject FirstTaskWith(JsonObject spec, Func<JsonObject, bool> predicate)
    {
        var dags = new[] { spec["root"]! }.Concat(spec["components"]!.AsObject().Select(c => c.Value!)).Where(c => c["dag"] is not null);
        return dags.SelectMany(d => d["dag"]!["tasks"]!.AsObject().Select(t => t.Value!.AsObject())).First(predicate);
    }
}
