using System.Text.Json;
using System.Text.RegularExpressions;
using PipelineSdk.Hosting;
using PipelineSdk.Orchestration;

namespace PipelineSdk.Tests;

/// <summary>A run shows each task's state as it changes: as timestamped lines when output is redirected, as JSON lines with --output json.</summary>
[NonParallelizable]
public partial class RunProgressTests
{
    [Test]
    public async Task Redirected_output_gets_timestamped_lines_in_order_and_a_retried_step_shows_its_attempt()
    {
        using var store = new TempStore();
        SettingsPipelines.Reset(failuresBeforeSuccess: 1);

        var (exit, output, error) = await ProgramTests.RunApp(store, "run", "flaky-pipeline");

        Assert.That(exit, Is.EqualTo(PipelineApp.Success), error);
        var lines = ProgressLines(output);
        Assert.That(lines[0], Does.Match("^run flaky-pipeline-[0-9]{8}-[0-9]{6}-[0-9a-f]{6} of flaky-pipeline started$"));
        Assert.That(States(lines, "flaky"), Is.EqualTo(new[] { "queued", "running", "retrying (attempt 2/4): InvalidOperationException: attempt 1 failed", "done" }));
        Assert.That(States(lines, "after-flaky"), Is.EqualTo(new[] { "queued", "running", "done" }));
        Assert.That(lines.IndexOf(lines.First(l => l.StartsWith("flaky done", StringComparison.Ordinal))),
            Is.LessThan(lines.IndexOf("after-flaky running")), "a task runs after the one it depends on is done");
        Assert.That(output, Does.Contain("╭").And.Contain("flaky (A flaky download)"), "the summary table still follows");
    }

    [Test]
    public async Task Cached_and_not_triggered_tasks_say_so()
    {
        using var store = new TempStore();

        Assert.That((await ProgramTests.RunApp(store, "run", "branch-pipeline")).Exit, Is.EqualTo(PipelineApp.Success));
        var (exit, output, error) = await ProgramTests.RunApp(store, "run", "branch-pipeline");

        Assert.That(exit, Is.EqualTo(PipelineApp.Success), error);
        var lines = ProgressLines(output);
        Assert.That(States(lines, "roll"), Is.EqualTo(new[] { "queued", "cached" }));
        Assert.That(lines.Where(l => l.Contains(" not triggered: the condition of ", StringComparison.Ordinal)), Is.Not.Empty, output);
    }

    [Test]
    public void Plain_lines_name_the_tasks_still_running_when_output_has_been_quiet_for_a_while()
    {
        using var output = new StringWriter();
        var lines = new PipelineSdk.Hosting.ProgressLines(output);
        var start = DateTimeOffset.Now;
        lines.TaskChanged(new TaskProgress("train[0]", TaskState.Running, start));
        lines.TaskChanged(new TaskProgress("train[1]", TaskState.Running, start.AddSeconds(5)));
        lines.TaskChanged(new TaskProgress("load", TaskState.Done, start.AddSeconds(6)) { Duration = TimeSpan.FromSeconds(3) });

        Assert.That(lines.RemindIfQuiet(start.AddSeconds(20)), Is.False, "output was not quiet for long enough");
        Assert.That(lines.RemindIfQuiet(start.AddSeconds(6) + PipelineSdk.Hosting.ProgressLines.QuietInterval + TimeSpan.FromSeconds(65)), Is.True);
        var reminder = output.ToString().TrimEnd().Split('\n')[^1];
        Assert.That(reminder, Does.EndWith("still running: train[0] (1:41), train[1] (1:36)"));

        lines.TaskChanged(new TaskProgress("train[0]", TaskState.Done, start.AddSeconds(200)) { Duration = TimeSpan.FromSeconds(200) });
        lines.TaskChanged(new TaskProgress("train[1]", TaskState.Failed, start.AddSeconds(201)) { Detail = "boom" });
        Assert.That(lines.RemindIfQuiet(start.AddHours(1)), Is.False, "nothing runs any more");
    }

    [Test]
    public async Task Output_json_writes_one_event_per_line_and_ends_with_the_run()
    {
        using var store = new TempStore();
        SettingsPipelines.Reset(failuresBeforeSuccess: 1);

        var (exit, output, error) = await ProgramTests.RunApp(store, "run", "flaky-pipeline", "--output", "json");

        Assert.That(exit, Is.EqualTo(PipelineApp.Success), error);
        var events = output.TrimEnd('\n').Split('\n').Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.That(events[0].GetProperty("event").GetString(), Is.EqualTo("run-started"));
        var flaky = events.Where(e => e.GetProperty("event").GetString() == "task" && e.GetProperty("task").GetString() == "flaky").ToList();
        Assert.That(flaky.Select(e => e.GetProperty("state").GetString()), Is.EqualTo(new[] { "queued", "running", "retrying", "done" }));
        Assert.That(flaky[2].GetProperty("attempt").GetInt32(), Is.EqualTo(2));
        Assert.That(flaky[2].GetProperty("maxAttempts").GetInt32(), Is.EqualTo(4));
        Assert.That(flaky[3].GetProperty("durationMs").GetDouble(), Is.GreaterThan(0));
        var end = events[^1];
        Assert.That(end.GetProperty("event").GetString(), Is.EqualTo("run-ended"));
        Assert.That(end.GetProperty("status").GetString(), Is.EqualTo("completed"));
        Assert.That(end.GetProperty("run").GetString(), Is.EqualTo(events[0].GetProperty("run").GetString()));
        var afterFlaky = end.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("task").GetString() == "after-flaky");
        Assert.That(afterFlaky.GetProperty("outputs").GetProperty("Output").GetInt32(), Is.EqualTo(20));
        Assert.That(events.All(e => e.TryGetProperty("time", out _)), Is.True);
    }

    [Test]
    public async Task Follow_logs_prints_each_step_process_line_prefixed_by_its_task()
    {
        using var store = new TempStore();

        var result = await ExampleProgram.QuickStart.RunAsync(store, "--orchestrator", "local-process", "--follow-logs");

        Assert.That(result.Exit, Is.EqualTo(0), result.Error + result.Output);
        var lines = ProgressLines(result.Output);
        Assert.That(lines, Has.Some.Match(@"^get-first-num \| Step 'get-first-num' of pipeline 'vertex-example-pipeline' completed"));
        Assert.That(lines, Has.Some.Match(@"^subtract-numbers \| "));
        Assert.That(lines.IndexOf(lines.First(l => l.StartsWith("subtract-numbers | ", StringComparison.Ordinal))),
            Is.LessThan(lines.IndexOf(lines.First(l => l.StartsWith("subtract-numbers done", StringComparison.Ordinal)))));
    }

    [Test]
    public async Task Redirected_output_does_not_wrap_tables_or_ids_at_80_columns()
    {
        using var store = new TempStore();

        var result = await ExampleProgram.TrainAndDeploy.RunAsync(store, "--param", "accuracyThreshold=0.99");

        Assert.That(result.Exit, Is.EqualTo(0), result.Error + result.Output);
        var rows = result.Output.Split('\n').Where(l => l.StartsWith('│')).ToList();
        Assert.That(rows, Has.Some.Contains("train-model[3]"), result.Output);
        Assert.That(rows.Select(r => r.Length).Distinct().Count(), Is.EqualTo(1), "every row is one line of the same width");
        Assert.That(rows.Max(r => r.Length), Is.GreaterThan(80), "the table is as wide as its content, not cut to 80 columns");
    }

    [Test]
    public async Task The_live_view_redraws_one_row_per_task_and_prints_notes_above_it()
    {
        var writer = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Out = new Spectre.Console.AnsiConsoleOutput(writer),
            Ansi = Spectre.Console.AnsiSupport.Yes,
            Interactive = Spectre.Console.InteractionSupport.Yes,
        });
        console.Profile.Width = 120;
        var view = new LiveProgressView(console);
        var release = new TaskCompletionSource();
        var frames = new List<string>();

        var watching = view.WatchAsync(async () =>
        {
            view.RunStarted("train-20261204-1", "train");
            view.TaskChanged(new TaskProgress("load", TaskState.Done, DateTimeOffset.UtcNow) { Duration = TimeSpan.FromMilliseconds(12.5) });
            view.TaskChanged(new TaskProgress("fit", TaskState.Retrying, DateTimeOffset.UtcNow.AddSeconds(-3)) { Attempt = 2, MaxAttempts = 3, Detail = "IOException: flaky disk" });
            view.TaskChanged(new TaskProgress("deploy", TaskState.NotTriggered, DateTimeOffset.UtcNow) { Detail = "the condition of 'condition-1' was false" });
            view.StepLog("fit", "epoch 1");
            await release.Task;
            return 42;
        });
        // Wait for a redraw that shows all three rows, then let the run end.
        while (!Strip(writer.ToString()).Contains("deploy", StringComparison.Ordinal))
        {
            await Task.Delay(50);
        }

        release.SetResult();
        Assert.That(await watching, Is.EqualTo(42));

        var screen = Strip(writer.ToString());
        Assert.That(screen, Does.Contain("Run train-20261204-1"));
        Assert.That(screen, Does.Match(@"│ load +│ done +│ +12\.5 ms │"));
        Assert.That(screen, Does.Match(@"│ fit +│ retrying \(attempt 2/3\) │ +0:0[3-9] │ IOException: flaky disk"), "a running task shows its elapsed time");
        Assert.That(screen, Does.Match(@"│ deploy +│ not triggered +│ +│ the condition of 'condition-1' was false"));
        Assert.That(screen, Does.Contain("fit | epoch 1"));
        Assert.That(writer.ToString(), Does.Contain("\u001b["), "the table is redrawn in place with ANSI cursor moves");
    }

    /// <summary>Terminal output without its ANSI escape sequences.</summary>
    private static string Strip(string ansi) => Regex.Replace(ansi, @"\u001b\[[0-9;?]*[A-Za-z]", "");

    /// <summary>The progress lines without their timestamps.</summary>
    private static List<string> ProgressLines(string output) =>
        [.. output.Split('\n').Where(l => TimeStamp().IsMatch(l)).Select(l => l[9..])];

    private static List<string> States(List<string> lines, string task) =>
        [.. lines.Where(l => l.StartsWith(task + " ", StringComparison.Ordinal) && !l.StartsWith(task + " | ", StringComparison.Ordinal))
            .Select(l => Regex.Replace(l[(task.Length + 1)..], @" \([0-9.]+ m?s\)$", ""))];

    [GeneratedRegex("^[0-9]{2}:[0-9]{2}:[0-9]{2} ")]
    private static partial Regex TimeStamp();
}
