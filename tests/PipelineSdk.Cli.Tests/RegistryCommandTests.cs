using System.Text.Json;

namespace PipelineSdk.Cli.Tests;

/// <summary><c>pipelines artifacts versions|tag</c> and <c>pipelines model</c> over what a real program recorded.</summary>
public class RegistryCommandTests
{
    [Test]
    public async Task Versions_tags_and_promotions_read_and_change_what_the_program_recorded()
    {
        using var workspace = new Workspace();
        await workspace.Ok("init");
        foreach (var quality in new[] { "0.8", "0.7" })
        {
            var run = await workspace.RegistryApp("run", "train-and-promote", "--param", "quality=" + quality);
            Assert.That(run.Exit, Is.EqualTo(0), run.Output + run.Error);
        }

        var list = await workspace.Ok("model", "list");
        Assert.That(list, Does.Contain("churn-model").And.Contain("PRODUCTION"));
        Assert.That(list, Does.Not.Contain("churn-data"), "a named dataset is no model");
        using (var models = JsonDocument.Parse(await workspace.Ok("model", "list", "--output", "json")))
        {
            var model = models.RootElement.EnumerateArray().Single();
            Assert.That((model.GetProperty("latestVersion").GetInt32(), model.GetProperty("production").GetInt32()), Is.EqualTo((2, 1)));
            Assert.That(model.GetProperty("staging").ValueKind, Is.EqualTo(JsonValueKind.Null));
        }

        Assert.That(await workspace.Ok("artifacts", "tag", "churn-model", "2", "reviewed"), Does.Contain("Tagged churn-model version 2 'reviewed'"));
        Assert.That(await workspace.Ok("model", "promote", "churn-model", "2", "--stage", "production"),
            Is.EqualTo("churn-model version 1: production -> archived\nchurn-model version 2: none -> production\n"));

        using var versions = JsonDocument.Parse(await workspace.Ok("model", "versions", "churn-model", "--output", "json"));
        var rows = versions.RootElement.GetProperty("versions").EnumerateArray().ToList();
        Assert.That(rows.Select(r => (r.GetProperty("version").GetInt32(), r.GetProperty("stage").GetString())), Is.EqualTo(new[] { (2, "production"), (1, "archived") }));
        Assert.That(rows[0].GetProperty("tags").EnumerateArray().Select(t => t.GetString()), Is.EqualTo(new[] { "candidate", "reviewed" }));
        Assert.That(rows[0].GetProperty("artifact").GetProperty("metadata").GetProperty("accuracy").GetDouble(), Is.EqualTo(0.7));
        var changes = versions.RootElement.GetProperty("stageChanges").EnumerateArray().ToList();
        Assert.That(changes.Select(c => (c.GetProperty("version").GetInt32(), c.GetProperty("to").GetString())),
            Is.EqualTo(new[] { (1, "production"), (1, "archived"), (2, "production") }), "the program's promotion, then ours");
        Assert.That(changes.Select(c => c.GetProperty("by").GetString()), Is.All.EqualTo(Environment.UserName));

        var table = await workspace.Ok("artifacts", "versions", "churn-data");
        Assert.That(table, Does.Contain("system.Dataset"));
    }

    [Test]
    public async Task Unknown_models_versions_and_stages_are_one_line_errors()
    {
        using var workspace = new Workspace();
        await workspace.Ok("init");
        var run = await workspace.RegistryApp("run", "train-and-promote");
        Assert.That(run.Exit, Is.EqualTo(0), run.Output + run.Error);

        Assert.That(await workspace.Fails("model", "versions", "nope"), Is.EqualTo("error: there is no model 'nope'; `pipelines model list` shows the models"));
        Assert.That(await workspace.Fails("model", "promote", "nope", "1", "--stage", "production"), Does.Contain("no model 'nope'"));
        Assert.That(await workspace.Fails("model", "promote", "churn-model", "9", "--stage", "production"), Does.Contain("has no version 9"));
        Assert.That(await workspace.Fails("model", "promote", "churn-model", "1", "--stage", "gold"), Is.EqualTo("error: 'gold' is not a stage; use none, staging, production or archived"));
        Assert.That(await workspace.Fails("model", "promote", "churn-data", "1", "--stage", "production"), Does.Contain("not a model"));
        Assert.That(await workspace.Fails("artifacts", "versions", "nope"), Does.StartWith("error: no artifact is named 'nope'"));
        Assert.That(await workspace.Fails("artifacts", "tag", "churn-model", "5", "x"), Does.Contain("has no version 5"));
        Assert.That(await workspace.Fails("artifacts", "tag", "churn-model", "1", "latest"), Does.Contain("cannot be a tag"));
    }
}
