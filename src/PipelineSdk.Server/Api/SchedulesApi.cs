using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PipelineSdk.Store;
using PipelineSdk.Store.Remote;

namespace PipelineSdk.Server.Api;

/// <summary><c>/api/v1/schedules</c>: the schedules a team's orchestrators run, recorded so every client lists the same ones.</summary>
internal static class SchedulesApi
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var schedules = app.MapGroup("/api/v1/schedules");
        schedules.MapGet("/", (MetadataStore store) => TypedResults.Json(store.ListSchedules().ToList(), RemoteJson.Default.ListScheduleRecord));
        schedules.MapGet("/{id}", (string id, MetadataStore store) => TypedResults.Json(Existing(store, id), RemoteJson.Default.ScheduleRecord));
        schedules.MapPut("/{id}", async (string id, HttpRequest request, MetadataStore store) =>
        {
            var schedule = await ApiErrors.Body(request, RemoteJson.Default.ScheduleRecord).ConfigureAwait(false);
            if (schedule.Id != id)
            {
                throw new ApiException(StatusCodes.Status400BadRequest, $"the body is schedule '{schedule.Id}' but the path says '{id}'");
            }

            store.SaveSchedule(schedule);
            return TypedResults.NoContent();
        });
        schedules.MapPost("/{id}/state", async (string id, HttpRequest request, MetadataStore store) =>
        {
            var body = await ApiErrors.Body(request, RemoteJson.Default.ScheduleStateRequest).ConfigureAwait(false);
            Existing(store, id);
            return TypedResults.Json(new ChangedResponse(store.SetScheduleState(id, body.State)), RemoteJson.Default.ChangedResponse);
        });
        schedules.MapDelete("/{id}", (string id, MetadataStore store) =>
        {
            Existing(store, id);
            return TypedResults.Json(new ChangedResponse(store.DeleteSchedule(id)), RemoteJson.Default.ChangedResponse);
        });
    }

    private static ScheduleRecord Existing(MetadataStore store, string id) => ApiErrors.Found(store.GetSchedule(id), $"schedule '{id}'");
}
