using PipelineSdk.Artifacts;
using PipelineSdk.Orchestration;
using PipelineSdk.Store;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Tests;

/// <summary>
/// Settings of one call and <c>.After</c> hold in both local orchestrators, run by the real program
/// (tests/PipelineSdk.Tests.ControlFlowApp, <c>CallSettingsPipelines.PerCallPipeline</c>).
/// </summary>
public class CallSettingsRunTests
{
    [TestCase(OrchestratorFlavors.Local)]
    [TestCase(OrchestratorFlavors.LocalProcess)]
    public async Task Each_call_gets_its_own_environment_retries_caching_and_order(string orchestrator)
    {
        using var temp = new TempStore();
        var folder = Path.Combine(temp.Path, "marks");
        Directory.CreateDirectory(folder);

        var first = await RunAsync(temp, folder, orchestrator);
        var firstSteps = Steps(temp, first);

        Assert.That(Output(temp, firstSteps["mode"]), Is.EqualTo("plain:default"), "the step's [Env]");
        Assert.That(Output(temp, firstSteps["mode-2"]), Is.EqualTo("large:large"), "WithEnv on the call wins over [Env]");
        Assert.That(File.ReadAllText(Path.Combine(folder, "retried.attempts")), Is.EqualTo("3"), "WithRetry(2): two failed attempts, then success");
        Assert.That(Output(temp, firstSteps["flaky"]), Is.EqualTo("3"));
        Assert.That(File.ReadAllText(Path.Combine(folder, "once.attempts")), Is.EqualTo("1"));
        Assert.That(File.ReadAllText(Path.Combine(folder, "sized.attempts")), Is.EqualTo("1"), "resources from a parameter do not stop a local run");
        Assert.That(File.ReadAllLines(Path.Combine(folder, "marks")), Is.EqualTo(new[] { "first", "second" }), "the second mark waited for the first though it takes nothing from it");
        Assert.That(firstSteps["mark-2"].DependsOn, Is.EqualTo(new[] { "mark" }));
        Assert.That(firstSteps["mark-2"].StartedAt, Is.GreaterThanOrEqualTo(firstSteps["mark"].EndedAt!.Value));

        File.Delete(Path.Combine(folder, "retried.attempts"));
        var second = await RunAsync(temp, folder, orchestrator);
        var secondSteps = Steps(temp, second);

        Assert.That(secondSteps["stamp"].Status, Is.EqualTo(StepStatus.Completed), "WithCaching(false) on this call");
        Assert.That(secondSteps["stamp-2"].Status, Is.EqualTo(StepStatus.Cached));
        Assert.That(secondSteps["stamped/stamp"].Status, Is.EqualTo(StepStatus.Completed), "WithCaching(false) on a called pipeline reaches its tasks");
        Assert.That(secondSteps["stamped-2/stamp"].Status, Is.EqualTo(StepStatus.Cached));
        Assert.That(secondSteps["mode-2"].Status, Is.EqualTo(StepStatus.Cached), "same call, same environment");
        Assert.That(Output(temp, secondSteps["stamp"]), Is.Not.EqualTo(Output(temp, firstSteps["stamp"])));
    }

    [Test]
    public async Task Both_orchestrators_share_the_cache_of_a_call_with_its_own_environment()
    {
        using var temp = new TempStore();
        var folder = Path.Combine(temp.Path, "marks");
        Directory.CreateDirectory(folder);

        var inProcess = await RunAsync(temp, folder, OrchestratorFlavors.Local);
        File.Delete(Path.Combine(folder, "retried.attempts"));
        var asProcesses = await RunAsync(temp, folder, OrchestratorFlavors.LocalProcess);

        var steps = Steps(temp, asProcesses);
        Assert.That(steps["mode-2"].Status, Is.EqualTo(StepStatus.Cached));
        Assert.That(Output(temp, steps["mode-2"]), Is.EqualTo("large:large"), "the result every orchestrator computes");
        Assert.That(Steps(temp, inProcess)["mode"].CacheKey, Is.Not.EqualTo(steps["mode-2"].CacheKey), "the calls' environments differ, so do their keys");
    }

    private static async Task<string> RunAsync(TempStore temp, string folder, string orchestrator)
    {
        var result = await ExampleProgram.ControlFlowApp.RunAsync(temp, "run", "per-call-pipeline", "--param", "folder=" + folder, "--orchestrator", orchestrator);
        Assert.That(result.Exit, Is.EqualTo(0), result.Error + result.Output);
        using var store = temp.Open();
        return store.ListRuns().OrderBy(r => r.StartedAt).Last().Id;
    }

    private static Dictionary<string, StepRunRecord> Steps(TempStore temp, string runId)
    {
        using var store = temp.Open();
        return store.GetStepRuns(runId).ToDictionary(s => s.TaskKey);
    }

    private static string Output(TempStore temp, StepRunRecord step)
    {
        using var store = temp.Open();
        var id = step.CachedFrom ?? step.Id;
        return File.ReadAllText(LocalArtifactStore.LocalPath(store.GetOutputs(id)["Output"].Uri)).Trim('"');
    }
}
