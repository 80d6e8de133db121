using Microsoft.Playwright;

namespace PipelineSdk.Dashboard.Tests;

/// <summary>The run list: every run with its status and counts, filters, and a new run appearing without a reload.</summary>
public sealed class RunListTests
{
    [Test]
    public async Task The_list_shows_each_run_newest_first_with_status_and_step_counts()
    {
        var page = await DashboardSite.SignedInPageAsync();

        var rows = page.Locator("table.grid tbody tr");
        var ids = await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.run)");
        Assert.That(ids, Is.SupersetOf(new[] { DashboardSite.Made.Completed, DashboardSite.Made.Failed, DashboardSite.Made.BelowThreshold, DashboardSite.Made.Cached, DashboardSite.Made.Artifacts }));
        Assert.That(Array.IndexOf(ids, DashboardSite.Made.Artifacts), Is.LessThan(Array.IndexOf(ids, DashboardSite.Made.Completed)), "newest first");
        var failed = page.Locator($"tr[data-run='{DashboardSite.Made.Failed}']");
        await Assertions.Expect(failed.Locator(".badge")).ToHaveTextAsync("failed");
        await Assertions.Expect(failed.Locator("td.counts")).ToContainTextAsync("1 failed");
        await Assertions.Expect(page.Locator($"tr[data-run='{DashboardSite.Made.Cached}'] td.counts")).ToContainTextAsync("cached");
        Assert.That(await page.Locator($"tr[data-run='{DashboardSite.Made.Cached}'] td.counts").TextContentAsync(), Does.Not.StartWith("0 ran · 0 cached"));
        await DashboardSite.ScreenshotAsync(page, "runs");

        await page.SelectOptionAsync("select[name=status]", "Failed");
        await page.WaitForFunctionAsync("() => location.hash.includes('status=Failed')");
        await Assertions.Expect(page.Locator($"tr[data-run='{DashboardSite.Made.Completed}']")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator($"tr[data-run='{DashboardSite.Made.Failed}']")).ToHaveCountAsync(1);
        var statuses = await page.Locator("table.grid tbody tr .badge").AllTextContentsAsync();
        Assert.That(statuses, Is.All.EqualTo("failed"), "other tests may add failed runs, never others");

        await page.GotoAsync("/#/runs?pipeline=artifact-kinds");
        await Assertions.Expect(page.Locator($"tr[data-run='{DashboardSite.Made.Artifacts}']")).ToHaveCountAsync(1);
        var pipelines = await page.Locator("table.grid tbody tr td:nth-child(3)").AllTextContentsAsync();
        Assert.That(pipelines, Is.Not.Empty.And.All.EqualTo("artifact-kinds"));
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task A_run_that_starts_appears_in_the_open_list_without_a_reload()
    {
        var page = await DashboardSite.SignedInPageAsync();
        await page.EvaluateAsync("() => { window.notReloaded = true; }");
        var before = await page.Locator("table.grid tbody tr").CountAsync();

        var newRun = await DashboardSite.RunExample("ArtifactsAppDll", 0, "run", "artifact-kinds");

        await page.WaitForSelectorAsync($"tr[data-run='{newRun}']");
        Assert.That(await page.EvaluateAsync<bool>("() => window.notReloaded === true"), Is.True, "the page was updated in place");
        Assert.That(await page.Locator("table.grid tbody tr").CountAsync(), Is.EqualTo(before + 1));
        await page.Context.CloseAsync();
    }
}
