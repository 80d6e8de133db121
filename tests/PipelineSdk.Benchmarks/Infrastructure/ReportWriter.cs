using System.Globalization;
using System.Text;
using PipelineSdk.Benchmarks.Artifacts;
using PipelineSdk.Benchmarks.Build;
using PipelineSdk.Benchmarks.Dashboard;
using PipelineSdk.Benchmarks.Generator;
using PipelineSdk.Benchmarks.Orchestration;
using PipelineSdk.Benchmarks.Startup;
using PipelineSdk.Benchmarks.Store;

namespace PipelineSdk.Benchmarks.Infrastructure;

/// <summary>
/// Writes docs/benchmarks.md: the machine and date, issue 16's, 13's and 18's targets beside where this run stands, and one
/// table per benchmark class. Every figure that is compared is a ratio against a baseline of the same run.
/// </summary>
public sealed class ReportWriter(Figures figures, string machine, DateTimeOffset started, TimeSpan elapsed, bool complete)
{
    private readonly StringBuilder _md = new();

    public string Write()
    {
        Line("# Benchmarks");
        Line();
        Line($"Written by `tests/PipelineSdk.Benchmarks/run-benchmarks.sh` on {started:yyyy-MM-dd HH:mm} UTC; the suite took {elapsed.TotalMinutes:0.0} min"
            + (complete ? "." : " (only part of the suite was run)."));
        Line();
        Line($"Machine: {machine}; load average at the end {Machine.LoadAverage()}.");
        Line();
        Line("This machine is shared: other engineers build on it while the suite runs, so absolute times move from run to run and");
        Line("are shown only for orientation. **Only ratios count**: each compares a figure with a baseline measured in the same");
        Line("run, minutes apart. Every benchmark runs in one process (BenchmarkDotNet's in-process toolchain) as a short");
        Line("macro-benchmark: at most one warm-up, then a few single invocations; ratios are of medians. The load still moves");
        Line("between a baseline and its figure, so each ratio carries, in brackets, the range this run's noise allows (figure's");
        Line("fastest / baseline's slowest to figure's slowest / baseline's fastest). A target counts as met only if the whole range");
        Line("meets it, and as not met only if none of it does; otherwise it is undecided in this run. *Allocated* is managed");
        Line("memory this process allocated per operation, on all threads.");
        Line("Regenerate with `tests/PipelineSdk.Benchmarks/run-benchmarks.sh`.");
        Line();
        WriteTargets();
        WriteServerTargets();
        WriteDashboardTargets();
        WriteGenerator();
        WriteOrchestrator();
        WriteCachedRerun();
        WriteArtifacts();
        WriteStartup();
        WriteScale();
        WriteServer();
        WriteDashboard();
        WriteBuild();
        return _md.ToString();
    }

    /// <summary>Issue 16's targets (they tighten issue 9's), numbered in the order the issue lists them.</summary>
    private void WriteTargets()
    {
        Line("## Where we stand against issue 16's targets");
        Line();
        Line("| # | Figure | Target | This run | |");
        Line("|---|---|---|---|---|");

        var share = Findings.Get("build.generator-share");
        Target("1", "Our generator's time in a build of QuickStart after an edit / the whole build", "≤ 5 %", Findings.Get("build.generator") ?? "not measured",
            share is null ? "" : Verdict(double.Parse(share, CultureInfo.InvariantCulture) <= 0.05));

        var largest = figures.Of<GeneratorBenchmarks>().Select(f => f.IntParameter("Steps")).DefaultIfEmpty().Max();
        if (largest > 0)
        {
            var cold = figures.Find<GeneratorBenchmarks>(nameof(GeneratorBenchmarks.GeneratorColdRun), ("Steps", largest));
            Target("2", $"Generator, cold, {largest:N0} steps: generator time / compiling with the generator off", "≤ 0.10×", RatioWithRange(cold), AtMost(figures.Ratio(cold), figures.RatioRange(cold), 0.10));
            var whole = figures.Find<GeneratorBenchmarks>(nameof(GeneratorBenchmarks.CompileWithGenerator), ("Steps", largest));
            Target("2", $"Whole compilation with the generator on / off, {largest:N0} steps (includes compiling the generated code)", "—", RatioWithRange(whole), "");
            var onlyUsers = Findings.Get($"generator.step-body-reparsed-only-users.{largest}");
            Target("3", $"Edit loop, one step body edited ({largest:N0} steps)", "only the pipelines using that step are re-parsed",
                Findings.Get($"generator.step-body.{largest}") ?? "not measured", onlyUsers is null ? "" : Verdict(bool.Parse(onlyUsers)));
            var unrelated = Findings.Get($"generator.unrelated.{largest}");
            Target("3", $"Edit loop, unrelated edit ({largest:N0} steps)", "nothing regenerated", unrelated ?? "not measured", Verdict(unrelated is null ? null : !unrelated.Contains("NOT AS EXPECTED", StringComparison.Ordinal)));
            var size = Findings.Get($"generator.size-ratio.{largest}") is { } text ? double.Parse(text, CultureInfo.InvariantCulture) : (double?)null;
            Target("4", $"Generated code / input code ({largest:N0} steps)", "≤ 6×", size is null ? "not measured" : Ratio(size), size is null ? "" : Verdict(size <= 6));
        }

        RatioTarget("5", "No-op build of QuickStart / of a hello world without the SDK", 1.3, figures.Find<BuildBenchmarks>(nameof(BuildBenchmarks.NoOpQuickStart)));
        RatioTarget("6", "The QuickStart binary running its pipeline / hello world (JIT)", 2, figures.Find<StartupBenchmarks>(nameof(StartupBenchmarks.QuickStartRun), ("Kind", BuildKind.Jit)));
        RatioTarget("6", "The QuickStart binary running its pipeline / hello world (Native AOT)", 1.5, figures.Find<StartupBenchmarks>(nameof(StartupBenchmarks.QuickStartRun), ("Kind", BuildKind.Aot)));
        foreach (var shape in new[] { GraphShape.Chain, GraphShape.FanOut })
        {
            var sdk = figures.Find<OrchestratorBenchmarks>(nameof(OrchestratorBenchmarks.PipelineSdkLocal), ("Shape", shape));
            RatioTarget("7", $"Local orchestrator, {(sdk is null ? shape.ToString() : Shape(shape, sdk.IntParameter("Steps")))}, caching off / hand-written floor", 1.2, sdk);
        }

        var rerun = figures.Find<CachedRerunBenchmarks>(nameof(CachedRerunBenchmarks.CachedRerun));
        RatioTarget("8", $"Cached re-run of the {rerun?.IntParameter("Steps") ?? 1000:N0}-step chain / its first run", 0.05, rerun);

        var write = figures.Find<ArtifactBenchmarks>(nameof(ArtifactBenchmarks.ArtifactStoreWrite));
        if (write is not null)
        {
            var bytes = write.IntParameter("SizeMiB") * 1024L * 1024L;
            // Throughput at least 0.80 of the baseline's is time at most 1 / 0.80 of its time.
            Target("9", $"Artifact store write throughput / plain stream copy ({Bytes(bytes)})", "≥ 0.80", ThroughputRatio(write), AtMost(figures.Ratio(write), figures.RatioRange(write), 1 / 0.80));
            Target("9", $"Memory allocated writing {Bytes(bytes)} through the store", "flat (no whole-file buffer)", Bytes(write.AllocatedBytes),
                Verdict(write.AllocatedBytes is { } allocated ? allocated < bytes / 100 : null));
        }

        // The issue's range: from 100 steps, where a run's fixed costs no longer dominate.
        var curve = ScaleCurve().Where(p => p.Steps >= 100).ToList();
        if (curve.Count > 1)
        {
            var spread = curve.Max(p => p.ToFloor) / curve.Min(p => p.ToFloor);
            Target("10", $"Scale: orchestrator / floor at {string.Join(", ", curve.Select(p => $"{p.Steps:N0}"))} steps ({string.Join(", ", curve.Select(p => Ratio(p.ToFloor)))}): largest / smallest",
                "flat (≤ 1.5×)", Ratio(spread), Verdict(spread <= 1.5));
        }

        RatioTarget("11", "A step process (QuickStart step mode, as local-process starts it) / hello world (JIT)", 2, figures.Find<StartupBenchmarks>(nameof(StartupBenchmarks.QuickStartStep), ("Kind", BuildKind.Jit)));
        Line();
    }

    private void WriteServerTargets()
    {
        TargetTable("Where we stand against issue 13's targets (the server)");
        RatioTarget("Per-step recording through the server / the embedded store", 2, figures.Find<ServerRecordingBenchmarks>(nameof(ServerRecordingBenchmarks.ThroughServer)));
        RatioTarget("The same for a whole local run of trivial steps (orchestration included), through the server / embedded", 2,
            figures.Find<ServerRecordingBenchmarks>(nameof(ServerRecordingBenchmarks.RunThroughServer)));
        var concurrent = figures.Find<ConcurrentClientsBenchmarks>(nameof(ConcurrentClientsBenchmarks.EightClients));
        var lost = concurrent is null ? null : Findings.Get($"server.concurrent.{concurrent.IntParameter("Steps")}");
        Line($"| A run of {concurrent?.IntParameter("Steps") ?? 1000:N0} steps from 8 clients at once / 1 client in sequence, one server | report; nothing lost | {(concurrent is null ? "not measured" : RatioWithRange(concurrent))}; {lost ?? "not checked"} | |");
        foreach (var writers in figures.Of<DatabaseWriteBenchmarks>().Select(f => f.IntParameter("Writers")).Distinct())
        {
            var postgres = figures.Find<DatabaseWriteBenchmarks>(nameof(DatabaseWriteBenchmarks.Postgres), ("Writers", writers));
            Line($"| Write throughput, PostgreSQL / SQLite, {writers} writer{(writers == 1 ? "" : "s")} | report | {ThroughputRatio(postgres)} | |");
        }

        Line();
    }

    private void WriteGenerator()
    {
        Section("1. Generator", """
            Synthetic projects (tests/PipelineSdk.Benchmarks/Generator/SyntheticProject.cs): `Steps` steps in `Steps / 5` pipelines, with
            int, tuple, list, string and bool ports, parameters with defaults, constants, a helper the steps call and a cache
            setting; every pipeline also calls the first step of the next one, so each `Load` step is used by two pipelines.
            *Baseline*: parse, bind and emit the project with the generator off. *Compile, generator on*: the same with the
            generator run first and its output compiled too. *Generator alone, cold*: a new driver on a fresh compilation
            (it binds what it reads, work the compiler would otherwise do in emit, so this is an upper bound of its share).
            *Edit loop*: a driver that has already run on the project re-runs after an edit, as in an IDE or incremental build.
            """);
        Table<GeneratorBenchmarks>(["Steps"], ("Ratio to cold generator run", f => f.Method.StartsWith("EditLoop", StringComparison.Ordinal)
            ? Ratio(Figures.Ratio(f, figures.Find<GeneratorBenchmarks>(nameof(GeneratorBenchmarks.GeneratorColdRun), ("Steps", f.IntParameter("Steps")))))
            : ""));
        Line("Sizes, and what the edit loop regenerated, from the driver's tracked step run reasons (stage `Outputs` = one emitted file per pipeline; stage `Steps` = a step's fingerprint and its own emitted file; stage `Pipelines` = the parse transform):");
        Line();
        foreach (var steps in figures.Of<GeneratorBenchmarks>().Select(f => f.IntParameter("Steps")).Distinct())
        {
            Line($"- {steps:N0} steps: {Findings.Get($"generator.size.{steps}")}");
            Line($"- {steps:N0} steps, unrelated edit: {Findings.Get($"generator.unrelated.{steps}")}");
            Line($"- {steps:N0} steps, body of `{SyntheticProject.EditedStep}` edited: {Findings.Get($"generator.step-body.{steps}")}");
        }

        Line();
    }

    private void WriteOrchestrator()
    {
        Section("2. Local orchestrator overhead", """
            Trivial steps (`Source() => 1`, `Increment(x) => x + 1`), caching off, metadata on, built as `PipelineDescriptor`s in
            code (tests/PipelineSdk.Benchmarks/Orchestration/TrivialPipelines.cs). A chain of 1,000 tasks, and a fan-out of one
            source feeding 999 increments. *Baseline*: a hand-written program that calls the steps in order and writes the same
            artifact files (same paths and bytes, SHA-256) and the same SQLite rows (runs, step_runs with cache keys, artifacts,
            inputs, outputs) into a store of the same schema and pragmas, with prepared statements and one transaction per step:
            the floor for what a run must record. It runs the steps one after another; PipelineSdk runs up to one step per core
            at once and records each step run in one transaction when it ends (one still running after 100 ms is recorded as running
            first, so a crash shows it). Direct calls, TPL
            Dataflow (one block per task) and WorkflowCore 3.22 (in-memory persistence, a `Parallel` branch per fan-out task)
            run the same graph and record nothing of ours: they show what recording costs, not a floor.
            """);
        Table<OrchestratorBenchmarks>(["Shape", "Steps"], ("Per step", f => PerStep(f)));
    }

    private void WriteCachedRerun()
    {
        Section("3. Cached re-run", """
            The 1,000-step chain with caching on. *Baseline*: its first run on an empty store (every step misses, runs and is
            recorded). *Cached re-run*: the same pipeline on a store holding exactly that first run (every step a hit: lookup,
            artifact check and read, and the step run recorded as cached).
            """);
        Table<CachedRerunBenchmarks>(["Steps"], ("Per step", f => PerStep(f)));
        foreach (var steps in figures.Of<CachedRerunBenchmarks>().Select(f => f.IntParameter("Steps")).Distinct())
        {
            Line($"Checked while setting up: {Findings.Get($"cached.{steps}")}.");
        }

        Line();
    }

    private void WriteArtifacts()
    {
        Section("4. Artifacts", """
            The benchmark streams bytes through `LocalArtifactStore` with the `Stream` artifact codec (`ArtifactCodecs.Stream`, what a
            step returning or taking a `Stream` uses).
            *Write*: a file's content through `LocalArtifactStore.Write` (which SHA-256-hashes it on the way to disk) against a plain
            stream copy of the same file with the same 64 KiB buffers (*baseline*) and `File.Copy`. *Read*: `LocalArtifactStore.Read`
            consuming the stored bytes against a plain read of the file. The file is in the page cache; writes go to the page cache
            and are flushed by the kernel. *Allocated* is managed memory allocated per operation: a whole-file buffer would show as
            the file's size. A `Stream` input is the stored file opened for reading, so a step reads a large artifact without loading it.
            """);
        Table<ArtifactBenchmarks>(["SizeMiB"], ("Throughput", f => f.MedianNanoseconds is { } ns ? $"{f.IntParameter("SizeMiB") / (ns / 1e9):N0} MiB/s" : ""),
            ("Throughput / baseline", f => Ratio(1 / figures.Ratio(f))));
    }

    private void WriteStartup()
    {
        Section("5. Start-up (issue 4, item 4; issue 16)", """
            From process start to exit: QuickStart in step mode running `subtract-numbers` under the executor contract (parse the
            executor input, call the step, write the output parameter file and executor_output.json), and QuickStart running its
            whole pipeline on the default stack (three steps in-process, recorded in a SQLite store that is already current, the
            summary table printed to a pipe), against a hello world of the same kind (tests/PipelineSdk.Benchmarks.HelloWorld).
            *JIT*: `dotnet App.dll` from the Release build output (what a framework-dependent publish copies). *AOT*: the binaries
            of `dotnet publish -r linux-x64 -p:PublishAot=true`.
            """);
        // Allocations would be this process's, not the child's: left out.
        Table<StartupBenchmarks>(["Kind"], showAllocated: false);
    }

    private void WriteScale()
    {
        Section("6. Scale", """
            A chain of trivial steps, caching off, at 10, 100, 1,000 and 10,000 steps: the PipelineSdk local orchestrator against
            the hand-written floor of the same size (*baseline*). *Per-step curve*: the orchestrator's time per step relative to
            its time per step at the smallest size (1.0 = flat; small runs carry the run's fixed costs over fewer steps).
            """);
        var curve = ScaleCurve();
        Table<ScaleBenchmarks>(["Steps"], ("Per step", f => PerStep(f)), ("Per-step curve", f =>
            f.Method == nameof(ScaleBenchmarks.PipelineSdkLocal) && curve.Count > 0 && curve.FirstOrDefault(p => p.Steps == f.IntParameter("Steps")) is { PerStep: > 0 } point
                ? Ratio(point.PerStep / curve[0].PerStep)
                : ""));
    }

    private void WriteServer()
    {
        Section("7. The server and the store's databases (issue 13)", """
            Each operation records the steps of a run as a step does: its start, then its end with one input consumed and one
            output artifact (tests/PipelineSdk.Benchmarks/Store/StepRecording.cs). *Recording through the server*: a
            `ServerStore` client over HTTP to a real `pipelines server` (Kestrel on 127.0.0.1, SQLite behind it) in this process,
            against the embedded SQLite store (*baseline*): the same database writes plus two HTTP exchanges a step (its start is
            recorded before it runs, so a crash leaves it visibly running), each authenticated against the token table. *A local
            run*: the local orchestrator running a chain of as many trivial steps, caching off, with its records in each store. *8 clients*: one run of 1,000 steps recorded by 8 clients at once (each
            its own connection, an eighth of the tasks) against 1 client in sequence (*baseline*); afterwards every run is checked
            for all its step runs. *Databases*: the same records written straight to PostgreSQL 15 (a cluster started for the run,
            `fsync=off` as in the tests) and to the SQLite file (*baseline*, WAL, `synchronous=NORMAL`: neither waits for the disk
            on each commit), by 1 writer and by 8 at once (each its own store instance).
            """);
        Table<ServerRecordingBenchmarks>(["Steps"], ("Per step", f => PerStep(f)));
        Table<ConcurrentClientsBenchmarks>(["Steps"], ("Per step", f => PerStep(f)));
        foreach (var steps in figures.Of<ConcurrentClientsBenchmarks>().Select(f => f.IntParameter("Steps")).Distinct())
        {
            Line($"Checked after the runs: {Findings.Get($"server.concurrent.{steps}")}.");
            Line();
        }

        Table<DatabaseWriteBenchmarks>(["Writers"], ("Steps recorded / s", f => f.MedianNanoseconds is { } ns ? $"{DatabaseWriteBenchmarks.StepsPerOperation / (ns / 1e9):N0}" : ""),
            ("Throughput / baseline", f => Ratio(1 / figures.Ratio(f))));
    }

    private void WriteDashboardTargets()
    {
        TargetTable("Where we stand against issue 18's targets (the dashboard)");
        RatioTarget("Time to first render, a 1,000-step run's page / a 10-step run's page", 3, figures.Find<DashboardRenderBenchmarks>(nameof(DashboardRenderBenchmarks.LargeRunPage)));
        RatioTarget("Time to first render, the run list over 10,000 runs / a 10-step run's page", 3, figures.Find<DashboardRenderBenchmarks>(nameof(DashboardRenderBenchmarks.RunList)));
        Line($"| The bundle's size | report | {Findings.Get("dashboard.bundle") ?? "not measured"} | |");
        Line();
    }

    private void WriteDashboard()
    {
        Section("8. The dashboard (issue 18)", """
            Time to first render of the dashboard's pages in Debian's Chromium (headless, driven by Playwright, as the browser
            tests do), served by a real `pipelines server` (Kestrel on 127.0.0.1, SQLite behind it) in this process
            (tests/PipelineSdk.Benchmarks/Dashboard/DashboardRenderBenchmarks.cs). Each operation opens a new tab in one
            signed-in browser context, navigates and waits until the page shows what was asked for: a run's page until the
            last step of its DAG is drawn (so the fetches of the run, its steps, the layout by dagre and the SVG are all in), the
            run list until its newest row is shown. The runs were recorded as programs record them, without a spec: 10 and
            1,000 steps in lanes of 25 (*baseline*: 10 steps), and 10,000 runs of 7 pipelines for the list (without steps;
            the list counts steps only for the page it shows). The bundle is already in the browser's cache, as for anyone who
            opened the dashboard before. Times include Chromium's own work for a new tab, which is the same for every page.
            """);
        Table<DashboardRenderBenchmarks>([], showAllocated: false);
        Line($"The bundle, as embedded in the server: {Findings.Get("dashboard.bundle") ?? "not measured"}.");
        Line();
    }

    private void TargetTable(string title)
    {
        Line("## " + title);
        Line();
        Line("| Figure | Target | This run | |");
        Line("|---|---|---|---|");
    }

    /// <summary>A row of a target table: a time ratio that should be at most <paramref name="limit"/>.</summary>
    private void RatioTarget(string figure, double limit, Figure? measured) =>
        Line($"| {figure} | {RatioTargetCells(limit, measured)} |");

    /// <summary>The same, in the numbered table of issue 16's targets.</summary>
    private void RatioTarget(string number, string figure, double limit, Figure? measured) =>
        Line($"| {number} | {figure} | {RatioTargetCells(limit, measured)} |");

    private string RatioTargetCells(double limit, Figure? measured) =>
        $"≤ {limit:0.##}× | {(measured is null ? "not measured" : RatioWithRange(measured))} | {(measured is null ? "" : AtMost(figures.Ratio(measured), figures.RatioRange(measured), limit))}";

    /// <summary>A throughput ratio (the inverse of the time ratio), with its noise range.</summary>
    private string ThroughputRatio(Figure? figure) =>
        figures.RatioRange(figure) is { } range
            ? $"{Ratio(1 / figures.Ratio(figure))} ({Ratio(1 / range.High).TrimEnd('×')}–{Ratio(1 / range.Low)})"
            : Ratio(1 / figures.Ratio(figure));

    /// <summary>
    /// The orchestrator's time per step at each size, and its ratio to the floor of the same size measured beside it (issue 16:
    /// per-step times of sizes run minutes apart move with the load; the ratio to a floor run alongside does not).
    /// </summary>
    private List<(int Steps, double PerStep, double ToFloor)> ScaleCurve() =>
        [.. figures.Of<ScaleBenchmarks>()
            .Where(f => f.Method == nameof(ScaleBenchmarks.PipelineSdkLocal) && f.MedianNanoseconds is not null && figures.Ratio(f) is not null)
            .Select(f => (Steps: f.IntParameter("Steps"), PerStep: f.MedianNanoseconds!.Value / f.IntParameter("Steps"), ToFloor: figures.Ratio(f)!.Value))
            .OrderBy(p => p.Steps)];

    private void Section(string title, string description)
    {
        Line("## " + title);
        Line();
        Line(description);
        Line();
    }

    private void Table<T>(string[] parameters, params (string Header, Func<Figure, string> Value)[] extra) => Table<T>(parameters, showAllocated: true, extra);

    private void Table<T>(string[] parameters, bool showAllocated, params (string Header, Func<Figure, string> Value)[] extra)
    {
        var rows = figures.Of<T>().ToList();
        if (rows.Count == 0)
        {
            Line("Not run this time.");
            Line();
            return;
        }

        Line("| Benchmark | " + string.Concat(parameters.Select(p => p + " | ")) + "Median | Fastest–slowest | Ratio to baseline (noise range) |" + (showAllocated ? " Allocated |" : "") + string.Concat(extra.Select(e => $" {e.Header} |")));
        Line("|---|" + string.Concat(parameters.Select(_ => "---|")) + "---:|---:|---:|" + (showAllocated ? "---:|" : "") + string.Concat(extra.Select(_ => "---:|")));
        foreach (var f in rows.GroupBy(f => (f.Category, f.ParameterKey)).OrderBy(g => g.Key.Category, StringComparer.Ordinal).SelectMany(g => g.OrderBy(f => !f.IsBaseline)))
        {
            var name = (f.Category.Length > 0 ? f.Category + ": " : "") + f.Description + (f.IsBaseline ? " (**baseline**)" : "");
            Line($"| {name} | " + string.Concat(parameters.Select(p => f.Parameters.GetValueOrDefault(p, "") + " | "))
                + $"{Time(f.MedianNanoseconds)} | {Time(f.MinNanoseconds)}–{Time(f.MaxNanoseconds)} | {(f.IsBaseline ? "1" : RatioWithRange(f))} |"
                + (showAllocated ? $" {Bytes(f.AllocatedBytes)} |" : "")
                + string.Concat(extra.Select(e => $" {e.Value(f)} |")));
        }

        Line();
    }

    /// <summary>The median ratio, with the range the run's noise allows in brackets.</summary>
    private string RatioWithRange(Figure? figure) =>
        figures.RatioRange(figure) is { } range
            ? $"{Ratio(figures.Ratio(figure))} ({Ratio(range.Low).TrimEnd('×')}–{Ratio(range.High)})"
            : Ratio(figures.Ratio(figure));

    private void WriteBuild()
    {
        Section("9. Builds (issue 16)", """
            `dotnet build` of examples/QuickStart as a user runs it, in the configuration of this suite, without restoring
            (tests/PipelineSdk.Benchmarks/Build/BuildBenchmarks.cs). *Baseline*: a no-op build of a hello world without the SDK
            (tests/PipelineSdk.Benchmarks.HelloWorld). *No-op build, QuickStart*: nothing changed since its last build; MSBuild
            still checks it and the projects it references (PipelineSdk, the generator, Gcp, Kubeflow). *Build after editing
            QuickStart.cs*: the file's write time is moved, so QuickStart compiles again (its references are up to date), with
            `-p:ReportAnalyzer=true -v:d`, whose compiler report gives our generator's own time. No build node or compiler server
            is kept between builds (`-nodeReuse:false -p:UseSharedCompilation=false`), so every compile starts a compiler process:
            a warm compiler server, as in an IDE or repeated command-line builds, would make the whole build shorter and our
            generator's share larger.
            """);
        Table<BuildBenchmarks>([], showAllocated: false);
        Line($"From the compiler's report: {Findings.Get("build.generator") ?? "not measured"}.");
        Line();
    }

    private void Target(string number, string figure, string target, string value, string verdict) =>
        Line($"| {number} | {figure} | {target} | {value} | {verdict} |");

    private static string Verdict(bool? met) => met is null ? "" : met.Value ? "met" : "**not met**";

    /// <summary>Met only if the whole noise range is within the limit; not met only if none of it is.</summary>
    private static string AtMost(double? ratio, (double Low, double High)? range, double limit) => range switch
    {
        { } r when r.High <= limit => "met",
        { } r when r.Low > limit => "**not met**",
        { } => $"undecided: the noise range straddles the target (median: {(ratio <= limit ? "met" : "not met")})",
        null => Verdict(ratio <= limit),
    };

    private static string Shape(GraphShape shape, int steps) => shape == GraphShape.Chain ? $"{steps:N0}-step chain" : $"{steps - 1:N0}-wide fan-out";

    private static string PerStep(Figure f) => f.MedianNanoseconds is { } ns ? Time(ns / f.IntParameter("Steps")) : "";

    private static string Ratio(double? ratio) => ratio switch
    {
        null or double.NaN => "—",
        >= 100 => $"{ratio:N0}×",
        >= 0.1 => $"{ratio:0.00}×",
        _ => $"{ratio.Value.ToString("G2", CultureInfo.InvariantCulture)}×",
    };

    private static string Time(double? nanoseconds) => nanoseconds switch
    {
        null => "—",
        < 1e3 => $"{nanoseconds:0} ns",
        < 1e6 => $"{nanoseconds / 1e3:0.0} µs",
        < 1e9 => $"{nanoseconds / 1e6:0.0} ms",
        _ => $"{nanoseconds / 1e9:0.00} s",
    };

    private static string Bytes(long? bytes) => bytes switch
    {
        null => "—",
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.0} KiB",
        < 1024L * 1024 * 1024 => $"{bytes / 1024.0 / 1024.0:0.0} MiB",
        _ => $"{bytes / 1024.0 / 1024.0 / 1024.0:0.00} GiB",
    };

    private void Line(string text = "") => _md.Append(text).Append('\n');
}
