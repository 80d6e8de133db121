using Microsoft.Playwright;

namespace PipelineSdk.Dashboard.Tests;

/// <summary>The models with their production and staging versions, and a model's versions and stage history — after real promotions by a step and by the CLI.</summary>
public sealed class ModelsPageTests
{
    [Test]
    public async Task The_models_show_their_latest_production_and_staging_versions()
    {
        var page = await DashboardSite.SignedInPageAsync();
        await page.ClickAsync("nav a[data-nav=models]");

        var model = page.Locator("table.models tr[data-model=churn-model]");
        await Assertions.Expect(model.Locator("td.latest")).ToHaveTextAsync("v2");
        await Assertions.Expect(model.Locator("td.production")).ToHaveTextAsync("v2");
        await Assertions.Expect(model.Locator("td.staging")).ToHaveTextAsync("v1");
        Assert.That(await page.Locator("table.models tr[data-model=churn-data]").CountAsync(), Is.Zero, "a named data set is not a model");
        await DashboardSite.ScreenshotAsync(page, "models");
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task A_model_shows_its_versions_with_stage_tags_run_and_accuracy_and_who_changed_which_stage()
    {
        var page = await DashboardSite.SignedInPageAsync();
        await page.GotoAsync("/#/models");
        await page.ClickAsync("table.models a:text-is('churn-model')");

        var versions = page.Locator("table.model-versions tbody tr");
        await Assertions.Expect(versions).ToHaveCountAsync(2);
        var second = page.Locator("table.model-versions tr[data-version='2']");
        await Assertions.Expect(second.Locator(".stage")).ToHaveTextAsync("production");
        Assert.That(await second.Locator(".tag").AllTextContentsAsync(), Is.EquivalentTo(new[] { "candidate", "best" }));
        await Assertions.Expect(second.Locator("td[data-key=accuracy]")).ToHaveTextAsync("0.9");
        await Assertions.Expect(second.Locator($"a[href='#/runs/{DashboardSite.Made.BetterModel}']")).ToBeVisibleAsync();
        var first = page.Locator("table.model-versions tr[data-version='1']");
        await Assertions.Expect(first.Locator(".stage")).ToHaveTextAsync("staging");
        await Assertions.Expect(first.Locator("td[data-key=accuracy]")).ToHaveTextAsync("0.8");

        // Newest first: the CLI's move to staging, then the second run's promotion (which archived version 1), then the first run's.
        var changes = page.Locator("table.stage-changes tbody tr");
        await Assertions.Expect(changes).ToHaveCountAsync(4);
        var moves = await changes.EvaluateAllAsync<string[]>("rows => rows.map(r => [...r.cells].slice(1, 4).map(c => c.textContent).join(' '))");
        Assert.That(moves, Is.EqualTo(new[] { "v1 archived staging", "v2 none production", "v1 production archived", "v1 none production" }));
        Assert.That(await page.Locator("table.stage-changes td.changed-by").AllTextContentsAsync(), Is.All.EqualTo(Environment.UserName),
            "promotions by a local step and by the CLI are recorded as the operating system user");
        await DashboardSite.ScreenshotAsync(page, "model");
        await page.Context.CloseAsync();
    }
}
