using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PipelineSdk.Server.Dashboard;
using PipelineSdk.Store;

namespace PipelineSdk.Server.Api;

/// <summary>
/// <c>GET /api/v1/run-comparison?run=A&amp;run=B</c>: runs side by side — parameters, run metadata, metrics and how each step
/// ended — as <c>pipelines experiments compare</c> shows them (the same <see cref="RunComparison"/>).
/// </summary>
internal static class RunComparisonApi
{
    private const int MostRuns = 20;

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/run-comparison", (MetadataStore store, string[]? run) =>
        {
            var ids = (run ?? []).Where(id => id.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            if (ids.Count is < 2 or > MostRuns)
            {
                throw new ApiException(StatusCodes.Status400BadRequest, $"give 2 to {MostRuns} runs to compare as ?run=ID&run=ID, got {ids.Count}");
            }

            var runs = ids.Select(id => ApiErrors.Found(store.GetRun(id), $"run '{id}'")).ToList();
            var comparison = RunComparison.Build(store, runs);
            return TypedResults.Json(new ComparisonBody(
                    [.. runs.Select(r => new ComparedRunBody(r.Id, r.Pipeline, r.Experiment, r.Status, r.StartedAt))],
                    [.. comparison.Rows.Select(r => new ComparedRowBody(r.Section, r.Key, [.. r.Values], r.Differs))]),
                DashboardJson.Default.ComparisonBody);
        });
}

/// <summary>Runs side by side.</summary>
/// <param name="Runs">The runs, one column each, in the order asked.</param>
/// <param name="Rows">The rows, by section (parameter, metadata, metric, step).</param>
internal sealed record ComparisonBody(List<ComparedRunBody> Runs, List<ComparedRowBody> Rows);

/// <summary>A compared run.</summary>
internal sealed record ComparedRunBody(string Id, string Pipeline, string? Experiment, RunStatus Status, DateTimeOffset StartedAt);

/// <summary>One row: a section, a key, each run's value (null where it has none) and whether the runs disagree.</summary>
internal sealed record ComparedRowBody(string Section, string Key, List<JsonElement?> Values, bool Differs);
