using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PipelineSdk.Store;
using PipelineSdk.Store.Remote;

namespace PipelineSdk.Server.Api;

/// <summary><c>/api/v1/step-runs</c> and <c>/api/v1/cache</c>: finishing step runs, their lineage, and cache look-ups.</summary>
internal static class StepRunsApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var stepRuns = app.MapGroup("/api/v1/step-runs");
        stepRuns.MapGet("/{id:long}", (long id, MetadataStore store) => TypedResults.Json(Existing(store, id), RemoteJson.Default.StepRunRecord));
        stepRuns.MapPost("/{id:long}/finish", async (long id, HttpRequest request, MetadataStore store) =>
        {
            var body = await ApiErrors.Body(request, RemoteJson.Default.FinishStepRunRequest).ConfigureAwait(false);
            Existing(store, id);
            var outputs = store.FinishStepRun(id, body.Status, body.EndedAt, body.Error, body.Inputs, body.ProducedOutputs, body.ReusedFrom, body.LogPath);
            return TypedResults.Json(new Dictionary<string, ArtifactRecord>(outputs, StringComparer.Ordinal), RemoteJson.Default.DictionaryStringArtifactRecord);
        });
        stepRuns.MapGet("/{id:long}/outputs", (long id, MetadataStore store) =>
            TypedResults.Json(new Dictionary<string, ArtifactRecord>(store.GetOutputs(Existing(store, id).Id), StringComparer.Ordinal), RemoteJson.Default.DictionaryStringArtifactRecord));
        stepRuns.MapGet("/{id:long}/inputs", (long id, MetadataStore store) =>
            TypedResults.Json(store.GetInputs(Existing(store, id).Id).ToList(), RemoteJson.Default.ListStepInputRecord));
        stepRuns.MapPost("/{id:long}/attempts", async (long id, HttpRequest request, MetadataStore store) =>
        {
            var attempt = await ApiErrors.Body(request, RemoteJson.Default.StepAttemptRecord).ConfigureAwait(false);
            store.RecordAttempt(Existing(store, id).Id, attempt);
            return TypedResults.NoContent();
        });
        stepRuns.MapPost("/{id:long}/metadata", async (long id, HttpRequest request, MetadataStore store) =>
        {
            var metadata = await ApiErrors.Body(request, RemoteJson.Default.DictionaryStringJsonElement).ConfigureAwait(false);
            store.LogStepRunMetadata(Existing(store, id).Id, MetadataApi.Json(metadata));
            return TypedResults.NoContent();
        });
        stepRuns.MapGet("/{id:long}/attempts", (long id, MetadataStore store) =>
            TypedResults.Json(store.GetAttempts(Existing(store, id).Id).ToList(), RemoteJson.Default.ListStepAttemptRecord));
        stepRuns.MapGet("/previous", (MetadataStore store, string? pipeline, string? taskKey, string? before) =>
        {
            var beforeId = long.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : throw new ApiException(StatusCodes.Status400BadRequest, "before= must be a step run id");
            var previous = store.FindPreviousStepRun(Required(pipeline, "pipeline"), Required(taskKey, "taskKey"), beforeId);
            return TypedResults.Json(ApiErrors.Found(previous, $"earlier step run of task '{taskKey}'"), RemoteJson.Default.StepRunRecord);
        });

        app.MapGet("/api/v1/cache", (MetadataStore store, string? pipeline, string? key) =>
            TypedResults.Json(ApiErrors.Found(store.FindCachedStepRun(Required(pipeline, "pipeline"), Required(key, "key")), $"cached step run with key {key}"), RemoteJson.Default.CachedStepRun));
    }

    private static StepRunRecord Existing(MetadataStore store, long id) => ApiErrors.Found(store.GetStepRun(id), $"step run {id}");

    private static string Required(string? value, string name) =>
        string.IsNullOrEmpty(value) ? throw new ApiException(StatusCodes.Status400BadRequest, $"give {name}= in the query") : value;
}
