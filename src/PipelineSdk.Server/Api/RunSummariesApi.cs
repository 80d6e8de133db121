using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PipelineSdk.Server.Dashboard;
using PipelineSdk.Store;

namespace PipelineSdk.Server.Api;

/// <summary>
/// <c>GET /api/v1/run-summaries</c>: one page of runs, newest first, filtered by pipeline, status, stack, experiment and start
/// date, each with its step counts (what the dashboard's run list shows); plus the pipelines, stacks and experiments there are to filter by.
/// </summary>
internal static class RunSummariesApi
{
    private const int MostRuns = 10_000;

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/run-summaries", (MetadataStore store, string? pipeline, string? status, string? stack, string? experiment, string? from, string? to, string? offset, string? limit) =>
        {
            var wanted = status is { Length: > 0 }
                ? Enum.TryParse<RunStatus>(status, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed
                    : throw new ApiException(StatusCodes.Status400BadRequest, $"status={status}: use one of {string.Join(", ", Enum.GetNames<RunStatus>())}")
                : (RunStatus?)null;
            var since = Date(from, "from");
            var until = Date(to, "to")?.AddDays(1);
            var skip = Number(offset, "offset", 0, int.MaxValue) ?? 0;
            var take = Number(limit, "limit", 1, 500) ?? 25;

            var all = store.ListRuns(null, MostRuns);
            var matching = all.Where(r =>
                    (pipeline is not { Length: > 0 } || r.Pipeline == pipeline) &&
                    (wanted is null || r.Status == wanted) &&
                    (stack is not { Length: > 0 } || r.Stack == stack) &&
                    (experiment is not { Length: > 0 } || r.Experiment == experiment) &&
                    (since is null || r.StartedAt >= since) &&
                    (until is null || r.StartedAt < until))
                .OrderByDescending(r => r.StartedAt)
                .ToList();
            var page = matching.Skip(skip).Take(take).Select(r => Summarize(r, store.GetStepRuns(r.Id))).ToList();
            return TypedResults.Json(new RunPage(matching.Count, skip, page,
                    Distinct(all.Select(r => r.Pipeline)),
                    Distinct(all.Select(r => r.Stack)), Distinct(all.Select(r => r.Experiment))),
                DashboardJson.Default.RunPage);
        });

    /// <summary>A run with its step counts.</summary>
    public static RunSummary Summarize(RunRecord run, IReadOnlyList<StepRunRecord> steps) => new(
        run.Id, run.Pipeline, run.Status, run.StartedAt, run.EndedAt, run.Orchestrator, run.Stack, run.Experiment,
        run.Owner is { } owner ? $"{owner.User}@{owner.Host}" : null, run.Error, run.RemoteUrl, run.ParametersJson,
        steps.Count,
        steps.Count(s => s.Status == StepStatus.Completed),
        steps.Count(s => s.Status == StepStatus.Cached),
        steps.Count(s => s.Status is StepStatus.Failed or StepStatus.Crashed),
        steps.Count(s => s.Status == StepStatus.Running));

    private static List<string> Distinct(IEnumerable<string?> values) =>
        [.. values.OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    private static DateTimeOffset? Date(string? text, string name) =>
        text is not { Length: > 0 } ? null
        : DateTimeOffset.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) ? date
        : throw new ApiException(StatusCodes.Status400BadRequest, $"{name}={text}: give a date as YYYY-MM-DD");

    private static int? Number(string? text, string name, int least, int most) =>
        text is not { Length: > 0 } ? null
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= least && value <= most ? value
        : throw new ApiException(StatusCodes.Status400BadRequest, $"{name}={text}: give a number from {least} to {most}");
}

/// <summary>A run as the run list shows it.</summary>
internal sealed record RunSummary(
    string Id, string Pipeline, RunStatus Status, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, string Orchestrator, string? Stack, string? Experiment,
    string? Owner, string? Error, string? RemoteUrl, string ParametersJson, int Steps, int Ran, int Cached, int Failed, int Running);

/// <summary>One page of the run list.</summary>
/// <param name="Total">How many runs match the filters.</param>
/// <param name="Offset">How many matching runs come before this page.</param>
/// <param name="Runs">The page, newest first.</param>
/// <param name="Pipelines">Every pipeline with runs, to filter by.</param>
/// <param name="Stacks">Every stack with runs, to filter by.</param>
/// <param name="Experiments">Every experiment with runs, to filter by.</param>
internal sealed record RunPage(int Total, int Offset, List<RunSummary> Runs, List<string> Pipelines, List<string> Stacks, List<string> Experiments);
