using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using PipelineSdk.Store;
using PipelineSdk.Store.Remote;

namespace PipelineSdk.Server.Api;

/// <summary>
/// <c>/api/v1/runs</c>: runs and the step runs they start. Every write a client may retry is idempotent: <c>PUT</c> of a run
/// that exists keeps it, starting a task that started returns the first step run's id, recording a not-run task twice keeps the first.
/// </summary>
internal static class RunsApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var runs = app.MapGroup("/api/v1/runs");
        runs.MapGet("/", List);
        runs.MapGet("/{id}", (string id, MetadataStore store) => TypedResults.Json(ApiErrors.Found(store.GetRun(id), $"run '{id}'"), RemoteJson.Default.RunRecord));
        runs.MapPut("/{id}", Create);
        runs.MapPost("/{id}/remote", async (string id, HttpRequest request, MetadataStore store) =>
        {
            var body = await ApiErrors.Body(request, RemoteJson.Default.RunRemoteRequest).ConfigureAwait(false);
            store.SetRunRemote(Existing(store, id).Id, body.RemoteId, body.RemoteUrl);
            return TypedResults.NoContent();
        });
        runs.MapPost("/{id}/end", async (string id, HttpRequest request, MetadataStore store) =>
        {
            var body = await ApiErrors.Body(request, RemoteJson.Default.EndRunRequest).ConfigureAwait(false);
            store.EndRun(Existing(store, id).Id, body.Status, body.EndedAt, body.Error);
            return TypedResults.NoContent();
        });
        runs.MapPost("/{id}/heartbeat", async (string id, HttpRequest request, MetadataStore store) =>
        {
            var body = await ApiErrors.Body(request, RemoteJson.Default.HeartbeatRequest).ConfigureAwait(false);
            store.Heartbeat(Existing(store, id).Id, body.At);
            return TypedResults.NoContent();
        });
        runs.MapPost("/{id}/crashed", async (string id, HttpRequest request, MetadataStore store) =>
        {
            var body = await ApiErrors.Body(request, RemoteJson.Default.CrashRequest).ConfigureAwait(false);
            var changed = store.MarkRunCrashed(Existing(store, id).Id, body.At, body.Reason);
            return TypedResults.Json(new ChangedResponse(changed), RemoteJson.Default.ChangedResponse);
        });
        runs.MapPost("/{id}/metadata", async (string id, long? stepRun, HttpRequest request, MetadataStore store) =>
        {
            var metadata = await ApiErrors.Body(request, RemoteJson.Default.DictionaryStringJsonElement).ConfigureAwait(false);
            if (stepRun is { } stepRunId && store.GetStepRun(stepRunId)?.RunId != id)
            {
                throw new ApiException(StatusCodes.Status400BadRequest, $"step run {stepRunId} is not a step run of run '{id}'");
            }

            store.LogRunMetadata(Existing(store, id).Id, MetadataApi.Json(metadata), stepRun);
            return TypedResults.NoContent();
        });
        runs.MapGet("/{id}/spec", (string id, MetadataStore store) =>
            TypedResults.Json(new SpecResponse(ApiErrors.Found(store.GetRunSpec(Existing(store, id).Id), $"spec recorded for run '{id}'")), RemoteJson.Default.SpecResponse));
        runs.MapGet("/{id}/steps", (string id, MetadataStore store) =>
            TypedResults.Json(store.GetStepRuns(Existing(store, id).Id).ToList(), RemoteJson.Default.ListStepRunRecord));
        runs.MapPost("/{id}/steps", async (string id, HttpRequest request, MetadataStore store) =>
        {
            var body = await ApiErrors.Body(request, RemoteJson.Default.StartStepRunRequest).ConfigureAwait(false);
            var stepRunId = store.StartStepRun(Existing(store, id).Id, body.TaskKey, body.StepName, body.StartedAt, body.CacheKey, body.CacheKeyParts, body.DependsOn, body.CacheEnabled, body.NextAttempt);
            return TypedResults.Json(new IdResponse(stepRunId), RemoteJson.Default.IdResponse);
        });
        runs.MapPost("/{id}/not-run", async (string id, HttpRequest request, MetadataStore store) =>
        {
            var body = await ApiErrors.Body(request, RemoteJson.Default.NotRunRequest).ConfigureAwait(false);
            if (body.Status is not (StepStatus.NotRun or StepStatus.NotTriggered or StepStatus.Unknown))
            {
                throw new ApiException(StatusCodes.Status400BadRequest, $"a task that did not run is NotRun, NotTriggered or Unknown, not {body.Status}");
            }

            store.RecordNotRun(Existing(store, id).Id, body.TaskKey, body.StepName, body.Reason, body.DependsOn, body.Status);
            return TypedResults.NoContent();
        });
    }

    /// <summary>The run, or a 404 (a step of an unknown run would break the database's references).</summary>
    public static RunRecord Existing(MetadataStore store, string id) => ApiErrors.Found(store.GetRun(id), $"run '{id}'");

    private static JsonHttpResult<List<RunRecord>> List(MetadataStore store, string? pipeline, string? status, string? limit, string? experiment, string[]? where)
    {
        var count = 100;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > 10_000))
        {
            throw new ApiException(StatusCodes.Status400BadRequest, $"limit={limit}: give a number from 1 to 10000");
        }

        RunStatus? wanted = null;
        if (status is not null)
        {
            wanted = Enum.TryParse<RunStatus>(status, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                ? parsed
                : throw new ApiException(StatusCodes.Status400BadRequest, $"status={status}: use one of {string.Join(", ", Enum.GetNames<RunStatus>())}");
        }

        var conditions = new List<MetadataCondition>();
        foreach (var expression in where ?? [])
        {
            try
            {
                conditions.Add(MetadataCondition.Parse(expression));
            }
            catch (FormatException e)
            {
                throw new ApiException(StatusCodes.Status400BadRequest, $"where={e.Message}");
            }
        }

        var query = new RunQuery { Pipeline = pipeline, Limit = count, Status = wanted, Experiment = experiment, Where = conditions };
        return TypedResults.Json(store.ListRuns(query).ToList(), RemoteJson.Default.ListRunRecord);
    }

    private static async Task<NoContent> Create(string id, HttpRequest request, MetadataStore store)
    {
        var body = await ApiErrors.Body(request, RemoteJson.Default.CreateRunRequest).ConfigureAwait(false);
        store.CreateRun(id, body.Pipeline, body.StartedAt, body.ParametersJson, body.Orchestrator, body.Stack, body.Owner, body.SpecJson, body.Experiment);
        return TypedResults.NoContent();
    }
}
