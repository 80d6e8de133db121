using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PipelineSdk.Store;
using PipelineSdk.Store.Remote;

namespace PipelineSdk.Server.Api;

/// <summary><c>/api/v1/experiments</c>, and the JSON form of logged metadata the run and step-run endpoints take.</summary>
internal static class MetadataApi
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/experiments", (MetadataStore store) => TypedResults.Json(store.ListExperiments().ToList(), RemoteJson.Default.ListExperimentRecord));

    /// <summary>A metadata body as the JSON object the store takes.</summary>
    public static string Json(Dictionary<string, JsonElement> metadata) =>
        JsonSerializer.Serialize(metadata, RemoteJson.Default.DictionaryStringJsonElement);
}
