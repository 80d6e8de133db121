using Microsoft.Playwright;
using PipelineSdk.Store;

namespace PipelineSdk.Dashboard.Tests;

/// <summary>A running step's log streams into its panel as the step's process writes it, and is all there when the step ends.</summary>
public sealed class StepLogTests
{
    private const string TaskKey = "tail-step";
    private static readonly string RunId = "log-stream-" + Guid.NewGuid().ToString("N")[..8];

    [Test]
    public async Task The_log_of_a_running_step_grows_in_its_panel()
    {
        // Recorded as the local orchestrator records a step it runs as a process: running, its log where the executor writes it.
        var logPath = Path.Combine(DashboardSite.StoreDirectory, "logs", RunId, TaskKey + ".log");
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        await File.WriteAllTextAsync(logPath, "loading 2000 rows\n");
        long stepRunId;
        using (var store = MetadataStore.Open(DashboardSite.StoreDirectory))
        {
            store.CreateRun(RunId, "log-stream", DateTimeOffset.UtcNow, "{}", "local", "default");
            stepRunId = store.StartStepRun(RunId, TaskKey, "tail", DateTimeOffset.UtcNow, null, null, []);
        }

        var page = await DashboardSite.SignedInPageAsync();
        await page.GotoAsync($"/#/runs/{RunId}");
        await page.ClickAsync($"g.node[data-node='step:{TaskKey}']");
        var log = page.Locator(".panel pre.log");
        await Assertions.Expect(log).ToContainTextAsync("loading 2000 rows");

        await File.AppendAllTextAsync(logPath, "epoch 1: accuracy 0.81\n");
        await Assertions.Expect(log).ToContainTextAsync("epoch 1: accuracy 0.81");

        await File.AppendAllTextAsync(logPath, "done\n");
        using (var store = MetadataStore.Open(DashboardSite.StoreDirectory))
        {
            store.FinishStepRun(stepRunId, StepStatus.Completed, DateTimeOffset.UtcNow, null, [], [], logPath: logPath);
            store.EndRun(RunId, RunStatus.Completed, DateTimeOffset.UtcNow, null);
        }

        await Assertions.Expect(log).ToContainTextAsync("done");
        Assert.That(await log.TextContentAsync(), Does.Contain("loading 2000 rows\nepoch 1: accuracy 0.81\ndone"), "the log in order, each line once");
        await page.Context.CloseAsync();
    }
}
