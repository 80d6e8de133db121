using System.Diagnostics;
using BenchmarkDotNet.Running;
using PipelineSdk.Benchmarks.Artifacts;
using PipelineSdk.Benchmarks.Build;
using PipelineSdk.Benchmarks.Dashboard;
using PipelineSdk.Benchmarks.Generator;
using PipelineSdk.Benchmarks.Infrastructure;
using PipelineSdk.Benchmarks.Orchestration;
using PipelineSdk.Benchmarks.Startup;
using PipelineSdk.Benchmarks.Store;

// Usage: PipelineSdk.Benchmarks [--smoke] [--skip-aot] [--only NAME]... [--report PATH]
//   --smoke     each benchmark once on small inputs, Native AOT start-up left out; fails if any benchmark fails
//   --skip-aot  leave out the Native AOT start-up figures (two AOT publishes)
//   --only      run only the benchmark classes whose name contains NAME (e.g. --only Generator)
//   --report    write the results, as ratios against same-run baselines, to PATH (docs/benchmarks.md)
var smoke = args.Contains("--smoke");
Suite.Smoke = smoke;
Suite.SkipAot = smoke || args.Contains("--skip-aot");
var only = args.Select((arg, i) => (arg, i)).Where(a => a.arg == "--only" && a.i + 1 < args.Length).Select(a => args[a.i + 1]).ToList();
var reportIndex = Array.IndexOf(args, "--report");
var reportPath = reportIndex >= 0 && reportIndex + 1 < args.Length ? Path.GetFullPath(args[reportIndex + 1]) : null;

// The classes in the order of issue 9's targets, then issue 13's (the server and the store's databases), then issue 18's (the dashboard), then issue 16's builds, with warm-ups and measured iterations for a full run. Scale needs no
// warm-up: the orchestrator benchmarks before it have already run (and JIT-compiled) the same code in this process.
(Type Type, int Warmups, int Iterations)[] suites =
[
    (typeof(GeneratorBenchmarks), 1, 3),
    (typeof(OrchestratorBenchmarks), 1, 5),
    (typeof(CachedRerunBenchmarks), 1, 4),
    (typeof(ArtifactBenchmarks), 1, 3),
    (typeof(StartupBenchmarks), 1, 15),
    (typeof(ScaleBenchmarks), 0, 3),
    (typeof(ServerRecordingBenchmarks), 1, 5),
    (typeof(ConcurrentClientsBenchmarks), 1, 3),
    (typeof(DatabaseWriteBenchmarks), 1, 3),
    (typeof(DashboardRenderBenchmarks), 1, 10),
    (typeof(BuildBenchmarks), 1, 3),
];

var started = DateTimeOffset.UtcNow;
var clock = Stopwatch.StartNew();
var machine = Machine.Describe();
var figures = new Figures();
var failures = new List<string>();
try
{
    foreach (var (type, warmups, iterations) in suites.Where(s => only.Count == 0 || only.Any(o => s.Type.Name.Contains(o, StringComparison.OrdinalIgnoreCase))))
    {
        var summary = BenchmarkRunner.Run(type, SuiteConfig.Create(warmups, iterations));
        figures.Add(summary);
        if (summary.HasCriticalValidationErrors)
        {
            failures.Add($"{type.Name}: {string.Join("; ", summary.ValidationErrors.Select(e => e.Message))}");
        }

        failures.AddRange(summary.BenchmarksCases
            .Where(b => summary[b] is not { Success: true })
            .Select(b => $"{type.Name}.{b.Descriptor.WorkloadMethod.Name} ({b.Parameters.DisplayInfo}) did not complete"));
    }
}
finally
{
    Suite.DeleteTemp();
}

Console.WriteLine();
Console.WriteLine($"// {figures.All.Count} benchmark cases in {clock.Elapsed.TotalSeconds:0} s{(smoke ? " (smoke: run once each, not measured)" : "")}.");
if (failures.Count > 0)
{
    Console.Error.WriteLine($"error: {failures.Count} benchmark(s) failed:");
    failures.ForEach(f => Console.Error.WriteLine("  " + f));
    return 1;
}

if (reportPath is not null)
{
    File.WriteAllText(reportPath, new ReportWriter(figures, machine, started, clock.Elapsed, only.Count == 0).Write());
    Console.WriteLine($"// Wrote {reportPath}");
}

return 0;
