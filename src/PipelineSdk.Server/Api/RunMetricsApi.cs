using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PipelineSdk.Server.Dashboard;
using PipelineSdk.Store;

namespace PipelineSdk.Server.Api;

/// <summary>
/// <c>GET /api/v1/runs/{id}/metrics</c>: every <c>system.Metrics</c> artifact the run's steps produced or reused, with its
/// logged values, so the dashboard can set them side by side (as Kubeflow's run output does) — e.g. one model per loop iteration.
/// </summary>
internal static class RunMetricsApi
{
    private const string MetricsType = "system.Metrics";

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/runs/{id}/metrics", (string id, MetadataStore store) =>
        {
            var run = ApiErrors.Found(store.GetRun(id), $"run '{id}'");
            var metrics = store.GetStepRuns(run.Id)
                .Where(step => step.Status is StepStatus.Completed or StepStatus.Cached)
                .SelectMany(step => store.GetOutputs(step.Id).Values
                    .Where(artifact => artifact.KfpType == MetricsType)
                    .OrderBy(artifact => artifact.OutputName, StringComparer.Ordinal)
                    .Select(artifact => new RunMetrics(step.TaskKey, step.Id, artifact.OutputName, artifact.Id, artifact.MetadataJson)))
                .ToList();
            return TypedResults.Json(metrics, DashboardJson.Default.ListRunMetrics);
        });
}

/// <summary>One metrics artifact of a run.</summary>
/// <param name="TaskKey">The task that produced (or, from the cache, reused) it.</param>
/// <param name="StepRunId">That task's step run.</param>
/// <param name="OutputName">The step's output.</param>
/// <param name="ArtifactId">The artifact.</param>
/// <param name="MetadataJson">Its logged values, as a JSON object.</param>
internal sealed record RunMetrics(string TaskKey, long StepRunId, string OutputName, long ArtifactId, string MetadataJson);
