using Microsoft.Playwright;
using PipelineSdk.Store;

namespace PipelineSdk.Dashboard.Tests;

/// <summary>A step that failed twice before it succeeded shows its attempts and their errors; its Parquet output is a paged grid.</summary>
public sealed class RetriedTableTests
{
    [Test]
    public async Task A_retried_step_shows_its_failed_attempts_with_their_errors()
    {
        var page = await DashboardSite.SignedInPageAsync();
        await page.GotoAsync($"/#/runs/{Uri.EscapeDataString(DashboardSite.Made.RetriedTable)}");
        var node = page.Locator("g.node[data-node='step:write-cities']");
        await Assertions.Expect(node).ToHaveAttributeAsync("data-look", "ran");

        await node.ClickAsync();
        var attempts = page.Locator(".panel table.attempts tbody tr");
        await Assertions.Expect(attempts).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator(".panel .attempts h3")).ToHaveTextAsync("Attempts (3)");
        await Assertions.Expect(attempts.Nth(0)).ToContainTextAsync("failed");
        await Assertions.Expect(attempts.Nth(0)).ToContainTextAsync("IOException: the table store is busy (attempt 1)");
        await Assertions.Expect(attempts.Nth(1)).ToContainTextAsync("IOException: the table store is busy (attempt 2)");
        await Assertions.Expect(attempts.Nth(2)).ToContainTextAsync("completed");
        await Assertions.Expect(attempts.Nth(2).Locator("td").Nth(4)).ToHaveTextAsync("—");
        await DashboardSite.ScreenshotAsync(page, "step-attempts");
        await page.Context.CloseAsync();
    }

    [Test]
    public async Task A_parquet_data_set_is_a_paged_grid_across_its_row_groups()
    {
        long id;
        using (var store = MetadataStore.OpenForReading(DashboardSite.StoreDirectory))
        {
            var step = store.GetStepRuns(DashboardSite.Made.RetriedTable).Single(s => s.TaskKey == "write-cities");
            id = store.GetOutputs(step.Id)["Output"].Id;
        }

        var page = await DashboardSite.SignedInPageAsync();
        await page.GotoAsync($"/#/artifacts/{id}");
        var grid = page.Locator(".table-preview[data-kind='Parquet']");
        await Assertions.Expect(grid.Locator("thead")).ToHaveTextAsync("idcitytemperature");
        await Assertions.Expect(grid.Locator("tbody tr")).ToHaveCountAsync(50);
        await Assertions.Expect(grid.Locator("tbody tr").First).ToHaveTextAsync("1city-10.25");
        await Assertions.Expect(grid.Locator(".pager")).ToContainTextAsync("rows 1–50 of 140");

        await grid.Locator(".pager button:text('next →')").ClickAsync();
        await Assertions.Expect(grid.Locator(".pager")).ToContainTextAsync("rows 51–100 of 140");
        await Assertions.Expect(grid.Locator("tbody tr").First).ToHaveTextAsync("51city-5112.75");
        await Assertions.Expect(grid.Locator("tbody tr").Nth(20)).ToHaveTextAsync("71city-7117.75"); // the second row group's first row
        await grid.Locator(".pager button:text('next →')").ClickAsync();
        await Assertions.Expect(grid.Locator("tbody tr")).ToHaveCountAsync(40);
        await Assertions.Expect(grid.Locator("tbody tr").Last).ToHaveTextAsync("140city-14035");
        await DashboardSite.ScreenshotAsync(page, "parquet-grid");
        await page.Context.CloseAsync();
    }
}
