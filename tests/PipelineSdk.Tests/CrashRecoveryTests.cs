using System.Diagnostics;
using PipelineSdk.Store;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Tests;

/// <summary>A run whose process is killed is marked crashed by the next command, and leaves no step process behind.</summary>
public class CrashRecoveryTests
{
    [TestCase("local")]
    [TestCase("local-process")]
    public async Task A_run_killed_with_SIGKILL_is_marked_crashed_and_its_step_process_does_not_outlive_it(string orchestrator)
    {
        using var temp = new TempStore();
        var gate = Path.Combine(temp.Path, "gate");
        using var program = StartApp(temp, new Dictionary<string, string> { ["HOLD_GATE"] = gate }, "run", "holding-pipeline", "--orchestrator", orchestrator);

        var stepPid = await WaitForAsync(() => File.Exists(gate + ".pid") && int.TryParse(File.ReadAllText(gate + ".pid"), out var pid) ? pid : (int?)null, "the held step to start");
        // A step run is recorded whole when it ends, or as running once it has run a moment (a step killed sooner leaves no record).
        await WaitForAsync(() => HeldStepRecordedAsRunning(temp) ? true : (bool?)null, "the held step to be recorded as running");
        program.Kill(entireProcessTree: false);
        await program.WaitForExitAsync();
        if (orchestrator == "local-process")
        {
            Assert.That(stepPid, Is.Not.EqualTo(program.Id), "the step ran as a child process");
            await WaitForAsync(() => Directory.Exists($"/proc/{stepPid}") ? null : (bool?)true, $"step process {stepPid} to exit after its orchestrator was killed");
        }

        using var store = temp.Open();
        var before = store.ListRuns().Single();
        Assert.That(before.Status, Is.EqualTo(RunStatus.Running), "nothing could record the kill");
        Assert.That(before.Owner!.ProcessId, Is.EqualTo(program.Id));

        var marked = CrashRecovery.Sweep(store);

        Assert.That(marked.Select(r => r.Id), Is.EqualTo(new[] { before.Id }));
        Assert.That(CrashRecovery.Note(marked[0]), Does.Contain($"its process ({program.Id} on {Environment.MachineName}) is gone"));
        var after = store.GetRun(before.Id)!;
        Assert.That(after.Status, Is.EqualTo(RunStatus.Crashed));
        Assert.That(store.GetStepRuns(before.Id).Select(s => (s.TaskKey, s.Status)), Is.EqualTo(new[] { ("before", StepStatus.Completed), ("held", StepStatus.Crashed) }));
        Assert.That(CrashRecovery.Sweep(store), Is.Empty, "a crash is reported once");

        // What gc must remove, and what it must keep: the recorded output of the step that finished.
        var root = Artifacts.LocalArtifactStore.DefaultRoot(temp.Path);
        var recorded = Artifacts.LocalArtifactStore.LocalPath(store.GetOutputs(store.GetStepRuns(before.Id)[0].Id)["Output"].Uri);
        var partial = Path.Combine(root, before.Id, "held", "Output" + Artifacts.LocalArtifactStore.PartialMarker + "abc");
        var unrecorded = Path.Combine(root, before.Id, "before", "Unrecorded");
        var strayRun = Path.Combine(root, "no-such-run", "t", "Output");
        foreach (var file in new[] { partial, unrecorded, strayRun })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, "x");
        }

        var dry = Artifacts.ArtifactCollector.Collect(store, root, temp.Path, dryRun: true);
        Assert.That(File.Exists(partial) && File.Exists(unrecorded), Is.True, "a dry run removes nothing");
        var collected = Artifacts.ArtifactCollector.Collect(store, root, temp.Path, dryRun: false);

        Assert.That(collected.Select(c => c.Path), Is.EqualTo(dry.Select(c => c.Path)));
        Assert.That(collected.Select(c => c.Path), Does.Contain(Path.Combine(root, before.Id, "held")).And.Contain(unrecorded).And.Contain(Path.Combine(root, "no-such-run")));
        Assert.That(File.Exists(partial) || File.Exists(unrecorded) || Directory.Exists(Path.Combine(root, "no-such-run")), Is.False);
        Assert.That(File.Exists(recorded), Is.True, "a recorded artifact stays");
        Assert.That(Artifacts.ArtifactCollector.Collect(store, root, temp.Path, dryRun: false), Is.Empty);

        File.WriteAllText(gate, "open");
        var resumed = await ProcessResult.RunAsync("dotnet", [ExampleProgram.ArtifactsApp.Dll, "resume", before.Id, "--orchestrator", orchestrator],
            new Dictionary<string, string> { [StoreLocation.HomeVariable] = temp.Path, ["HOLD_GATE"] = gate });
        Assert.That(resumed.Exit, Is.EqualTo(0), resumed.Error + resumed.Output);
        Assert.That(resumed.Output, Does.Contain($"Resuming run {before.Id}"));
        var again = store.ListRuns().First(r => r.Id != before.Id);
        Assert.That((again.Pipeline, again.Status, again.ParametersJson), Is.EqualTo((before.Pipeline, RunStatus.Completed, before.ParametersJson)));
        var refused = await ProcessResult.RunAsync("dotnet", [ExampleProgram.ArtifactsApp.Dll, "resume", again.Id], new Dictionary<string, string> { [StoreLocation.HomeVariable] = temp.Path });
        Assert.That((refused.Exit, refused.Error.Trim()), Is.EqualTo((2, $"error: run '{again.Id}' is completed; only a crashed, failed or cancelled run is resumed")));
    }

    [Test]
    public async Task Ctrl_C_stops_the_step_processes_records_the_run_cancelled_and_exits_130()
    {
        using var temp = new TempStore();
        var gate = Path.Combine(temp.Path, "gate");
        using var program = StartApp(temp, new Dictionary<string, string> { ["HOLD_GATE"] = gate }, "run", "holding-pipeline", "--orchestrator", "local-process");
        var stepPid = await WaitForAsync(() => File.Exists(gate + ".pid") && int.TryParse(File.ReadAllText(gate + ".pid"), out var pid) ? pid : (int?)null, "the held step to start");

        var signal = await ProcessResult.RunAsync("kill", ["-INT", program.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.That(signal.Exit, Is.EqualTo(0), signal.Error);
        await program.WaitForExitAsync();

        Assert.That(program.ExitCode, Is.EqualTo(Hosting.PipelineApp.Interrupted));
        Assert.That(Directory.Exists($"/proc/{stepPid}"), Is.False, "the step process was stopped before the program exited");
        using var store = temp.Open();
        var run = store.ListRuns().Single();
        Assert.That((run.Status, run.Error), Is.EqualTo((RunStatus.Cancelled, "cancelled")));
        Assert.That(store.GetStepRuns(run.Id).Select(s => (s.TaskKey, s.Status)), Is.EqualTo(new[] { ("before", StepStatus.Completed), ("held", StepStatus.Failed) }));
        Assert.That(store.GetStepRuns(run.Id)[1].Error, Is.EqualTo("cancelled"));
        Assert.That(CrashRecovery.Sweep(store), Is.Empty, "a cancelled run is not a crash");
    }

    [Test]
    public void A_live_run_is_left_alone_and_a_run_from_another_machine_crashes_only_when_its_heartbeat_is_stale()
    {
        using var temp = new TempStore();
        using var store = temp.Open();
        var now = DateTimeOffset.UtcNow;
        store.CreateRun("mine", "p", now, "{}", "local", owner: RunOwner.Current);
        store.CreateRun("remote-alive", "p", now.AddHours(-1), "{}", "local", owner: new RunOwner("another-machine", 42, now.AddHours(-1), "ana"));
        store.Heartbeat("remote-alive", now.AddSeconds(-20));
        store.CreateRun("remote-silent", "p", now.AddHours(-1), "{}", "local", owner: new RunOwner("another-machine", 43, now.AddHours(-1), "ana"));
        store.Heartbeat("remote-silent", now - CrashRecovery.StaleAfter - TimeSpan.FromMinutes(1));
        store.CreateRun("vertex-job", "p", now.AddHours(-1), "{}", "vertex");

        var marked = CrashRecovery.Sweep(store);

        Assert.That(marked.Select(r => r.Id), Is.EqualTo(new[] { "remote-silent" }));
        Assert.That(marked[0].Error, Does.Contain("has not been heard from since"));
        Assert.That(store.GetRun("mine")!.Status, Is.EqualTo(RunStatus.Running));
        Assert.That(store.GetRun("remote-alive")!.Status, Is.EqualTo(RunStatus.Running));
        Assert.That(store.GetRun("vertex-job")!.Status, Is.EqualTo(RunStatus.Running), "a run without an owner process (followed by Vertex) is not judged here");
    }

    [Test]
    public async Task Twenty_kills_at_random_moments_leave_no_running_run_no_step_process_and_no_unrecorded_artifact()
    {
        using var temp = new TempStore();
        var random = new Random();
        var killed = new List<int>();
        // Kill moments spread over how long a whole run takes on this machine now, from start-up to the summary.
        var clock = Stopwatch.StartNew();
        var first = await ProcessResult.RunAsync("dotnet", [ExampleProgram.ArtifactsApp.Dll, "run", "artifact-kinds", "--orchestrator", "local-process"],
            new Dictionary<string, string> { [StoreLocation.HomeVariable] = temp.Path });
        Assert.That(first.Exit, Is.EqualTo(0), first.Error + first.Output);
        var wholeRun = clock.Elapsed;
        for (var kill = 0; kill < 20; kill++)
        {
            // Each run's start sweeps the run killed before it, as any next command would.
            using var program = StartApp(temp, new Dictionary<string, string>(), "run", "artifact-kinds", "--no-cache", "--orchestrator", kill % 2 == 0 ? "local" : "local-process");
            var moment = wholeRun * random.NextDouble();
            if (!program.WaitForExit(moment))
            {
                program.Kill(entireProcessTree: false);
                killed.Add(program.Id);
            }

            await program.WaitForExitAsync();
        }

        var last = await ProcessResult.RunAsync("dotnet", [ExampleProgram.ArtifactsApp.Dll, "run", "artifact-kinds"],
            new Dictionary<string, string> { [StoreLocation.HomeVariable] = temp.Path });
        Assert.That(last.Exit, Is.EqualTo(0), last.Error + last.Output);
        await WaitForAsync(() => ProcessesUsing(temp.Path).Count == 0 ? true : (bool?)null, $"the step processes of the killed runs in {temp.Path} to exit");

        using var store = temp.Open();
        var runs = store.ListRuns(limit: 100);
        Assert.That(runs.Where(r => r.Status == RunStatus.Running).Select(r => r.Id), Is.Empty, "no run stays running");
        var crashed = runs.Where(r => r.Status == RunStatus.Crashed).ToList();
        Assert.That(crashed.Select(r => r.Owner!.ProcessId), Is.SubsetOf(killed));
        Assert.That(crashed, Is.Not.Empty, $"of {killed.Count} kills within {wholeRun}, some hit a run in progress");
        Assert.That(store.ListRuns(limit: 100).SelectMany(r => store.GetStepRuns(r.Id)).Where(s => s.Status == StepStatus.Running), Is.Empty);
        var root = Artifacts.LocalArtifactStore.DefaultRoot(temp.Path);
        Assert.That(Artifacts.ArtifactCollector.Collect(store, root, temp.Path, dryRun: true).Select(c => $"{c.Path}: {c.Reason}"), Is.Empty,
            $"nothing unrecorded is left for `artifacts gc` after {killed.Count} kills; runs: {string.Join(", ", runs.Select(r => $"{r.Id} {r.Status}"))}");
    }

    private static Process StartApp(TempStore temp, Dictionary<string, string> environment, params string[] args)
    {
        var start = ProcessResult.InterruptibleDotnet([ExampleProgram.ArtifactsApp.Dll, .. args]);
        start.Environment[StoreLocation.HomeVariable] = temp.Path;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var program = Process.Start(start)!;
        _ = program.StandardOutput.ReadToEndAsync();
        _ = program.StandardError.ReadToEndAsync();
        return program;
    }

    /// <summary>Processes of this user whose environment points the store at <paramref name="home"/>.</summary>
    private static List<int> ProcessesUsing(string home)
    {
        var marker = $"{StoreLocation.HomeVariable}={home}\0";
        var found = new List<int>();
        foreach (var folder in Directory.GetDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(folder), out var pid) && pid != Environment.ProcessId)
            {
                try
                {
                    if ((File.ReadAllText(Path.Combine(folder, "environ")) + "\0").Contains(marker, StringComparison.Ordinal))
                    {
                        found.Add(pid);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Gone meanwhile, or another user's.
                }
            }
        }

        return found;
    }

    private static bool HeldStepRecordedAsRunning(TempStore temp)
    {
        using var store = temp.Open();
        return store.ListRuns().SingleOrDefault() is { } run && store.GetStepRuns(run.Id).Any(s => s.TaskKey == "held" && s.Status == StepStatus.Running);
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> probe, string what)
        where T : struct
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < ProcessResult.HangLimit)
        {
            if (probe() is { } value)
            {
                return value;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"hung: waited {ProcessResult.HangLimit.TotalMinutes} minutes for {what}");
    }
}
