using Microsoft.Playwright;

namespace PipelineSdk.Dashboard.Tests;

/// <summary>Typed previews: a confusion matrix and ROC curve, metrics, HTML in a sandbox, a CSV grid; and lineage.</summary>
public sealed class ArtifactPageTests
{
    [Test]
    public async Task Classification_metrics_show_a_confusion_matrix_and_a_roc_curve()
    {
        var page = await OpenArtifact(DashboardSite.Made.Artifacts, "evaluate", "Output");

        var matrix = page.Locator("table.confusion-matrix");
        await Assertions.Expect(matrix).ToBeVisibleAsync();
        var counts = await matrix.Locator("tbody td").AllTextContentsAsync();
        Assert.That(counts, Is.Not.Empty);
        Assert.That(counts.All(c => int.TryParse(c, out _)), Is.True, string.Join(",", counts));
        Assert.That(await page.Locator("svg.roc-chart path.curve").CountAsync(), Is.EqualTo(1));
        await Assertions.Expect(page.Locator("ul.consumers")).ToContainTextAsync("report");
        await DashboardSite.ScreenshotAsync(page, "confusion-matrix");
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task Html_is_shown_in_a_sandbox_that_cannot_reach_the_api()
    {
        var page = await OpenArtifact(DashboardSite.Made.Artifacts, "report", "Page");

        var frame = page.Locator("iframe.sandboxed");
        await Assertions.Expect(frame).ToHaveAttributeAsync("sandbox", "");
        await Assertions.Expect(page.FrameLocator("iframe.sandboxed").Locator("li").First).ToContainTextAsync("=");
        var src = await frame.GetAttributeAsync("src");
        var response = await page.Context.APIRequest.GetAsync(src!);
        Assert.That(response.Headers["content-security-policy"], Does.StartWith("sandbox"));
        Assert.That(response.Headers["content-security-policy"], Does.Contain("default-src 'none'"));
        await DashboardSite.ScreenshotAsync(page, "html-artifact");
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task Metrics_are_a_table_and_a_data_set_is_a_paged_grid()
    {
        var metrics = await OpenArtifact(DashboardSite.Made.Completed, "evaluate[0]", "Metrics");
        await Assertions.Expect(metrics.Locator("table.metrics")).ToContainTextAsync("accuracy");
        await Assertions.Expect(metrics.Locator("table.metrics")).ToContainTextAsync("logLoss");
        await metrics.Context.CloseAsync();

        var data = await OpenArtifact(DashboardSite.Made.Completed, "load-data", "Output");
        await Assertions.Expect(data.Locator(".csv thead")).ToContainTextAsync("Label");
        await Assertions.Expect(data.Locator(".csv tbody tr")).ToHaveCountAsync(50);
        await Assertions.Expect(data.Locator(".csv .pager")).ToContainTextAsync("of 2000");
        await data.ClickAsync(".csv .pager button");
        await Assertions.Expect(data.Locator(".csv .pager")).ToContainTextAsync("rows 51–100");
        await data.Context.CloseAsync();
    }

    private static async Task<IPage> OpenArtifact(string runId, string taskKey, string output)
    {
        var id = DashboardSite.OutputId(runId, taskKey, output);
        var page = await DashboardSite.SignedInPageAsync();
        await page.GotoAsync($"/#/artifacts/{id}");
        await page.WaitForSelectorAsync(".artifact-page .preview");
        return page;
    }
}
