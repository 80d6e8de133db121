using Cronos;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PipelineSdk.Server.Dashboard;
using PipelineSdk.Store;

namespace PipelineSdk.Server.Api;

/// <summary>
/// <c>GET /api/v1/schedule-summaries</c>: the recorded schedules, each with when it fires next (what the dashboard's
/// schedules page shows), computed from its cron in its <c>TZ=</c> zone, else UTC.
/// </summary>
internal static class ScheduleSummariesApi
{
    private const string ZonePrefix = "TZ=";

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/schedule-summaries", (MetadataStore store) =>
        {
            var now = DateTimeOffset.UtcNow;
            return TypedResults.Json(store.ListSchedules().Select(s => Summarize(s, now)).ToList(), DashboardJson.Default.ListScheduleSummary);
        });

    /// <summary>A schedule with the first time after <paramref name="now"/> that its cron fires, or why that is not known.</summary>
    public static ScheduleSummary Summarize(ScheduleRecord schedule, DateTimeOffset now)
    {
        var (zoneId, fields) = SplitZone(schedule.Cron);
        if (!string.Equals(schedule.State, "ACTIVE", StringComparison.OrdinalIgnoreCase))
        {
            return new ScheduleSummary(schedule, zoneId, null, $"does not fire while {schedule.State.ToLowerInvariant()}");
        }

        TimeZoneInfo zone;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return new ScheduleSummary(schedule, zoneId, null, $"the time zone '{zoneId}' is not known on the server");
        }

        try
        {
            var next = CronExpression.Parse(fields, CronFormat.Standard).GetNextOccurrence(now, zone);
            return new ScheduleSummary(schedule, zoneId, next, next is null ? "never fires again" : null);
        }
        catch (CronFormatException e)
        {
            return new ScheduleSummary(schedule, zoneId, null, $"'{fields}' is not a cron expression: {e.Message}");
        }
    }

    // Vertex's form: "TZ=Europe/Berlin 0 6 * * 1"; without a zone the cron is in UTC, as Vertex reads it.
    private static (string Zone, string Fields) SplitZone(string cron)
    {
        var text = cron.Trim();
        if (!text.StartsWith(ZonePrefix, StringComparison.Ordinal))
        {
            return ("UTC", text);
        }

        var space = text.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? (text[ZonePrefix.Length..], "") : (text[ZonePrefix.Length..space], text[(space + 1)..].Trim());
    }
}

/// <summary>A schedule as the schedules page shows it.</summary>
/// <param name="Schedule">The recorded schedule.</param>
/// <param name="TimeZone">The zone its cron is read in (its <c>TZ=</c>, else UTC).</param>
/// <param name="NextFireAt">When it fires next, or null when it will not (see <paramref name="NotFiring"/>).</param>
/// <param name="NotFiring">Why there is no next fire time (paused, an unknown zone, a bad cron), else null.</param>
internal sealed record ScheduleSummary(ScheduleRecord Schedule, string TimeZone, DateTimeOffset? NextFireAt, string? NotFiring);
