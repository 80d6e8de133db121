using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using PipelineSdk.Benchmarks.Infrastructure;

namespace PipelineSdk.Benchmarks.Startup;

/// <summary>How a program is built and started.</summary>
public enum BuildKind
{
    /// <summary><c>dotnet App.dll</c>: framework-dependent, JIT-compiled (the build output; publishing copies the same files).</summary>
    Jit,

    /// <summary>A Native AOT binary from <c>dotnet publish -r linux-x64 -p:PublishAot=true</c>.</summary>
    Aot,
}

/// <summary>
/// Issue 4 item 4, issue 9 target 5 and issue 16's start-up targets. Process start to exit of QuickStart in step mode (the
/// Kubeflow executor contract: read the executor input, run <c>subtract-numbers</c>, write its output parameter and
/// executor_output.json), and of QuickStart running its whole pipeline on the default stack (in-process steps, its records in
/// a current SQLite store, the summary table), against a hello world of the same kind, JIT and Native AOT.
/// </summary>
public class StartupBenchmarks
{
    private const string ExecutorInput = """
        {
          "inputs": {"parameterValues": {"firstNum": 10, "randomNum": 3}},
          "outputs": {
            "parameters": {"Output": {"outputFile": "/gcs/bench-bucket/root/task/Output"}},
            "outputFile": "/gcs/bench-bucket/root/task/executor_output.json"
          }
        }
        """;

    // BenchmarkDotNet runs the global setup once per benchmark case; each program is published once per run.
    private static readonly Dictionary<string, string> Published = new(StringComparer.Ordinal);

    private string _mount = null!;
    private (string File, string[] Args) _helloWorld;
    private (string File, string[] Args) _quickStartStep;
    private (string File, string[] Args) _quickStartRun;

    public static IEnumerable<BuildKind> Kinds => Suite.SkipAot ? [BuildKind.Jit] : [BuildKind.Jit, BuildKind.Aot];

    [ParamsSource(nameof(Kinds))]
    public BuildKind Kind { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _mount = Path.Combine(Suite.Temp, $"gcs-{Kind}");
        string[] stepArgs = ["step", "--pipeline", "vertex-example-pipeline", "--step", "subtract-numbers", "--executor-input", ExecutorInput];
        if (Kind == BuildKind.Jit)
        {
            _helloWorld = ("dotnet", [BuildOutput("tests/PipelineSdk.Benchmarks.HelloWorld", "HelloWorld.dll")]);
            _quickStartStep = ("dotnet", [BuildOutput("examples/QuickStart", "QuickStart.dll"), .. stepArgs]);
            _quickStartRun = ("dotnet", [BuildOutput("examples/QuickStart", "QuickStart.dll")]);
        }
        else
        {
            _helloWorld = (PublishAot("tests/PipelineSdk.Benchmarks.HelloWorld", "HelloWorld"), []);
            _quickStartStep = (PublishAot("examples/QuickStart", "QuickStart"), stepArgs);
            _quickStartRun = (PublishAot("examples/QuickStart", "QuickStart"), []);
        }

        Start(_helloWorld);
        Start(_quickStartStep);
        // The first run creates the store; the measured ones find it current, as every run after a user's first does.
        Start(_quickStartRun);
        var output = File.ReadAllText(Path.Combine(_mount, "bench-bucket", "root", "task", "Output"));
        if (output != "7")
        {
            throw new InvalidOperationException($"The {Kind} step wrote '{output}', expected 7.");
        }
    }

    [Benchmark(Baseline = true, Description = "hello world")]
    public int HelloWorld() => Start(_helloWorld);

    [Benchmark(Description = "QuickStart step mode")]
    public int QuickStartStep() => Start(_quickStartStep);

    [Benchmark(Description = "QuickStart runs its pipeline")]
    public int QuickStartRun() => Start(_quickStartRun);

    private int Start((string File, string[] Args) program)
    {
        var start = new ProcessStartInfo(program.File) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in program.Args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["PIPELINES_GCS_MOUNT"] = _mount;
        start.Environment["PIPELINES_HOME"] = Path.Combine(Suite.Temp, $"store-{Kind}");
        start.Environment["PIPELINES_STACK"] = "";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program.File} {string.Join(' ', program.Args.Take(1))} exited {process.ExitCode}: {error.Result}");
        }

        return process.ExitCode;
    }

    private static string BuildOutput(string project, string file)
    {
        var path = Path.Combine(Suite.RepoRoot, project, "bin", Suite.Configuration, "net10.0", file);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: build the benchmarks project first (it builds its programs).", path);
    }

    /// <summary>Publishes <paramref name="project"/> as Native AOT into this project's bin (kept between runs, so MSBuild can skip what is up to date).</summary>
    private static string PublishAot(string project, string binary)
    {
        if (Published.TryGetValue(project, out var published))
        {
            return published;
        }

        var output = Path.Combine(AppContext.BaseDirectory, "aot", binary);
        var publish = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "publish", Path.Combine(Suite.RepoRoot, project), "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-o", output, "--nologo" })
        {
            publish.ArgumentList.Add(arg);
        }

        Console.WriteLine($"// Publishing {project} as Native AOT into {output} ...");
        using var process = Process.Start(publish)!;
        var error = process.StandardError.ReadToEndAsync();
        var log = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish {project} (AOT) failed:\n{log}\n{error.Result}");
        }

        return Published[project] = Path.Combine(output, binary);
    }
}
