using Microsoft.Playwright;

namespace PipelineSdk.Dashboard.Tests;

/// <summary>A run's DAG as drawn: statuses, the loop collapsed and expandable, the branch, the exit handler, edges, the step panel.</summary>
public sealed class RunPageTests
{
    [Test]
    public async Task A_failed_run_shows_the_failed_step_the_steps_that_did_not_run_and_the_exit_handler_that_did()
    {
        var page = await OpenRun(DashboardSite.Made.Failed);

        await Assertions.Expect(Node(page, "step:load-data")).ToHaveAttributeAsync("data-look", "failed");
        await Assertions.Expect(Node(page, "step:split")).ToHaveAttributeAsync("data-look", "skipped");
        await Assertions.Expect(Node(page, "step:notify")).ToHaveAttributeAsync("data-look", "ran");
        await Assertions.Expect(page.Locator(".cluster-exit .cluster-label")).ToContainTextAsync("exit-handler-1");

        await Node(page, "step:load-data").ClickAsync();
        await Assertions.Expect(page.Locator(".panel pre.error")).ToContainTextAsync("need at least 10 rows");
        await DashboardSite.ScreenshotAsync(page, "run-failed");
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task Below_the_threshold_the_deploy_branch_is_not_triggered()
    {
        var page = await OpenRun(DashboardSite.Made.BelowThreshold);

        await Assertions.Expect(Node(page, "step:deploy")).ToHaveAttributeAsync("data-look", "not-triggered");
        await Assertions.Expect(page.Locator(".cluster-condition .cluster-label")).ToContainTextAsync("beats-production-Output == true");
        await Assertions.Expect(Node(page, "step:pick-best")).ToHaveAttributeAsync("data-look", "cached"); // the same models as the first run's
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task The_loop_is_collapsed_with_its_iteration_count_and_expands_to_its_iterations()
    {
        var page = await OpenRun(DashboardSite.Made.Completed);

        var loop = Node(page, "group:for-loop-2");
        await Assertions.Expect(loop).ToContainTextAsync("×4 iterations");
        Assert.That(await Node(page, "step:train-model[0]").CountAsync(), Is.Zero, "collapsed: no iteration drawn");
        await Assertions.Expect(page.Locator("g.edge[data-from='step:split'][data-to='group:for-loop-2'] .edge-label")).ToContainTextAsync("Test");

        await loop.ClickAsync();
        for (var i = 0; i < 4; i++)
        {
            await Assertions.Expect(Node(page, $"step:train-model[{i}]")).ToHaveAttributeAsync("data-look", "ran");
            await Assertions.Expect(Node(page, $"step:evaluate[{i}]")).ToBeAttachedAsync();
        }

        await Assertions.Expect(page.Locator("g.edge[data-from='step:train-model[2]'][data-to='step:evaluate[2]'] .edge-label")).ToHaveTextAsync("Output");
        Assert.That(await page.Locator("g.edge[data-from='step:train-model[2]'][data-to='step:evaluate[1]']").CountAsync(), Is.Zero, "iterations stay apart");
        await Assertions.Expect(page.Locator(".cluster-iteration")).ToHaveCountAsync(4);
        await DashboardSite.ScreenshotAsync(page, "run-dag");

        await page.Locator(".cluster-loop .cluster-label").ClickAsync();
        await Assertions.Expect(Node(page, "group:for-loop-2")).ToBeAttachedAsync();
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task A_cached_step_says_which_run_it_came_from_and_search_finds_a_step_inside_a_collapsed_loop()
    {
        var page = await OpenRun(DashboardSite.Made.Cached);

        await Assertions.Expect(Node(page, "step:load-data")).ToHaveAttributeAsync("data-look", "cached");
        await Node(page, "step:load-data").ClickAsync();
        await Assertions.Expect(page.Locator(".panel .decision")).ToContainTextAsync("Hit");
        await Assertions.Expect(page.Locator(".panel .cache")).ToContainTextAsync(DashboardSite.Made.Completed);
        await Assertions.Expect(page.Locator(".panel table.kv").First).ToContainTextAsync("rows");
        await DashboardSite.ScreenshotAsync(page, "step-panel");

        await page.FillAsync("input.search", "evaluate[3]");
        await page.PressAsync("input.search", "Enter");
        await Assertions.Expect(Node(page, "step:evaluate[3]")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("found"));
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task A_step_that_ran_shows_its_input_values_and_its_metrics_output()
    {
        var page = await OpenRun(DashboardSite.Made.Completed);
        await Node(page, "group:for-loop-2").ClickAsync();
        await Node(page, "step:train-model[1]").ClickAsync();

        var inputs = page.Locator(".panel table.kv").Nth(0);
        await Assertions.Expect(inputs).ToContainTextAsync("learningRate");
        await Assertions.Expect(inputs).ToContainTextAsync("0.3");
        await Assertions.Expect(inputs).ToContainTextAsync("system.Dataset");
        await Assertions.Expect(page.Locator(".panel .decision")).ToContainTextAsync("FirstRun");

        await page.ClickAsync("button:text('Fit')");
        await Node(page, "step:evaluate[1]").ClickAsync();
        await Assertions.Expect(page.Locator(".panel")).ToContainTextAsync("system.Metrics");
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task The_metrics_of_every_loop_iteration_are_side_by_side_and_lead_to_their_step()
    {
        var page = await OpenRun(DashboardSite.Made.Completed);

        await page.ClickAsync("button.metrics-button");
        var table = page.Locator(".panel table.run-metrics");
        await Assertions.Expect(table.Locator("thead th")).ToHaveTextAsync(["Step", "accuracy", "logLoss"]);
        await Assertions.Expect(table.Locator("tbody tr")).ToHaveCountAsync(4);
        for (var i = 0; i < 4; i++)
        {
            var row = table.Locator("tbody tr").Nth(i);
            await Assertions.Expect(row.Locator("td").First).ToContainTextAsync($"evaluate[{i}]");
            var accuracy = await row.Locator("td").Nth(1).TextContentAsync();
            Assert.That(double.Parse(accuracy!, System.Globalization.CultureInfo.InvariantCulture), Is.InRange(0.0, 1.0), $"evaluate[{i}] accuracy");
        }

        await DashboardSite.ScreenshotAsync(page, "run-metrics");
        await table.Locator("tbody tr").Nth(2).Locator("a").First.ClickAsync();
        await Assertions.Expect(page.Locator(".panel h2")).ToHaveTextAsync("evaluate[2]");
        await Assertions.Expect(Node(page, "step:evaluate[2]")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("selected"));
        await page.Context.CloseAsync();
    }

    private static async Task<IPage> OpenRun(string runId)
    {
        var page = await DashboardSite.SignedInPageAsync();
        await page.GotoAsync($"/#/runs/{Uri.EscapeDataString(runId)}");
        await page.WaitForSelectorAsync("svg.dag g.node");
        return page;
    }

    private static ILocator Node(IPage page, string id) => page.Locator($"g.node[data-node='{id}']");
}
