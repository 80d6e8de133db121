using System.Text.Json;

namespace PipelineSdk.Cli.Tests;

/// <summary>Runs made by real example programs, inspected with the tool — both read the same store.</summary>
public class RunTests
{
    [Test]
    public async Task Runs_show_lists_loop_iterations_and_untaken_branches()
    {
        using var workspace = new Workspace();
        await workspace.Ok("init");
        Assert.That((await workspace.Example("TrainAndDeploy", "--param", "accuracyThreshold=0.99")).Exit, Is.EqualTo(0));

        using var runs = JsonDocument.Parse(await workspace.Ok("runs", "list", "--output", "json"));
        var id = runs.RootElement[0].GetProperty("id").GetString()!;
        using var show = JsonDocument.Parse(await workspace.Ok("runs", "show", id, "--output", "json"));
        var steps = show.RootElement.GetProperty("steps").EnumerateArray().ToDictionary(s => s.GetProperty("task").GetString()!, s => s.GetProperty("status").GetString());
        Assert.That(steps["deploy"], Is.EqualTo("not_triggered"));
        Assert.That(steps["train-model[3]"], Is.EqualTo("completed"));
        Assert.That(steps["notify"], Is.EqualTo("completed"));

        var table = await workspace.Ok("runs", "show", id);
        Assert.That(table, Does.Contain("deploy").And.Contain("not triggered"));
        var lines = table.Split('\n');
        var rows = lines.Where(l => l.StartsWith('│') && l.EndsWith('│')).ToList();
        Assert.That(rows.Select(r => r.Length).Distinct().Count(), Is.EqualTo(1), "no cell wraps: every row is one line\n" + table);
        Assert.That(rows.Single(r => r.Contains(" load-data ", StringComparison.Ordinal)), Does.Contain("Output = (several lines, below) (#"));
        var loadData = show.RootElement.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("task").GetString() == "load-data").GetProperty("outputs").GetProperty("Output");
        var location = Array.IndexOf(lines, $"  #{loadData.GetProperty("id").GetInt64()} load-data.Output (system.Dataset): {loadData.GetProperty("uri").GetString()}");
        Assert.That(location, Is.GreaterThan(0), "each artifact's location is listed below the table\n" + table);
        Assert.That(lines[location + 1], Does.StartWith("      ").And.Contains(","), "a multi-line value follows its location, indented");
        Assert.That(lines.Where(l => l.Contains(id, StringComparison.Ordinal)), Is.Not.Empty);

        var list = (await workspace.Ok("runs", "list")).Split('\n');
        Assert.That(list.Where(l => l.StartsWith('│') && l.EndsWith('│') && l.Contains(id, StringComparison.Ordinal)), Has.Exactly(1).Items,
            "redirected output does not wrap: the run id stays on one line of its row");
    }

    [Test]
    public async Task Runs_show_lists_each_attempt_of_a_retried_step_with_its_error()
    {
        using var workspace = new Workspace();
        await workspace.Ok("init");
        var program = await workspace.TableApp("run", "retried-table");
        Assert.That(program.Exit, Is.EqualTo(0), program.Output + program.Error);

        using var runs = JsonDocument.Parse(await workspace.Ok("runs", "list", "--output", "json"));
        var id = runs.RootElement[0].GetProperty("id").GetString()!;
        var table = await workspace.Ok("runs", "show", id);
        var lines = table.Split('\n').SkipWhile(l => l != "Attempts of write-cities:").Skip(1).Take(3).ToList();
        Assert.That(lines, Has.Count.EqualTo(3), table);
        Assert.That(lines[0], Does.StartWith("  1 failed after ").And.EndWith(": IOException: the table store is busy (attempt 1)"));
        Assert.That(lines[1], Does.StartWith("  2 failed after ").And.EndWith(": IOException: the table store is busy (attempt 2)"));
        Assert.That(lines[2], Does.StartWith("  3 completed after ").And.Not.Contain(":"));

        using var show = JsonDocument.Parse(await workspace.Ok("runs", "show", id, "--output", "json"));
        var attempts = show.RootElement.GetProperty("steps")[0].GetProperty("attempts").EnumerateArray()
            .Select(a => (a.GetProperty("number").GetInt32(), a.GetProperty("outcome").GetString(), a.GetProperty("error").GetString())).ToList();
        Assert.That(attempts, Is.EqualTo(new[]
        {
            (1, "failed", "IOException: the table store is busy (attempt 1)"),
            (2, "failed", "IOException: the table store is busy (attempt 2)"),
            (3, "completed", (string?)null),
        }));
    }

    [Test]
    public async Task Runs_list_show_and_artifacts_read_what_programs_recorded()
    {
        using var workspace = new Workspace();
        await workspace.Ok("init");
        Assert.That((await workspace.Example("QuickStart")).Exit, Is.EqualTo(0));
        Assert.That((await workspace.Example("QuickStart")).Exit, Is.EqualTo(0));

        using var runs = JsonDocument.Parse(await workspace.Ok("runs", "list", "--pipeline", "vertex-example-pipeline", "--output", "json"));
        Assert.That(runs.RootElement.GetArrayLength(), Is.EqualTo(2));
        var latest = runs.RootElement[0].GetProperty("id").GetString()!;
        Assert.That(runs.RootElement[0].GetProperty("stack").GetString(), Is.EqualTo("default"));

        using var show = JsonDocument.Parse(await workspace.Ok("runs", "show", latest, "--output", "json"));
        var steps = show.RootElement.GetProperty("steps").EnumerateArray().ToDictionary(s => s.GetProperty("task").GetString()!);
        Assert.That(steps["get-first-num"].GetProperty("cached").GetBoolean(), Is.True);
        Assert.That(steps["get-random-int"].GetProperty("cached").GetBoolean(), Is.False);
        Assert.That(steps["subtract-numbers"].GetProperty("dependsOn").EnumerateArray().Select(d => d.GetString()), Is.EqualTo(new[] { "get-first-num", "get-random-int" }));
        var firstNum = steps["get-first-num"].GetProperty("outputs").GetProperty("Output");
        Assert.That(firstNum.GetProperty("type").GetString(), Is.EqualTo("int"));

        var table = await workspace.Ok("runs", "show", latest);
        Assert.That(table, Does.Contain("get-first-num").And.Contain("cached").And.Contain("Output = 10"));
        Assert.That(table, Does.Contain("vertex-example-pipeline\n├── get-first-num").Or.Contain("vertex-example-pipeline\n"), "the DAG is drawn as a tree");
        Assert.That(table, Does.Contain("└── subtract-numbers"));

        var artifactId = firstNum.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var artifact = JsonDocument.Parse(await workspace.Ok("artifacts", "show", artifactId, "--output", "json"));
        Assert.That(artifact.RootElement.GetProperty("producer").GetProperty("task").GetString(), Is.EqualTo("get-first-num"));
        Assert.That(artifact.RootElement.GetProperty("consumers").EnumerateArray().Select(c => c.GetProperty("task").GetString()), Is.EqualTo(new[] { "subtract-numbers", "subtract-numbers" }),
            "the first run's artifact was consumed by both runs' subtract-numbers");
        var exported = Path.Combine(workspace.Root, "first-num.json");
        await workspace.Ok("artifacts", "export", artifactId, exported);
        Assert.That(File.ReadAllText(exported), Is.EqualTo("10"));
        Assert.That(await workspace.Fails("artifacts", "export", artifactId, exported), Does.Contain("exists; pass --force to overwrite it"));
        Assert.That(await workspace.Fails("artifacts", "show", "9999"), Is.EqualTo("error: no artifact #9999 (artifact ids are shown by `pipelines runs show RUN`)"));
        Assert.That(await workspace.Fails("runs", "show", "nope"), Is.EqualTo("error: no run 'nope' (see `pipelines runs list`)"));
    }

    [Test]
    public async Task Artifacts_show_their_metadata_and_folders_are_previewed_and_exported_as_folders()
    {
        using var workspace = new Workspace();
        await workspace.Ok("init");
        var run = await workspace.ArtifactsApp("run", "artifact-kinds");
        Assert.That(run.Exit, Is.EqualTo(0), run.Error + run.Output);
        using var runs = JsonDocument.Parse(await workspace.Ok("runs", "list", "--output", "json"));
        using var show = JsonDocument.Parse(await workspace.Ok("runs", "show", runs.RootElement[0].GetProperty("id").GetString()!, "--output", "json"));
        var train = show.RootElement.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("task").GetString() == "train").GetProperty("outputs");
        string Id(string output) => train.GetProperty(output).GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);

        using var metrics = JsonDocument.Parse(await workspace.Ok("artifacts", "show", Id("Metrics"), "--output", "json"));
        var model = await workspace.Ok("artifacts", "show", Id("Model"));
        var exported = Path.Combine(workspace.Root, "model");
        await workspace.Ok("artifacts", "export", Id("Model"), exported);

        var artifact = metrics.RootElement.GetProperty("artifact");
        Assert.That(artifact.GetProperty("kfpType").GetString(), Is.EqualTo("system.Metrics"));
        Assert.That(artifact.GetProperty("metadata").GetProperty("accuracy").GetDouble(), Is.EqualTo(0.75));
        Assert.That(model, Does.Contain("{\"framework\":\"handmade\"}").And.Contain("a folder of 2 files: meta/rows.txt, weights.txt"));
        Assert.That(File.ReadAllText(Path.Combine(exported, "meta", "rows.txt")), Is.EqualTo("3"));
        Assert.That(File.ReadAllText(Path.Combine(exported, "weights.txt")), Is.EqualTo("10 20 30"));
        Assert.That(await workspace.Fails("artifacts", "export", Id("Model"), exported), Does.Contain("exists; pass --force to overwrite it"));
    }

    [Test]
    public async Task Explain_cache_names_the_part_of_the_key_that_changed()
    {
        using var workspace = new Workspace();
        await workspace.Ok("init");
        Assert.That((await workspace.Example("LinearRegression")).Exit, Is.EqualTo(0));
        Assert.That((await workspace.Example("LinearRegression", "--param", "epochs=50")).Exit, Is.EqualTo(0));
        using var runs = JsonDocument.Parse(await workspace.Ok("runs", "list", "--output", "json"));
        var first = runs.RootElement[1].GetProperty("id").GetString()!;
        var second = runs.RootElement[0].GetProperty("id").GetString()!;

        using var hit = JsonDocument.Parse(await workspace.Ok("runs", "explain-cache", second, "generate-data", "--output", "json"));
        Assert.That(hit.RootElement.GetProperty("decision").GetString(), Is.EqualTo("Hit"));
        Assert.That(hit.RootElement.GetProperty("comparedWith").GetProperty("run").GetString(), Is.EqualTo(first));

        using var miss = JsonDocument.Parse(await workspace.Ok("runs", "explain-cache", second, "train", "--output", "json"));
        Assert.That(miss.RootElement.GetProperty("decision").GetString(), Is.EqualTo("Changed"));
        Assert.That(miss.RootElement.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("description").GetString()),
            Has.One.EqualTo("input 'epochs' changed: 500 → 50"), "a pipeline parameter's values are shown, not only their hashes");
        Assert.That(miss.RootElement.GetProperty("changes").GetArrayLength(), Is.EqualTo(1));
        Assert.That(miss.RootElement.GetProperty("changes")[0].GetProperty("before").GetInt32(), Is.EqualTo(500));
        Assert.That(miss.RootElement.GetProperty("changes")[0].GetProperty("after").GetInt32(), Is.EqualTo(50));
        Assert.That(await workspace.Ok("runs", "explain-cache", second, "train"), Does.Contain("  - input 'epochs' changed: 500 → 50\n"));

        var text = await workspace.Ok("runs", "explain-cache", first, "train");
        Assert.That(text, Does.StartWith("Cache miss: no earlier run of 'train' in this pipeline had completed"));
        Assert.That(await workspace.Fails("runs", "explain-cache", second, "nope"), Does.StartWith($"error: run '{second}' has no task 'nope'; its tasks are generate-data, split"));
    }

    [Test]
    public async Task Explain_cache_shows_the_values_of_a_changed_step_output_it_consumed()
    {
        using var workspace = new Workspace();
        await workspace.Ok("init");
        // get-random-int draws 0..10; run until subtract-numbers could not come from the cache (two draws differ).
        string? run = null;
        for (var attempt = 0; attempt < 12 && run is null; attempt++)
        {
            Assert.That((await workspace.Example("QuickStart")).Exit, Is.EqualTo(0));
            using var runs = JsonDocument.Parse(await workspace.Ok("runs", "list", "--output", "json"));
            var latest = runs.RootElement[0].GetProperty("id").GetString()!;
            using var show = JsonDocument.Parse(await workspace.Ok("runs", "show", latest, "--output", "json"));
            var subtract = show.RootElement.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("task").GetString() == "subtract-numbers");
            run = runs.RootElement.GetArrayLength() > 1 && !subtract.GetProperty("cached").GetBoolean() ? latest : null;
        }

        Assert.That(run, Is.Not.Null, "twelve runs drew the same number every time");
        using var explained = JsonDocument.Parse(await workspace.Ok("runs", "explain-cache", run!, "subtract-numbers", "--output", "json"));
        var change = explained.RootElement.GetProperty("changes").EnumerateArray().Single();
        var (before, after) = (change.GetProperty("before").GetInt32(), change.GetProperty("after").GetInt32());
        Assert.That(before, Is.Not.EqualTo(after));
        Assert.That(change.GetProperty("description").GetString(), Is.EqualTo($"input 'randomNum' changed: {before} → {after}"));
    }

    [Test]
    public async Task Programs_follow_the_stack_chosen_by_set_then_the_environment_then_the_flag()
    {
        using var workspace = new Workspace();
        await workspace.Ok("init");
        await workspace.Ok("orchestrator", "register", "processes", "--flavor=local-process");
        await workspace.Ok("stack", "register", "lp", "-o", "processes", "-a", "default", "--set");

        Assert.That((await workspace.Example("QuickStart")).Exit, Is.EqualTo(0));
        workspace.With("PIPELINES_STACK", "default");
        Assert.That((await workspace.Example("QuickStart")).Exit, Is.EqualTo(0));
        Assert.That((await workspace.Example("QuickStart", "--stack", "lp")).Exit, Is.EqualTo(0));

        using var runs = JsonDocument.Parse(await workspace.Ok("runs", "list", "--output", "json"));
        var used = runs.RootElement.EnumerateArray().Reverse().Select(r => (r.GetProperty("stack").GetString(), r.GetProperty("orchestrator").GetString())).ToList();
        Assert.That(used, Is.EqualTo(new[] { ("lp", "local-process"), ("default", "local"), ("lp", "local-process") }));

        var unknown = await workspace.Example("QuickStart", "--stack", "nope");
        Assert.That(unknown.Exit, Is.EqualTo(2));
        Assert.That(unknown.Error.TrimEnd('\n'), Is.EqualTo("error: no stack named 'nope'; stacks: 'default', 'lp' (see `pipelines stack list`) (chosen by --stack)"));
        workspace.With("PIPELINES_STACK", "gone");
        var fromEnvironment = await workspace.Example("QuickStart");
        Assert.That(fromEnvironment.Error.TrimEnd('\n'), Is.EqualTo("error: no stack named 'gone'; stacks: 'default', 'lp' (see `pipelines stack list`) (chosen by PIPELINES_STACK)"));
        Assert.That(await workspace.Fails("stack", "describe"), Does.EndWith("(chosen by PIPELINES_STACK)"), "the tool follows the same rule");
    }
}
