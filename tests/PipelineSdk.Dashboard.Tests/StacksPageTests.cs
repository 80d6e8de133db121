using Microsoft.Playwright;

namespace PipelineSdk.Dashboard.Tests;

/// <summary>The stacks page: the store's stacks, the active one marked, and the components with their settings.</summary>
public sealed class StacksPageTests
{
    [Test]
    public async Task The_active_stack_and_its_components_are_listed()
    {
        var page = await DashboardSite.SignedInPageAsync();
        await page.ClickAsync("nav a[data-nav=stacks]");

        var row = page.Locator("tr[data-stack='default']");
        await Assertions.Expect(row).ToContainTextAsync("active");
        await Assertions.Expect(row).ToContainTextAsync("(local)");
        await Assertions.Expect(page.Locator(".component h3").First).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }
}
