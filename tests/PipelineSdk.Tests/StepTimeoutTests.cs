using PipelineSdk.Orchestration;
using PipelineSdk.Store;

namespace PipelineSdk.Tests;

/// <summary>
/// Step timeouts hold in both local orchestrators, run by the real program (tests/PipelineSdk.Tests.ControlFlowApp,
/// <c>TimeoutPipelines</c>): in process, and in the step program that local processes and containers run.
/// </summary>
public class StepTimeoutTests
{
    [TestCase(OrchestratorFlavors.Local)]
    [TestCase(OrchestratorFlavors.LocalProcess)]
    public async Task A_step_that_outlasts_its_timeout_fails_each_attempt_with_a_clear_error(string orchestrator)
    {
        using var temp = new TempStore();
        var folder = Path.Combine(temp.Path, "marks");
        Directory.CreateDirectory(folder);

        var result = await ExampleProgram.ControlFlowApp.RunAsync(temp, "run", "timeout-pipeline", "--param", "folder=" + folder, "--orchestrator", orchestrator);

        Assert.That(result.Exit, Is.EqualTo(1), result.Error + result.Output);
        using var store = temp.Open();
        var steps = store.GetStepRuns(store.ListRuns().Single().Id).ToDictionary(s => s.TaskKey);
        Assert.That(steps["sleepy"].Status, Is.EqualTo(StepStatus.Failed));
        Assert.That(steps["sleepy"].Error, Does.StartWith("step 'sleepy' timed out after 1s"));
        Assert.That(steps["sleepy"].Error, Does.EndWith("(all 2 attempts failed)"));
        Assert.That(File.ReadAllText(Path.Combine(folder, "sleepy.attempts")), Is.EqualTo("2"), "[Retry(1)]: the retry got its own timeout");
        Assert.That(steps["nap"].Error, Does.StartWith("step 'nap' timed out after 1s"), ".WithTimeout on the call");
        Assert.That(steps["nap-2"].Status, Is.EqualTo(StepStatus.Completed), "the same step without a timeout");
        Assert.That(result.Output + result.Error, Does.Not.Contain("   at "), "no stack trace");
    }
}
