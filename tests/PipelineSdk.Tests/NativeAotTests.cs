using PipelineSdk.Execution;
using PipelineSdk.Orchestration;
using PipelineSdk.Store;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Tests;

/// <summary>
/// Publishes QuickStart as a Native AOT binary (as a step image would hold it) and runs it: step mode on its
/// own, and a whole pipeline under local-process, whose spec now starts the native binary.
/// </summary>
[Category("NativeAot")]
public class NativeAotTests
{
    private static string s_publishDirectory = null!;
    private static ProcessResult s_publish = null!;

    [OneTimeSetUp]
    public async Task Publish()
    {
        s_publishDirectory = Directory.CreateTempSubdirectory("psdk-aot-").FullName;
        var project = Path.Combine(ExampleProgram.QuickStart.Directory, "..", "..", "..", "QuickStart.csproj");
        s_publish = await ProcessResult.RunAsync("dotnet", ["publish", Path.GetFullPath(project), "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-o", s_publishDirectory]);
    }

    [OneTimeTearDown]
    public void Delete() => Directory.Delete(s_publishDirectory, recursive: true);

    private static string Binary => Path.Combine(s_publishDirectory, "QuickStart");

    [Test]
    public void Publishes_without_trimming_or_AOT_warnings_from_PipelineSdk()
    {
        Assert.That(s_publish.Exit, Is.EqualTo(0), s_publish.Output + s_publish.Error);
        // QuickStart references PipelineSdk.Gcp, whose Google and Newtonsoft dependencies warn about themselves.
        var warnings = s_publish.Output.Split('\n').Where(l => l.Contains("warning", StringComparison.Ordinal)).ToList();
        Assert.That(warnings, Is.All.Match("(Google\\.Apis|Google\\.Api\\.Gax|Google\\.Cloud|Newtonsoft\\.Json|/_/Src/Support/Google)"), string.Join("\n", warnings));
        Assert.That(warnings, Has.None.Match(@"src/PipelineSdk|PipelineSdk(\.Gcp)?\.dll|Assembly 'PipelineSdk"));
        Assert.That(File.Exists(Binary), Is.True);
        Assert.That(File.Exists(Path.Combine(s_publishDirectory, "QuickStart.dll")), Is.False, "a native binary, not a dll");
    }

    [Test]
    public async Task Step_mode_works_in_the_native_binary()
    {
        Assume.That(s_publish.Exit, Is.EqualTo(0), "publish failed; see Publishes_without_trimming_or_AOT_warnings_from_PipelineSdk");
        var output = Directory.CreateTempSubdirectory("psdk-aot-step-").FullName;
        var input = """{"inputs": {"parameterValues": {"firstNum": 10, "randomNum": 4}}, "outputs": {"outputFile": "OUT/executor_output.json"}}""".Replace("OUT", output, StringComparison.Ordinal);

        var result = await ProcessResult.RunAsync(Binary, ["step", "--pipeline", "vertex-example-pipeline", "--step", "subtract-numbers", "--executor-input", input]);

        Assert.That(result.Exit, Is.EqualTo(StepMode.Succeeded), result.Error);
        Assert.That(File.ReadAllText(Path.Combine(output, "executor_output.json")), Does.Contain("\"Output\": 6"));
        Directory.Delete(output, recursive: true);
    }

    [Test]
    public async Task The_native_binary_runs_its_pipeline_as_native_step_processes()
    {
        Assume.That(s_publish.Exit, Is.EqualTo(0), "publish failed; see Publishes_without_trimming_or_AOT_warnings_from_PipelineSdk");
        using var store = new TempStore();

        // The spec compiled into the native binary starts /app/QuickStart (no dotnet host, no dll).
        var result = await ProcessResult.RunAsync(Binary, ["--orchestrator", "local-process"], new Dictionary<string, string> { [StoreLocation.HomeVariable] = store.Path });

        Assert.That(result.Exit, Is.EqualTo(0), result.Output + result.Error);
        using var records = store.Open();
        var run = records.ListRuns().Single();
        Assert.That(run.Orchestrator, Is.EqualTo(OrchestratorFlavors.LocalProcess));
        Assert.That(records.GetStepRuns(run.Id).Select(s => s.Status), Is.All.EqualTo(StepStatus.Completed));
    }
}

/// <summary>
/// Publishes the artifacts test program as a Native AOT binary and runs its pipeline under local-process: every
/// artifact kind (JSON records through source-generated contexts, folders, metrics, a materializer) works trimmed.
/// </summary>
[Category("NativeAot")]
public class NativeAotArtifactTests
{
    private static string s_publishDirectory = null!;
    private static ProcessResult s_publish = null!;

    [OneTimeSetUp]
    public async Task Publish()
    {
        s_publishDirectory = Directory.CreateTempSubdirectory("psdk-aot-artifacts-").FullName;
        var project = Path.Combine(ExampleProgram.ArtifactsApp.Directory, "..", "..", "..", "PipelineSdk.Tests.ArtifactsApp.csproj");
        s_publish = await ProcessResult.RunAsync("dotnet", ["publish", Path.GetFullPath(project), "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-o", s_publishDirectory]);
    }

    [OneTimeTearDown]
    public void Delete() => Directory.Delete(s_publishDirectory, recursive: true);

    [Test]
    public async Task Every_artifact_kind_passes_between_native_step_processes_without_a_trimming_warning()
    {
        Assert.That(s_publish.Exit, Is.EqualTo(0), s_publish.Output + s_publish.Error);
        Assert.That(s_publish.Output.Split('\n').Where(l => l.Contains("warning", StringComparison.Ordinal)), Is.Empty, s_publish.Output);
        using var store = new TempStore();

        var result = await ProcessResult.RunAsync(Path.Combine(s_publishDirectory, "ArtifactsApp"), ["run", "artifact-kinds", "--orchestrator", "local-process"],
            new Dictionary<string, string> { [StoreLocation.HomeVariable] = store.Path });

        Assert.That(result.Exit, Is.EqualTo(0), result.Output + result.Error);
        using var records = store.Open();
        var steps = records.GetStepRuns(records.ListRuns().Single().Id);
        Assert.That(steps.Select(s => s.Status), Is.All.EqualTo(StepStatus.Completed));
        var outputs = steps.ToDictionary(s => s.TaskKey, s => records.GetOutputs(s.Id));
        Assert.That(outputs["train"]["Metrics"].MetadataJson, Is.EqualTo("""{"accuracy":0.75,"count":3}"""));
        Assert.That(File.ReadAllText(Artifacts.LocalArtifactStore.LocalPath(outputs["predict"]["Output"].Uri)), Is.EqualTo("""{"City":"Oslo","Temperatures":[10,20,30]}"""));
        Assert.That(File.ReadAllLines(Artifacts.LocalArtifactStore.LocalPath(outputs["words"]["Output"].Uri)), Is.EqualTo(new[] { "accuracy.txt=0.75", "weights.bin=10 20 30!" }));
    }
}
