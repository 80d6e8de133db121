using PipelineSdk.Orchestration;
using PipelineSdk.Store;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Tests;

/// <summary>The local-process orchestrator runs each step as a child process, and must agree with the in-process one.</summary>
public class LocalProcessOrchestratorTests
{
    [Test]
    public async Task LinearRegression_gives_identical_outputs_in_process_and_as_child_processes()
    {
        using var inProcess = new TempStore();
        using var asProcesses = new TempStore();

        var local = await ExampleProgram.LinearRegression.RunAsync(inProcess);
        var children = await ExampleProgram.LinearRegression.RunAsync(asProcesses, "--orchestrator", "local-process");

        Assert.That(local.Exit, Is.EqualTo(0), local.Error);
        Assert.That(children.Exit, Is.EqualTo(0), children.Error);
        var expected = OutputHashes(inProcess, out var localRun);
        var actual = OutputHashes(asProcesses, out var childRun);
        Assert.That(actual, Is.EqualTo(expected));
        Assert.That(expected, Has.Count.EqualTo(10), "every output of every task is compared");
        Assert.That(localRun.Orchestrator, Is.EqualTo(OrchestratorFlavors.Local));
        Assert.That(childRun.Orchestrator, Is.EqualTo(OrchestratorFlavors.LocalProcess));
        Assert.That(children.Output, Does.Contain("Output = \"y = 2.9"));

        using var store = asProcesses.Open();
        foreach (var step in store.GetStepRuns(childRun.Id))
        {
            Assert.That(step.LogPath, Is.Not.Null);
            Assert.That(File.ReadAllText(step.LogPath!), Does.Contain($"Step '{step.StepName}' of pipeline 'linear-regression-pipeline' completed"));
        }
    }

    [Test]
    public async Task QuickStart_runs_as_processes_and_shares_the_cache_with_in_process_runs()
    {
        using var temp = new TempStore();

        var first = await ExampleProgram.QuickStart.RunAsync(temp, "--orchestrator", "local-process");
        var second = await ExampleProgram.QuickStart.RunAsync(temp);

        Assert.That(first.Exit, Is.EqualTo(0), first.Error + first.Output);
        Assert.That(second.Exit, Is.EqualTo(0), second.Error);
        using var store = temp.Open();
        var runs = store.ListRuns();
        var processRun = runs.Single(r => r.Orchestrator == OrchestratorFlavors.LocalProcess);
        var values = store.GetStepRuns(processRun.Id).ToDictionary(s => s.TaskKey, s => int.Parse(File.ReadAllText(Artifacts.LocalArtifactStore.LocalPath(store.GetOutputs(s.Id)["Output"].Uri)), System.Globalization.CultureInfo.InvariantCulture));
        Assert.That(values["get-first-num"], Is.EqualTo(10));
        Assert.That(values["subtract-numbers"], Is.EqualTo(10 - values["get-random-int"]));
        var inProcessRun = runs.Single(r => r.Orchestrator == OrchestratorFlavors.Local);
        Assert.That(store.GetStepRuns(inProcessRun.Id).Single(s => s.TaskKey == "get-first-num").Status, Is.EqualTo(StepStatus.Cached));
    }

    [Test]
    public async Task A_failing_step_process_fails_its_task_with_its_own_error_and_keeps_its_log()
    {
        using var temp = new TempStore();

        var result = await ExampleProgram.LinearRegression.RunAsync(temp, "--orchestrator", "local-process", "--param", "testFraction=2");

        Assert.That(result.Exit, Is.EqualTo(1));
        using var store = temp.Open();
        var steps = store.GetStepRuns(store.ListRuns().Single().Id).ToDictionary(s => s.TaskKey);
        Assert.That(steps["generate-data"].Status, Is.EqualTo(StepStatus.Completed));
        Assert.That(steps["split"].Status, Is.EqualTo(StepStatus.Failed));
        Assert.That(steps["split"].Error, Does.StartWith("ArgumentOutOfRangeException: must be between 0 and 1").And.Contain($"(log: {steps["split"].LogPath})"));
        Assert.That(File.ReadAllText(steps["split"].LogPath!), Does.Contain("at LinearRegression.Split("));
        Assert.That(steps["train"].Status, Is.EqualTo(StepStatus.NotRun));
    }

    [Test]
    public async Task An_unknown_orchestrator_is_a_usage_error()
    {
        using var temp = new TempStore();

        var result = await ExampleProgram.QuickStart.RunAsync(temp, "--orchestrator", "kubeflow");

        Assert.That(result.Exit, Is.EqualTo(2));
        Assert.That(result.Error.TrimEnd('\n'), Does.StartWith("error: Argument 'kubeflow' not recognized. Must be one of:"));
    }

    private static Dictionary<string, string> OutputHashes(TempStore temp, out RunRecord run)
    {
        using var store = temp.Open();
        run = store.ListRuns().Single();
        return store.GetStepRuns(run.Id)
            .SelectMany(step => store.GetOutputs(step.Id).Values.Select(a => ($"{step.TaskKey}.{a.OutputName}", a.ContentHash)))
            .ToDictionary(p => p.Item1, p => p.ContentHash);
    }
}
