using System.Globalization;
using Microsoft.Playwright;
using PipelineSdk.Store;

namespace PipelineSdk.Dashboard.Tests;

/// <summary>The schedules page: the recorded schedules, each with when it fires next in its cron's time zone.</summary>
public sealed class SchedulesPageTests
{
    private static readonly string Suffix = Guid.NewGuid().ToString("N")[..8];
    private static readonly string InKolkata = "kolkata-" + Suffix;
    private static readonly string InUtc = "utc-" + Suffix;
    private static readonly string Paused = "paused-" + Suffix;

    [OneTimeSetUp]
    public void RecordSchedules()
    {
        using var store = MetadataStore.Open(DashboardSite.StoreDirectory);
        var created = DateTimeOffset.UtcNow.AddDays(-1);
        // India has no daylight saving: 06:30 there is always 01:00 UTC.
        store.SaveSchedule(new ScheduleRecord(InKolkata, "morning in Kolkata", "train-and-deploy", "TZ=Asia/Kolkata 30 6 * * *", "vertex", "team", "ACTIVE", "{}", null, created));
        store.SaveSchedule(new ScheduleRecord(InUtc, "nightly", "train-and-deploy", "15 3 * * *", "vertex", "team", "ACTIVE", "{\"rows\":100}", null, created));
        store.SaveSchedule(new ScheduleRecord(Paused, "paused", "train-and-deploy", "0 * * * *", "vertex", "team", "PAUSED", "{}", null, created));
    }

    [Test]
    public async Task Each_schedule_shows_when_it_fires_next_in_its_time_zone()
    {
        var page = await DashboardSite.SignedInPageAsync();
        var before = DateTimeOffset.UtcNow;
        await page.ClickAsync("nav a[data-nav=schedules]");
        await Assertions.Expect(page.Locator("main h1")).ToHaveTextAsync("Schedules");

        var kolkata = await NextFireAsync(page, InKolkata);
        Assert.That((kolkata.Hour, kolkata.Minute), Is.EqualTo((1, 0)), "06:30 in Asia/Kolkata is 01:00 UTC");
        Assert.That(kolkata, Is.GreaterThan(before).And.LessThanOrEqualTo(before.AddDays(1)));
        await Assertions.Expect(page.Locator($"tr[data-schedule='{InKolkata}'] td.next-fire")).ToContainTextAsync("cron in Asia/Kolkata");

        var utc = await NextFireAsync(page, InUtc);
        Assert.That((utc.Hour, utc.Minute), Is.EqualTo((3, 15)), "a cron without TZ= is read in UTC");
        Assert.That(utc, Is.GreaterThan(before).And.LessThanOrEqualTo(before.AddDays(1)));

        await Assertions.Expect(page.Locator($"tr[data-schedule='{Paused}'] td.next-fire")).ToHaveTextAsync("does not fire while paused");
        await DashboardSite.ScreenshotAsync(page, "schedules");
        await page.Context.CloseAsync();
    }

    private static async Task<DateTimeOffset> NextFireAsync(IPage page, string schedule)
    {
        var cell = page.Locator($"tr[data-schedule='{schedule}'] td.next-fire");
        var next = await cell.GetAttributeAsync("data-next") ?? throw new AssertionException($"schedule {schedule} shows no next fire time: {await cell.TextContentAsync()}");
        return DateTimeOffset.Parse(next, CultureInfo.InvariantCulture).ToUniversalTime();
    }
}
