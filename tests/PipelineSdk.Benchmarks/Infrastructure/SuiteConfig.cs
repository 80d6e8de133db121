using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Toolchains.InProcess.NoEmit;

namespace PipelineSdk.Benchmarks.Infrastructure;

/// <summary>
/// One configuration for the whole suite. Benchmarks run in this process (no per-benchmark project build: the
/// suite has to fit in a few minutes on two cores). Full runs are short macro-benchmark jobs: at most one warm-up and a
/// few measured single invocations (no warm-up where earlier classes already ran the same code), reported by their median. Smoke runs use BenchmarkDotNet's dry job: each
/// benchmark once, cold, nothing to read into the numbers.
/// </summary>
public static class SuiteConfig
{
    public static IConfig Create(int warmups, int iterations)
    {
        var toolchain = new InProcessNoEmitToolchain(TimeSpan.FromMinutes(30), logOutput: true);
        var job = Suite.Smoke
            ? Job.Dry.WithId("smoke")
            : Job.Default.WithId("short")
                .WithStrategy(RunStrategy.Monitoring)
                .WithLaunchCount(1)
                .WithWarmupCount(warmups)
                .WithIterationCount(iterations)
                .WithInvocationCount(1)
                .WithUnrollFactor(1);

        var config = ManualConfig.CreateEmpty()
            .AddJob(job.WithToolchain(toolchain))
            .AddLogger(ConsoleLogger.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithArtifactsPath(Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts"));

        // Smoke runs the Debug build CI already has; full runs must be optimized, and the validator says so.
        return Suite.Smoke ? config.WithOptions(ConfigOptions.DisableOptimizationsValidator) : config;
    }
}
