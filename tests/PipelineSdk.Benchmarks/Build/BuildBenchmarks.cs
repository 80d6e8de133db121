using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using PipelineSdk.Benchmarks.Infrastructure;

namespace PipelineSdk.Benchmarks.Build;

/// <summary>
/// Issue 16's build targets, as a user meets them: a no-op <c>dotnet build</c> of QuickStart against the same of a hello
/// world without the SDK, and a build after an edit of QuickStart (its compile runs, what it references is up to date),
/// with our generator's own time in it from the compiler's analyzer report (<c>-p:ReportAnalyzer=true</c>).
/// </summary>
public partial class BuildBenchmarks
{
    // Every generator's time in the compiler's report: "<seconds> <percent> <full type name>" under "Total generator execution time".
    [GeneratedRegex(@"^\s*(?<seconds>[0-9]+(?:[.,][0-9]+)?)\s+(?:<?[0-9]+)\s+(?<generator>[\w.]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex GeneratorLine();

    private static readonly List<(double Generator, double AllGenerators, double Build)> EditBuilds = [];

    private static string QuickStart => Path.Combine(Suite.RepoRoot, "examples", "QuickStart");

    private static string HelloWorld => Path.Combine(Suite.RepoRoot, "tests", "PipelineSdk.Benchmarks.HelloWorld");

    [GlobalSetup]
    public void Setup()
    {
        // The benchmarks' own build built both; these make sure nothing is left to do before the no-op builds are timed.
        Build(HelloWorld, report: false);
        Build(QuickStart, report: false);
    }

    [Benchmark(Baseline = true, Description = "no-op build, hello world (no SDK)")]
    public string NoOpHelloWorld() => Build(HelloWorld, report: false);

    [Benchmark(Description = "no-op build, QuickStart")]
    public string NoOpQuickStart() => Build(QuickStart, report: false);

    [Benchmark(Description = "build after editing QuickStart.cs")]
    public string EditedQuickStart()
    {
        // A new write time is an edit to MSBuild: the compile runs again, as after a keystroke and a save.
        File.SetLastWriteTimeUtc(Path.Combine(QuickStart, "QuickStart.cs"), DateTime.UtcNow);
        var clock = Stopwatch.StartNew();
        var log = Build(QuickStart, report: true);
        var build = clock.Elapsed.TotalSeconds;
        var generators = GeneratorLine().Matches(log).Where(m => m.Groups["generator"].Value.EndsWith("Generator", StringComparison.Ordinal) || m.Groups["generator"].Value.Contains(".Generators.", StringComparison.Ordinal)).ToList();
        var ours = generators.Where(m => m.Groups["generator"].Value == "PipelineSdk.Generators.PipelineGenerator").Select(Seconds).DefaultIfEmpty(double.NaN).First();
        if (double.IsNaN(ours))
        {
            throw new InvalidOperationException("The build's analyzer report names no PipelineSdk.Generators.PipelineGenerator:\n" + log[Math.Max(0, log.Length - 4000)..]);
        }

        EditBuilds.Add((ours, generators.Where(m => m.Groups["generator"].Value.Count(c => c == '.') >= 2).Select(Seconds).Sum(), build));
        return log;
    }

    [GlobalCleanup(Target = nameof(EditedQuickStart))]
    public void RecordGeneratorShare()
    {
        if (EditBuilds.Count == 0)
        {
            return;
        }

        var generator = Median(EditBuilds.Select(b => b.Generator));
        var build = Median(EditBuilds.Select(b => b.Build));
        var share = Median(EditBuilds.Select(b => b.Generator / b.Build));
        Findings.Record("build.generator-share", share.ToString("R", CultureInfo.InvariantCulture));
        Findings.Record("build.generator", $"our generator {generator * 1000:0} ms of a {build:0.0} s build ({share:P1}; medians of {EditBuilds.Count} builds, "
            + $"{EditBuilds.Min(b => b.Generator / b.Build):P1}–{EditBuilds.Max(b => b.Generator / b.Build):P1}); all source generators {Median(EditBuilds.Select(b => b.AllGenerators)) * 1000:0} ms");
    }

    private static double Seconds(Match match) => double.Parse(match.Groups["seconds"].Value.Replace(',', '.'), CultureInfo.InvariantCulture);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>
    /// <c>dotnet build</c> of <paramref name="project"/> as this suite was built, without restoring; no build nodes or
    /// compiler server are left running (a warm compiler server would make the compile faster than measured here).
    /// </summary>
    private static string Build(string project, bool report)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] args = ["build", project, "-c", Suite.Configuration, "--no-restore", "-nologo", "-nodeReuse:false", "-p:UseSharedCompilation=false"];
        foreach (var arg in report ? [.. args, "-p:ReportAnalyzer=true", "-v:d"] : args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet build {project} exited {process.ExitCode}:\n{output[Math.Max(0, output.Length - 4000)..]}\n{error.Result}");
        }

        return output;
    }
}
