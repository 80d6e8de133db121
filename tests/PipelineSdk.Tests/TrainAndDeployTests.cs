using PipelineSdk.Orchestration;
using PipelineSdk.Store;

namespace PipelineSdk.Tests;

/// <summary>
/// The realistic example (examples/TrainAndDeploy): a loop of trainings in parallel, collected models and accuracies,
/// a deployment only above a threshold, and a notification whatever happened — run as a real program.
/// </summary>
public class TrainAndDeployTests
{
    [Test]
    public async Task In_process_and_child_process_runs_store_identical_artifacts_and_deploy_above_the_threshold()
    {
        using var inProcess = new TempStore();
        using var asProcesses = new TempStore();

        var local = await ExampleProgram.TrainAndDeploy.RunAsync(inProcess);
        var children = await ExampleProgram.TrainAndDeploy.RunAsync(asProcesses, "--orchestrator", "local-process");

        Assert.That(local.Exit, Is.EqualTo(0), local.Error + local.Output);
        Assert.That(children.Exit, Is.EqualTo(0), children.Error + children.Output);
        var expected = OutputHashes(inProcess);
        var actual = OutputHashes(asProcesses);
        Assert.That(actual.Where(p => expected.GetValueOrDefault(p.Key) != p.Value).Select(p => p.Key), Is.Empty, "outputs that differ");
        Assert.That(actual.Keys, Is.EquivalentTo(expected.Keys));
        Assert.That(expected.Keys, Does.Contain("train-model[3].Output").And.Contain("evaluate[0].Metrics").And.Contain("pick-best.Best"));
        Assert.That(local.Output, Does.Contain("Deploying the model with accuracy"));
        Assert.That(children.Output, Does.Contain("deploy ").And.Contain("system.Markdown"));
        Assert.That(local.Output, Does.Contain("#ml-team: training run train-and-deploy-pipeline-").And.Contain(" finished."));

        using var store = inProcess.Open();
        var run = store.ListRuns().Single();
        var evaluation = store.GetStepRuns(run.Id).Single(s => s.TaskKey == "evaluate[2]");
        Assert.That(store.GetOutputs(evaluation.Id)["Metrics"].MetadataJson, Does.Contain("\"accuracy\""), "metrics are logged as KFP shows them");
    }

    [Test]
    public async Task Below_the_threshold_nothing_is_deployed_and_the_team_is_still_notified()
    {
        using var temp = new TempStore();

        var result = await ExampleProgram.TrainAndDeploy.RunAsync(temp, "--param", "accuracyThreshold=0.99");

        Assert.That(result.Exit, Is.EqualTo(0), result.Error);
        Assert.That(result.Output, Does.Not.Contain("Deploying"));
        using var store = temp.Open();
        var steps = store.GetStepRuns(store.ListRuns().Single().Id);
        Assert.That(steps.Single(s => s.TaskKey == "deploy").Status, Is.EqualTo(StepStatus.NotTriggered));
        Assert.That(steps.Single(s => s.TaskKey == "notify").Status, Is.EqualTo(StepStatus.Completed));
    }

    [Test]
    public async Task When_training_fails_the_notification_says_so_and_the_run_fails()
    {
        using var temp = new TempStore();

        var result = await ExampleProgram.TrainAndDeploy.RunAsync(temp, "--param", "rows=5", "--orchestrator", "local-process");

        Assert.That(result.Exit, Is.EqualTo(1), result.Output);
        using var store = temp.Open();
        var run = store.ListRuns().Single();
        Assert.That(run.Status, Is.EqualTo(RunStatus.Failed));
        var steps = store.GetStepRuns(run.Id);
        Assert.That(steps.Single(s => s.TaskKey == "load-data").Error, Does.Contain("need at least 10 rows"));
        Assert.That(steps.Single(s => s.TaskKey == "split").Status, Is.EqualTo(StepStatus.NotRun));
        var notify = steps.Single(s => s.TaskKey == "notify");
        Assert.That(notify.Status, Is.EqualTo(StepStatus.Completed));
        using var stored = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Artifacts.LocalArtifactStore.LocalPath(store.GetOutputs(notify.Id)["Output"].Uri)));
        var message = stored.RootElement.GetString();
        Assert.That(message, Does.Contain("ended FAILED").And.Contain("task 'load-data' failed").And.Contain("need at least 10 rows"));
    }

    private static Dictionary<string, string> OutputHashes(TempStore temp)
    {
        using var store = temp.Open();
        var run = store.ListRuns().Single();
        // Notify's message names the run and the deployment record the model's URI: both differ between runs by design.
        return store.GetStepRuns(run.Id)
            .Where(s => s.TaskKey is not ("notify" or "deploy"))
            .SelectMany(step => store.GetOutputs(step.Id).Values.Select(a => ($"{step.TaskKey}.{a.OutputName}", a.ContentHash)))
            .ToDictionary(p => p.Item1, p => p.ContentHash);
    }
}
