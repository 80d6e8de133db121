using System.Text.Json;

namespace PipelineSdk.Cli.Tests;

/// <summary>
/// The README's walk through examples/TrainAndDeploy: each run registers its best model as a version of <c>classifier</c>,
/// promotes it only when it beats production on the same test set, and the tool shows what happened.
/// </summary>
public class TrainAndDeployRegistryTests
{
    [Test]
    public async Task Runs_register_candidates_promote_only_a_better_one_and_are_compared_in_their_experiment()
    {
        using var workspace = new Workspace();
        await workspace.Ok("init");

        var first = await workspace.Example("TrainAndDeploy");
        Assert.That(first.Exit, Is.EqualTo(0), first.Output + first.Error);
        Assert.That(first.Output, Does.Contain("vs no model in production (bar 0.9): deploy."));
        var afterFirst = await Versions(workspace);
        Assert.That(afterFirst.Select(v => (v.Version, v.Stage)), Is.EqualTo(new[] { (1, "production") }),
            "deploy's promoting output is the model pick-best registered: one version, promoted");

        // The same model again, its steps run as child processes: nothing new is registered and production stays.
        var again = await workspace.Example("TrainAndDeploy", "--orchestrator", "local-process", "--no-cache", "--follow-logs");
        Assert.That(again.Exit, Is.EqualTo(0), again.Output + again.Error);
        Assert.That(again.Output, Does.Match(@"Candidate accuracy ([0-9.]+) vs production \1 \(bar 0\.9\): keep production\."));
        var afterSame = await Versions(workspace);
        Assert.That(afterSame.Select(v => (v.Version, v.Stage)), Is.EqualTo(new[] { (2, "none"), (1, "production") }),
            "a step that ran makes a new version even when its content is the same; only a promoting output reuses one");

        // Fewer epochs: a worse candidate is registered but not promoted.
        var worse = await workspace.Example("TrainAndDeploy", "--param", "epochs=3");
        Assert.That(worse.Exit, Is.EqualTo(0), worse.Output + worse.Error);
        Assert.That(worse.Output, Does.Contain("keep production").And.Not.Contain("Deploying"));
        var afterWorse = await Versions(workspace);
        Assert.That(afterWorse.Select(v => (v.Version, v.Stage)), Is.EqualTo(new[] { (3, "none"), (2, "none"), (1, "production") }));
        Assert.That(afterWorse[0].Accuracy, Is.LessThan(afterWorse[2].Accuracy), "the version's metadata has the accuracy pick-best logged");

        var runs = JsonDocument.Parse(await workspace.Ok("runs", "list", "--experiment", "train-and-deploy", "--output", "json")).RootElement
            .EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToList();
        Assert.That(runs, Has.Count.EqualTo(3), "every run is in the pipeline's experiment");
        Assert.That(afterWorse.Select(v => v.Run), Is.EqualTo(runs), "each version names the run that made it");

        var history = await workspace.Ok("model", "versions", "classifier");
        Assert.That(history, Does.Contain($"version 1: none -> production by run {runs[2]}"), "the promotion is recorded as made by the first run");

        using var compared = JsonDocument.Parse(await workspace.Ok("experiments", "compare", "--experiment", "train-and-deploy", "--output", "json"));
        var columns = compared.RootElement.GetProperty("runs").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!);
        Assert.That(columns[runs[2]].GetProperty("steps").GetProperty("deploy").GetString(), Is.EqualTo("ran"));
        Assert.That(columns[runs[0]].GetProperty("steps").GetProperty("deploy").GetString(), Is.EqualTo("not triggered"));
        Assert.That(columns[runs[0]].GetProperty("parameters").GetProperty("epochs").GetInt32(), Is.EqualTo(3));
        Assert.That(columns[runs[2]].GetProperty("metrics").TryGetProperty("beats-production.productionAccuracy", out _), Is.False,
            "the first run had no production model to measure");
        Assert.That(columns[runs[0]].GetProperty("metrics").GetProperty("beats-production.productionAccuracy").GetDouble(), Is.EqualTo(afterWorse[2].Accuracy));
        Assert.That(compared.RootElement.GetProperty("differences").EnumerateArray().Select(d => d.GetString()),
            Is.SupersetOf(new[] { "parameter:epochs", "metadata:accuracy", "step:deploy", "metric:beats-production.productionAccuracy" }));
        var table = await workspace.Ok("experiments", "compare", "--experiment", "train-and-deploy");
        Assert.That(table, Does.Contain("beats-production.productionAccuracy"));
    }

    private static async Task<List<(int Version, string Stage, string Run, double Accuracy)>> Versions(Workspace workspace)
    {
        using var versions = JsonDocument.Parse(await workspace.Ok("model", "versions", "classifier", "--output", "json"));
        return versions.RootElement.GetProperty("versions").EnumerateArray().Select(v => (
            v.GetProperty("version").GetInt32(),
            v.GetProperty("stage").GetString()!,
            v.GetProperty("run").GetString()!,
            v.GetProperty("artifact").GetProperty("metadata").GetProperty("accuracy").GetDouble())).ToList();
    }
}
