using Microsoft.Playwright;
using PipelineSdk.Store;

namespace PipelineSdk.Dashboard.Tests;

/// <summary>A run of 1,000 steps (recorded as a program would, without a spec) is drawn whole, and search finds a step in it.</summary>
public sealed class LargeRunTests
{
    private const int Steps = 1000;
    private const int Lanes = 25;
    private static readonly string RunId = "wide-pipeline-" + Guid.NewGuid().ToString("N")[..8];

    [OneTimeSetUp]
    public void RecordALargeRun()
    {
        using var store = MetadataStore.Open(DashboardSite.StoreDirectory);
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        store.CreateRun(RunId, "wide-pipeline", start, "{}", "local", "default");
        for (var i = 0; i < Steps; i++)
        {
            // Lanes of steps, each after the one before it in its lane; every tenth step also waits for the next lane.
            List<string> dependsOn = i < Lanes ? [] : [Key(i - Lanes)];
            if (i >= Lanes && i % 10 == 0)
            {
                dependsOn.Add(Key(i - Lanes + 1));
            }

            var id = store.StartStepRun(RunId, Key(i), "work", start.AddSeconds(i), null, null, dependsOn);
            store.FinishStepRun(id, i == Steps - 7 ? StepStatus.Failed : StepStatus.Completed, start.AddSeconds(i + 1), i == Steps - 7 ? "boom" : null, [], []);
        }

        store.EndRun(RunId, RunStatus.Failed, start.AddSeconds(Steps + 1), "failed: " + Key(Steps - 7));
    }

    [Test]
    public async Task Every_step_is_drawn_and_search_centres_the_one_asked_for()
    {
        var page = await DashboardSite.SignedInPageAsync();
        await page.GotoAsync($"/#/runs/{RunId}");
        await page.WaitForSelectorAsync("svg.dag g.node", new PageWaitForSelectorOptions { Timeout = 0 });

        Assert.That(await page.Locator("svg.dag g.node").CountAsync(), Is.EqualTo(Steps));
        Assert.That(await page.Locator("svg.dag g.edge").CountAsync(), Is.GreaterThanOrEqualTo(Steps - Lanes));
        await Assertions.Expect(page.Locator($"g.node[data-node='step:{Key(Steps - 7)}']")).ToHaveAttributeAsync("data-look", "failed");

        await page.FillAsync("input.search", Key(612));
        await page.PressAsync("input.search", "Enter");
        var found = page.Locator($"g.node[data-node='step:{Key(612)}']");
        await Assertions.Expect(found).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("found"));
        await Assertions.Expect(found).ToBeInViewportAsync();
        await found.ClickAsync();
        await Assertions.Expect(page.Locator(".panel h2")).ToHaveTextAsync(Key(612));
        await page.Context.CloseAsync();
    }

    private static string Key(int i) => $"step-{i:D4}";
}
