using System.Text.Json;
using PipelineSdk.Hosting;
using PipelineSdk.Store;

namespace PipelineSdk.Tests;

/// <summary>--dry-run predicts which steps the cache serves and why the others run; the run that follows does what it said.</summary>
[NonParallelizable]
public class DryRunTests
{
    [Test]
    public async Task A_dry_run_records_nothing_and_the_real_run_does_what_it_predicted()
    {
        using var store = new TempStore();

        var first = await Plan(store, "run", "branch-pipeline");
        Assert.That(first["roll"].Forecast, Is.EqualTo("runs"));
        Assert.That(first["roll"].Reason, Is.EqualTo("no earlier run of it in this pipeline to reuse"));
        Assert.That(first.Values.Where(t => t.Forecast == "decided_at_run_time").Select(t => t.Reason), Has.Some.EqualTo("it takes the outcome of 'roll', which runs first"));
        using (var records = store.Open())
        {
            Assert.That(records.ListRuns(), Is.Empty, "a dry run records nothing");
        }

        Assert.That((await ProgramTests.RunApp(store, "run", "branch-pipeline")).Exit, Is.EqualTo(PipelineApp.Success));
        var second = await Plan(store, "run", "branch-pipeline");
        Assert.That(second["roll"].Forecast, Is.EqualTo("cached"));
        Assert.That(second["roll"].Reason, Does.Match("^same cache key as step run [0-9]+ \\(run branch-pipeline-[0-9-a-f]+\\), whose outputs still exist$"));
        Assert.That(second.Values.Select(t => t.Forecast), Has.Some.EqualTo("not_triggered"), "conditions on cached outputs are evaluated");
        Assert.That(second.Values.Select(t => t.Forecast), Has.None.EqualTo("decided_at_run_time"), "with roll cached, every task is predicted");

        Assert.That((await ProgramTests.RunApp(store, "run", "branch-pipeline")).Exit, Is.EqualTo(PipelineApp.Success));
        using (var records = store.Open())
        {
            var run = records.ListRuns()[0];
            var actual = records.GetStepRuns(run.Id).ToDictionary(s => s.TaskKey, s => s.Status);
            Assert.That(actual.Keys, Is.EquivalentTo(second.Keys));
            foreach (var (task, prediction) in second)
            {
                var expected = prediction.Forecast switch { "cached" => StepStatus.Cached, "runs" => StepStatus.Completed, _ => StepStatus.NotTriggered };
                Assert.That(actual[task], Is.EqualTo(expected), $"{task} was predicted {prediction.Forecast}: {prediction.Reason}");
            }
        }

        var changed = await Plan(store, "run", "branch-pipeline", "--param", "value=7");
        Assert.That(changed["roll"].Forecast, Is.EqualTo("runs"));
        Assert.That(changed["roll"].Reason, Is.EqualTo("its cache key changed: input 'value' changed: 4 → 7"));
    }

    [Test]
    public async Task A_dry_run_table_says_why_and_how_many()
    {
        using var store = new TempStore();

        var (exit, output, error) = await ProgramTests.RunApp(store, "run", "branch-pipeline", "--dry-run", "--no-cache");

        Assert.That(exit, Is.EqualTo(PipelineApp.Success), error);
        Assert.That(output, Does.Contain("│ roll ").And.Contain("caching is off for it (EnableCache = false on the step or pipeline, or --no-cache)"));
        Assert.That(output, Does.Match("Dry run of branch-pipeline \\(local\\): 1 runs, [0-9]+ decided at run time. Nothing ran and nothing was recorded.\\n"));
    }

    private static async Task<Dictionary<string, (string Forecast, string Reason)>> Plan(TempStore store, params string[] args)
    {
        var (exit, output, error) = await ProgramTests.RunApp(store, [.. args, "--dry-run", "--output", "json"]);
        Assert.That(exit, Is.EqualTo(PipelineApp.Success), error);
        using var plan = JsonDocument.Parse(output);
        return plan.RootElement.GetProperty("tasks").EnumerateArray().ToDictionary(
            t => t.GetProperty("task").GetString()!, t => (t.GetProperty("forecast").GetString()!, t.GetProperty("reason").GetString()!));
    }
}
