using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PipelineSdk.Caching;
using PipelineSdk.Server.Dashboard;
using PipelineSdk.Server.Hosting;
using PipelineSdk.Store;

namespace PipelineSdk.Server.Api;

/// <summary>
/// <c>GET /api/v1/step-runs/{id}/explain-cache</c> (what <c>pipelines runs explain-cache</c> says) and <c>/log</c> (the step's
/// standard output and error, when the process that ran it wrote them below the server's store folder).
/// </summary>
internal static class StepDetailsApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var stepRuns = app.MapGroup("/api/v1/step-runs");
        stepRuns.MapGet("/{id:long}/explain-cache", (long id, MetadataStore store) =>
        {
            var step = Existing(store, id);
            var explanation = CacheExplanation.Explain(store, step.RunId, step.TaskKey);
            return TypedResults.Json(new CacheExplanationBody(
                explanation.Decision.ToString(), explanation.Summary, explanation.ComparedWith?.Id, explanation.ComparedWith?.RunId,
                [.. explanation.Changes.Select(c => new CacheChangeBody(c.Part, c.Name, c.Description, c.Before, c.After))]), DashboardJson.Default.CacheExplanationBody);
        });
        stepRuns.MapGet("/{id:long}/log", (long id, MetadataStore store, ServerOptions options) =>
        {
            var path = StepLogStreamApi.LogFile(Existing(store, id), options);
            return TypedResults.PhysicalFile(path, "text/plain; charset=utf-8", enableRangeProcessing: true);
        });
    }

    private static StepRunRecord Existing(MetadataStore store, long id) => ApiErrors.Found(store.GetStepRun(id), $"step run {id}");
}

/// <summary>A cache decision as the dashboard shows it.</summary>
internal sealed record CacheExplanationBody(string Decision, string Summary, long? ComparedWithStepRun, string? ComparedWithRun, List<CacheChangeBody> Changes);

/// <summary>One part of a cache key that changed.</summary>
internal sealed record CacheChangeBody(string Part, string Name, string Description, string? Before, string? After);
