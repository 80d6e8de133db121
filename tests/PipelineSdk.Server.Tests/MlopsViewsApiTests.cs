using System.Net;
using System.Text.Json;
using PipelineSdk.Server.Security;
using PipelineSdk.Server.Tests.Fixtures;
using PipelineSdk.Store;

namespace PipelineSdk.Server.Tests;

/// <summary>
/// What the dashboard's MLOps pages read: runs of an experiment side by side (<c>/api/v1/run-comparison</c>), the run list filtered
/// by experiment, the models with their stages (<c>/api/v1/models</c>) and the named versions an artifact is
/// (<c>/api/v1/artifacts/{id}/versions</c>) — recorded through a real client of a real server, read with a read token.
/// </summary>
public sealed class MlopsViewsApiTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task Runs_of_an_experiment_compare_side_by_side_with_their_differences()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.Client();
        RecordTraining(client, "run-a", 0.1, accuracy: 0.81, cacheFrom: null);
        RecordTraining(client, "run-b", 0.3, accuracy: 0.87, cacheFrom: "run-a");
        client.LogRunMetadata("run-a", """{"baseline":true}""");
        client.CreateRun("other", "report", Start.AddHours(1), "{}", "local");
        using var http = server.Http(server.Token(TokenRole.Read));

        using var body = JsonDocument.Parse(await http.GetStringAsync("api/v1/run-comparison?run=run-b&run=run-a"));
        var runs = body.RootElement.GetProperty("runs").EnumerateArray().ToList();
        Assert.That(runs.Select(r => r.GetProperty("id").GetString()), Is.EqualTo(new[] { "run-b", "run-a" }), "in the order asked");
        Assert.That(runs.Select(r => r.GetProperty("experiment").GetString()), Is.All.EqualTo("churn"));
        var rows = body.RootElement.GetProperty("rows").EnumerateArray()
            .ToDictionary(r => $"{r.GetProperty("section").GetString()}:{r.GetProperty("key").GetString()}");
        Assert.That(Cells(rows["parameter:learningRate"]), Is.EqualTo(new[] { "0.3", "0.1" }));
        Assert.That(rows["parameter:learningRate"].GetProperty("differs").GetBoolean(), Is.True);
        Assert.That(Cells(rows["parameter:epochs"]), Is.EqualTo(new[] { "5", "5" }));
        Assert.That(rows["parameter:epochs"].GetProperty("differs").GetBoolean(), Is.False);
        Assert.That(Cells(rows["metadata:accuracy"]), Is.EqualTo(new[] { "0.87", "0.81" }));
        Assert.That(Cells(rows["metadata:trainer"]), Is.EqualTo(new[] { "\"sgd\"", "\"sgd\"" }));
        Assert.That(Cells(rows["metadata:baseline"]), Is.EqualTo(new[] { "null", "true" }), "a run without the key has no value");
        Assert.That(rows["metadata:baseline"].GetProperty("differs").GetBoolean(), Is.True);
        Assert.That(Cells(rows["metric:train.epochs-run"]), Is.EqualTo(new[] { "5", "5" }), "what the step logged for its step run");
        Assert.That(Cells(rows["metric:evaluate.auc"]), Is.EqualTo(new[] { "0.9", "0.9" }), "the Metrics artifact's values");
        Assert.That(Cells(rows["step:prepare"]), Is.EqualTo(new[] { "\"cached\"", "\"ran\"" }));
        Assert.That(rows["step:prepare"].GetProperty("differs").GetBoolean(), Is.True);

        using var summaries = JsonDocument.Parse(await http.GetStringAsync("api/v1/run-summaries?experiment=churn"));
        Assert.That(summaries.RootElement.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("id").GetString()), Is.EquivalentTo(new[] { "run-a", "run-b" }));
        Assert.That(summaries.RootElement.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("experiment").GetString()), Is.All.EqualTo("churn"));
        Assert.That(summaries.RootElement.GetProperty("experiments").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "churn" }));

        await AssertRefused(http, "api/v1/run-comparison?run=run-a", HttpStatusCode.BadRequest, "give 2 to 20 runs to compare");
        await AssertRefused(http, "api/v1/run-comparison?run=run-a&run=run-a", HttpStatusCode.BadRequest, "got 1");
        await AssertRefused(http, "api/v1/run-comparison?run=run-a&run=nope", HttpStatusCode.NotFound, "run 'nope'");
    }

    [Test]
    public async Task Models_show_their_latest_production_and_staging_versions_and_an_artifact_knows_its_version()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.Client(server.Token(TokenRole.Write, "release-bot"));
        var first = ProduceNamed(client, "train-1", "churn-model", "system.Model", """{"accuracy":0.8}""", ["candidate"]);
        ProduceNamed(client, "train-2", "churn-model", "system.Model", """{"accuracy":0.9}""", null);
        ProduceNamed(client, "train-3", "churn-model", "system.Model", """{"accuracy":0.7}""", null);
        var data = ProduceNamed(client, "data-1", "churn-data", "system.Dataset", "{}", null);
        client.CreateRun("plain", "train", Start, "{}", "local");
        var plainStep = client.StartStepRun("plain", "train", "train", Start, null, null);
        var plain = client.FinishStepRun(plainStep, StepStatus.Completed, Start, null, [], [new NewArtifact("Output", "file:///plain", "system.Model", "Model", 1, "p")])["Output"];
        client.SetModelStage("churn-model", 1, ModelStage.Production, keepOthers: false, "ignored", Start.AddHours(1));
        client.SetModelStage("churn-model", 2, ModelStage.Production, keepOthers: false, "ignored", Start.AddHours(2));
        client.SetModelStage("churn-model", 3, ModelStage.Staging, keepOthers: false, "ignored", Start.AddHours(3));
        using var http = server.Http(server.Token(TokenRole.Read));

        using var models = JsonDocument.Parse(await http.GetStringAsync("api/v1/models"));
        var model = models.RootElement.EnumerateArray().Single();
        Assert.That(model.GetProperty("name").GetString(), Is.EqualTo("churn-model"), "the named data set is not a model");
        Assert.That(model.GetProperty("latestVersion").GetInt32(), Is.EqualTo(3));
        Assert.That(model.GetProperty("versions").GetInt32(), Is.EqualTo(3));
        Assert.That(model.GetProperty("production").GetInt32(), Is.EqualTo(2));
        Assert.That(model.GetProperty("staging").GetInt32(), Is.EqualTo(3));

        using var versions = JsonDocument.Parse(await http.GetStringAsync($"api/v1/artifacts/{first.Id}/versions"));
        var version = versions.RootElement.EnumerateArray().Single();
        Assert.That(version.GetProperty("name").GetString(), Is.EqualTo("churn-model"));
        Assert.That(version.GetProperty("version").GetInt32(), Is.EqualTo(1));
        Assert.That(version.GetProperty("stage").GetString(), Is.EqualTo("Archived"), "version 2's promotion archived it");
        Assert.That(version.GetProperty("tags").EnumerateArray().Select(t => t.GetString()), Is.EqualTo(new[] { "candidate" }));
        Assert.That(version.GetProperty("runId").GetString(), Is.EqualTo("train-1"));
        using var dataVersions = JsonDocument.Parse(await http.GetStringAsync($"api/v1/artifacts/{data.Id}/versions"));
        Assert.That(dataVersions.RootElement.EnumerateArray().Single().GetProperty("name").GetString(), Is.EqualTo("churn-data"));
        Assert.That(await http.GetStringAsync($"api/v1/artifacts/{plain.Id}/versions"), Is.EqualTo("[]"), "an unnamed artifact is no version");
        await AssertRefused(http, "api/v1/artifacts/9999/versions", HttpStatusCode.NotFound, "artifact 9999");

        using var changes = JsonDocument.Parse(await http.GetStringAsync("api/v1/artifact-names/churn-model/stage-changes"));
        Assert.That(changes.RootElement.EnumerateArray().Select(c => c.GetProperty("changedBy").GetString()), Is.All.EqualTo("release-bot"),
            "the model page says who: the token that promoted, whatever the client said");
    }

    // A training run of experiment churn: prepare (cached from another run when asked), train (logs step metadata), evaluate (a Metrics artifact).
    private static void RecordTraining(MetadataStore store, string runId, double learningRate, double accuracy, string? cacheFrom)
    {
        var parameters = string.Create(System.Globalization.CultureInfo.InvariantCulture, $$"""{"learningRate":{{learningRate}},"epochs":5}""");
        store.CreateRun(runId, "train", Start, parameters, "local", experiment: "churn");
        var prepare = store.StartStepRun(runId, "prepare", "prepare", Start, "prepare-key", null);
        if (cacheFrom is null)
        {
            store.FinishStepRun(prepare, StepStatus.Completed, Start, null, [], [new NewArtifact("Output", $"file:///{runId}/prepare", "system.Dataset", "Dataset", 1, "prepared")]);
        }
        else
        {
            store.FinishStepRun(prepare, StepStatus.Cached, Start, null, [], [], store.FindCachedStepRun("train", "prepare-key"));
        }

        var train = store.StartStepRun(runId, "train", "train", Start, null, null);
        store.LogStepRunMetadata(train, """{"epochs-run":5}""");
        store.LogRunMetadata(runId, string.Create(System.Globalization.CultureInfo.InvariantCulture, $$"""{"accuracy":{{accuracy}},"trainer":"sgd"}"""), train);
        store.FinishStepRun(train, StepStatus.Completed, Start, null, [], [new NewArtifact("Output", $"file:///{runId}/model", "system.Model", "Model", 1, $"model-{runId}")]);
        var evaluate = store.StartStepRun(runId, "evaluate", "evaluate", Start, null, null);
        store.FinishStepRun(evaluate, StepStatus.Completed, Start, null, [], [new NewArtifact("Metrics", $"file:///{runId}/metrics", "system.Metrics", "Metrics", 1, $"metrics-{runId}", """{"auc":0.9}""")]);
        store.EndRun(runId, RunStatus.Completed, Start.AddMinutes(1), null);
    }

    private static ArtifactRecord ProduceNamed(MetadataStore store, string runId, string name, string kfpType, string metadataJson, IReadOnlyList<string>? tags)
    {
        store.CreateRun(runId, "train", Start, "{}", "local");
        var step = store.StartStepRun(runId, "train", "train", Start, null, null);
        return store.FinishStepRun(step, StepStatus.Completed, Start, null, [],
            [new NewArtifact("Output", $"file:///{runId}/Output", kfpType, "Model", 1, $"hash-{runId}", metadataJson, name, tags)])["Output"];
    }

    private static string[] Cells(JsonElement row) =>
        [.. row.GetProperty("values").EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? "null" : v.GetRawText())];

    private static async Task AssertRefused(HttpClient http, string path, HttpStatusCode status, string detail)
    {
        using var response = await http.GetAsync(path);
        Assert.That(response.StatusCode, Is.EqualTo(status), path);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(problem.RootElement.GetProperty("detail").GetString(), Does.Contain(detail), path);
    }
}
