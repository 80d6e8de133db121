using Microsoft.Playwright;

namespace PipelineSdk.Dashboard.Tests;

/// <summary>Logged metadata where it belongs: the run's (and its experiment) on the run page, the step run's in the step panel, the artifact's on its page.</summary>
public sealed class LoggedMetadataTests
{
    [Test]
    public async Task The_run_page_shows_the_run_metadata_and_experiment_and_the_step_panel_the_step_metadata()
    {
        var page = await DashboardSite.SignedInPageAsync();
        await page.GotoAsync($"/#/runs/{DashboardSite.Made.ScoredHigh}?step=train-scored");

        await Assertions.Expect(page.Locator(".run-header .run-metadata[data-key=accuracy]")).ToHaveTextAsync("accuracy=0.9");
        await Assertions.Expect(page.Locator(".run-header .run-metadata[data-key=trainer]")).ToHaveTextAsync("trainer=sgd");
        await Assertions.Expect(page.Locator(".run-header a.experiment")).ToHaveTextAsync("scored");

        var metadata = page.Locator(".panel table.step-metadata");
        await Assertions.Expect(metadata.Locator("tr[data-key=epochs] td")).ToHaveTextAsync("3");
        await Assertions.Expect(metadata.Locator("tr[data-key=report] a")).ToHaveAttributeAsync("href", "https://example.com/reports/1");
        await Assertions.Expect(metadata.Locator("tr[data-key=per-class] table.metadata-table thead")).ToContainTextAsync("recall");
        Assert.That(await metadata.Locator("tr[data-key=per-class] table.metadata-table tbody tr").AllTextContentsAsync(), Is.EqualTo(new[] { "a0.9", "b0.8" }));
        await DashboardSite.ScreenshotAsync(page, "run-metadata");

        await page.Locator(".run-header a.experiment").ClickAsync();
        await Assertions.Expect(page.Locator(".experiment-page h1")).ToHaveTextAsync("scored");
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task An_artifact_shows_its_metadata_and_a_model_version_its_name_version_tags_and_stage()
    {
        var page = await DashboardSite.SignedInPageAsync();
        await page.GotoAsync($"/#/artifacts/{DashboardSite.OutputId(DashboardSite.Made.ScoredHigh, "train-scored", "Model")}");
        await Assertions.Expect(page.Locator(".artifact-page table.metadata tr[data-key=framework] td")).ToHaveTextAsync("hand-written");
        await Assertions.Expect(page.Locator(".artifact-page table.metadata tr[data-key=task] td")).ToHaveTextAsync("train-scored");
        Assert.That(await page.Locator(".artifact-page .artifact-version").CountAsync(), Is.Zero, "an unnamed output is no version");

        await page.GotoAsync($"/#/artifacts/{DashboardSite.OutputId(DashboardSite.Made.BetterModel, "train", "Output")}");
        var version = page.Locator(".artifact-page dd.artifact-version");
        await Assertions.Expect(version).ToContainTextAsync("churn-model version 2");
        await Assertions.Expect(version.Locator(".stage")).ToHaveTextAsync("production");
        Assert.That(await version.Locator(".tag").AllTextContentsAsync(), Is.EquivalentTo(new[] { "candidate", "best" }));
        await Assertions.Expect(page.Locator(".artifact-page table.metadata tr[data-key=accuracy] td")).ToHaveTextAsync("0.9");
        await DashboardSite.ScreenshotAsync(page, "artifact-model-version");

        await page.GotoAsync($"/#/artifacts/{DashboardSite.OutputId(DashboardSite.Made.FirstModel, "train", "Output")}");
        await Assertions.Expect(page.Locator(".artifact-page dd.artifact-version .stage")).ToHaveTextAsync("staging");
        await page.Locator(".artifact-page dd.artifact-version a").ClickAsync();
        await Assertions.Expect(page.Locator(".model-page h1")).ToHaveTextAsync("churn-model");
        await page.Context.CloseAsync();
    }
}
