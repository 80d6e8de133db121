using Microsoft.Playwright;

namespace PipelineSdk.Dashboard.Tests;

/// <summary>The experiments, an experiment's runs side by side with their differences highlighted, and the run list filtered by experiment.</summary>
public sealed class ExperimentsPageTests
{
    [Test]
    public async Task The_experiments_list_their_runs_and_pipelines()
    {
        var page = await DashboardSite.SignedInPageAsync();
        await page.ClickAsync("nav a[data-nav=experiments]");

        var scored = page.Locator("table.experiments tr[data-experiment=scored]");
        await Assertions.Expect(scored.Locator("td").Nth(1)).ToHaveTextAsync("2");
        await Assertions.Expect(scored.Locator("td").Nth(2)).ToHaveTextAsync("scored-pipeline");
        var churn = page.Locator("table.experiments tr[data-experiment=churn]");
        await Assertions.Expect(churn.Locator("td").Nth(1)).ToHaveTextAsync("2");
        await Assertions.Expect(churn.Locator("td").Nth(2)).ToHaveTextAsync("train-and-promote");
        await DashboardSite.ScreenshotAsync(page, "experiments");
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task Runs_of_an_experiment_are_compared_side_by_side_with_the_differences_highlighted()
    {
        var page = await DashboardSite.SignedInPageAsync();
        await page.GotoAsync("/#/experiments/scored");

        var compare = page.Locator("table.compare");
        var columns = compare.Locator("thead th[data-run]");
        await Assertions.Expect(columns).ToHaveCountAsync(2);
        Assert.That(await columns.EvaluateAllAsync<string[]>("ths => ths.map(th => th.dataset.run)"),
            Is.EqualTo(new[] { DashboardSite.Made.ScoredHigh, DashboardSite.Made.ScoredLow }), "newest first");
        var learningRate = Row(compare, "parameter", "learningRate");
        await Assertions.Expect(learningRate).ToHaveClassAsync("row differs");
        Assert.That(await learningRate.Locator("td").AllTextContentsAsync(), Is.EqualTo(new[] { "0.4", "0.25" }));
        Assert.That(await Row(compare, "metadata", "accuracy").Locator("td").AllTextContentsAsync(), Is.EqualTo(new[] { "0.9", "0.75" }));
        var trainer = Row(compare, "metadata", "trainer");
        await Assertions.Expect(trainer).ToHaveClassAsync("row");
        Assert.That(await trainer.Locator("td").AllTextContentsAsync(), Is.EqualTo(new[] { "sgd", "sgd" }));
        Assert.That(await Row(compare, "metric", "train-scored.accuracy").Locator("td").AllTextContentsAsync(), Is.EqualTo(new[] { "0.9", "0.75" }), "the Metrics artifact");
        Assert.That(await Row(compare, "metric", "train-scored.epochs").Locator("td").AllTextContentsAsync(), Is.EqualTo(new[] { "3", "3" }), "the step run's metadata");
        Assert.That(await Row(compare, "step", "train-scored").Locator("td").AllTextContentsAsync(), Is.EqualTo(new[] { "ran", "ran" }));
        await DashboardSite.ScreenshotAsync(page, "experiment-compare");

        await page.Locator(".compare-summary input[type=checkbox]").CheckAsync();
        await Assertions.Expect(trainer).ToBeHiddenAsync();
        await Assertions.Expect(learningRate).ToBeVisibleAsync();

        await page.Locator($"tr[data-run='{DashboardSite.Made.ScoredLow}'] input[type=checkbox]").UncheckAsync();
        await Assertions.Expect(page.Locator(".comparison")).ToContainTextAsync("Tick two runs or more");
        Assert.That(page.Url, Does.EndWith($"?run={DashboardSite.Made.ScoredHigh}"), "the selection is in the address");
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task The_run_list_filters_by_experiment()
    {
        var page = await DashboardSite.SignedInPageAsync();
        await page.SelectOptionAsync("select[name=experiment]", "churn");
        await page.WaitForFunctionAsync("() => location.hash.includes('experiment=churn')");

        await Assertions.Expect(page.Locator("table.grid tbody tr")).ToHaveCountAsync(2);
        var ids = await page.Locator("table.grid tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.run)");
        Assert.That(ids, Is.EqualTo(new[] { DashboardSite.Made.BetterModel, DashboardSite.Made.FirstModel }));
        Assert.That(await page.Locator("table.grid tbody td.experiment").AllTextContentsAsync(), Is.All.EqualTo("churn"));
        await page.Context.CloseAsync();
    }

    private static ILocator Row(ILocator compare, string section, string key) =>
        compare.Locator($"tr[data-section='{section}'][data-key='{key}']");
}
