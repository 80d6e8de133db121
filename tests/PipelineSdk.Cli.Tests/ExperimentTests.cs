using System.Text.Json;

namespace PipelineSdk.Cli.Tests;

/// <summary>Logged metadata and experiments, as the tool shows them: runs of the test program's scored pipeline.</summary>
public class ExperimentTests
{
    [Test]
    public async Task Runs_are_filtered_by_logged_metadata_and_experiment_and_compared_side_by_side()
    {
        using var workspace = new Workspace();
        await workspace.Ok("init");
        foreach (var args in new[] { new[] { "--param", "learningRate=0.25" }, ["--param", "learningRate=0.5", "--experiment", "tuning"], ["--param", "learningRate=0.25"] })
        {
            var run = await workspace.ArtifactsApp(["run", "scored-pipeline", .. args]);
            Assert.That(run.Exit, Is.EqualTo(0), run.Output + run.Error);
        }

        using var all = JsonDocument.Parse(await workspace.Ok("runs", "list", "--output", "json"));
        var ids = all.RootElement.EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToList();
        Assert.That(all.RootElement[1].GetProperty("experiment").GetString(), Is.EqualTo("tuning"));
        Assert.That(all.RootElement[1].GetProperty("metadata").GetRawText(), Is.EqualTo("""{"accuracy":1,"trainer":"sgd"}"""));

        Assert.That(Ids(await workspace.Ok("runs", "list", "--where", "accuracy>0.9", "--output", "json")), Is.EqualTo(new[] { ids[1] }));
        Assert.That(Ids(await workspace.Ok("runs", "list", "--where", "accuracy<=0.75", "--where", "trainer=sgd", "--output", "json")), Is.EqualTo(new[] { ids[0], ids[2] }));
        Assert.That(Ids(await workspace.Ok("runs", "list", "--experiment", "scored", "--output", "json")), Is.EqualTo(new[] { ids[0], ids[2] }));
        var table = await workspace.Ok("runs", "list", "--where", "accuracy>0.9");
        Assert.That(table, Does.Contain("EXPERIMENT").And.Contain("accuracy=1, trainer=sgd"));

        using var experiments = JsonDocument.Parse(await workspace.Ok("experiments", "list", "--output", "json"));
        Assert.That(experiments.RootElement.EnumerateArray().Select(e => (e.GetProperty("name").GetString(), e.GetProperty("runs").GetInt32())),
            Is.EqualTo(new[] { ("scored", 2), ("tuning", 1) }));

        using var compared = JsonDocument.Parse(await workspace.Ok("experiments", "compare", ids[0], ids[1], "--output", "json"));
        var runs = compared.RootElement.GetProperty("runs");
        Assert.That(runs[0].GetProperty("parameters").GetProperty("learningRate").GetDouble(), Is.EqualTo(0.25));
        Assert.That(runs[1].GetProperty("metadata").GetProperty("accuracy").GetDouble(), Is.EqualTo(1));
        Assert.That(runs[0].GetProperty("metrics").GetProperty("train-scored.accuracy").GetDouble(), Is.EqualTo(0.75), "a Metrics artifact's values");
        Assert.That(runs[0].GetProperty("metrics").GetProperty("train-scored.epochs").GetInt32(), Is.EqualTo(3), "what a step logged for its step run");
        Assert.That(runs[0].GetProperty("steps").GetProperty("train-scored").GetString(), Is.EqualTo("cached"), "the newest run reused the first one's training");
        Assert.That(runs[1].GetProperty("steps").GetProperty("train-scored").GetString(), Is.EqualTo("ran"));
        Assert.That(compared.RootElement.GetProperty("differences").EnumerateArray().Select(d => d.GetString()),
            Is.SupersetOf(new[] { "parameter:learningRate", "metadata:accuracy", "step:train-scored" }).And.Not.Contains("metadata:trainer"));

        var side = await workspace.Ok("experiments", "compare", "--experiment", "scored");
        var rows = side.Split('\n').Where(l => l.StartsWith('│')).ToList();
        Assert.That(rows[0], Does.Contain(ids[0]).And.Contain(ids[2]));
        Assert.That(rows.Single(r => r.Contains(" train-scored ", StringComparison.Ordinal)), Does.Contain("cached").And.Contain("ran"));

        var show = await workspace.Ok("runs", "show", ids[1]);
        Assert.That(show, Does.Contain("Experiment: tuning").And.Contain("Metadata: accuracy=1, trainer=sgd")
            .And.Contain("Metadata of train-scored: epochs=3, per-class=(table 2×2), report=https://example.com/reports/1"));
    }

    [TestCase(new[] { "runs", "list", "--where", "accuracy" }, "error: --where 'accuracy' has no operator; write KEY OP VALUE with OP one of > >= < <= = != (e.g. accuracy>0.9 or model=lightgbm)")]
    [TestCase(new[] { "runs", "list", "--where", "accuracy=>0.9" }, "error: --where 'accuracy=>0.9' has more than one operator; write KEY OP VALUE with OP one of > >= < <= = != (e.g. accuracy>0.9 or model=lightgbm)")]
    [TestCase(new[] { "experiments", "compare", "only-one" }, "error: no run 'only-one' (see `pipelines runs list`)")]
    [TestCase(new[] { "experiments", "compare" }, "error: give at least two runs to compare: `pipelines experiments compare RUN RUN ...` (or --experiment NAME)")]
    [TestCase(new[] { "experiments", "compare", "--experiment", "none" }, "error: experiment 'none' has 0 runs; comparing needs two (see `pipelines experiments list`)")]
    public async Task Mistakes_are_one_line(string[] args, string error)
    {
        using var workspace = new Workspace();
        await workspace.Ok("init");

        Assert.That(await workspace.Fails(args), Is.EqualTo(error));
    }

    [Test]
    public async Task A_run_in_an_invalid_experiment_is_a_usage_error()
    {
        using var workspace = new Workspace();
        await workspace.Ok("init");

        var run = await workspace.ArtifactsApp("run", "scored-pipeline", "--experiment", "Churn_Model");

        Assert.That(run.Exit, Is.EqualTo(2));
        Assert.That(run.Error.Trim(), Is.EqualTo("error: --experiment 'Churn_Model' may use only lower-case letters, digits and '-', and must start with a letter or digit (e.g. churn-model)"));
    }

    private static List<string> Ids(string json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(r => r.GetProperty("id").GetString()!)];
    }
}
