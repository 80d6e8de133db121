using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PipelineSdk.Server.Dashboard;
using PipelineSdk.Store;

namespace PipelineSdk.Server.Api;

/// <summary>
/// <c>GET /api/v1/models</c>: the models (named artifacts of type <c>system.Model</c>) with their newest version and the versions in
/// production and staging, as <c>pipelines model list</c> shows them. A model's versions and stage changes are under
/// <c>/api/v1/artifact-names/{name}</c>.
/// </summary>
internal static class ModelsApi
{
    private const string ModelType = "system.Model";

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/models", (MetadataStore store) =>
        {
            var models = store.ListArtifactNames()
                .Where(n => n.KfpType == ModelType)
                .Select(n =>
                {
                    var versions = store.ListArtifactVersions(n.Name);
                    return new ModelSummary(n.Name, n.LatestVersion, versions.Count,
                        versions.FirstOrDefault(v => v.Stage == ModelStage.Production)?.Version,
                        versions.FirstOrDefault(v => v.Stage == ModelStage.Staging)?.Version,
                        n.UpdatedAt);
                })
                .ToList();
            return TypedResults.Json(models, DashboardJson.Default.ListModelSummary);
        });
}

/// <summary>A model as the model list shows it.</summary>
/// <param name="Name">The model's name.</param>
/// <param name="LatestVersion">Its newest version.</param>
/// <param name="Versions">How many versions it has.</param>
/// <param name="Production">The version in production, if one is.</param>
/// <param name="Staging">The version in staging, if one is.</param>
/// <param name="UpdatedAt">When the newest version was made.</param>
internal sealed record ModelSummary(string Name, int LatestVersion, int Versions, int? Production, int? Staging, DateTimeOffset UpdatedAt);
