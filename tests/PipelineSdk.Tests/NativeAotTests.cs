using PipelineSdk.Execution;
using PipelineSdk.Orchestration;
using PipelineSdk.Store;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Tests;

/// <summary>
/// Publishes QuickStart as a Native AOT binary (as a step image would hold it) and runs it: step mode on its own, and
/// whole pipelines under local-process, whose spec now starts the native binary. The artifacts test program's pipelines
/// are compiled into the same binary (one AOT publish, the slowest thing this project does, instead of two): every
/// artifact kind (JSON records through source-generated contexts, folders, metrics, a materializer) works trimmed.
/// The copy drops the cloud integrations, whose Google and Amazon dependencies would be compiled whole (PipelineSdk.Gcp's
/// own code is checked by the AOT analyzers when it builds), and publishes Debug, as the image tests do: the native
/// compiler skips its optimizations, and trimming and AOT analysis are the same in both configurations.
/// </summary>
[Category("NativeAot")]
public class NativeAotTests
{
    private static ProgramCopy s_program = null!;
    private static string s_publishDirectory = null!;
    private static ProcessResult s_publish = null!;

    [OneTimeSetUp]
    public async Task Publish()
    {
        s_program = ProgramCopy.Of("QuickStart").WithoutCloudReferences().WithSourcesOf("tests/PipelineSdk.Tests.ArtifactsApp", except: "Program.cs");
        s_publishDirectory = Path.Combine(s_program.Directory, "native");
        s_publish = await ProcessResult.RunAsync(RepositoryBuild.Dotnet, ["publish", s_program.ProjectPath, "-c", "Debug", "-r", "linux-x64", "-p:PublishAot=true", "-o", s_publishDirectory]);
    }

    [OneTimeTearDown]
    public void Delete() => s_program.Dispose();

    private static string Binary => Path.Combine(s_publishDirectory, "QuickStart");

    private static Dictionary<string, string> StoreAt(TempStore store) => new() { [StoreLocation.HomeVariable] = store.Path };

    [Test]
    public void Publishes_without_trimming_or_AOT_warnings_from_PipelineSdk_or_the_program()
    {
        Assert.That(s_publish.Exit, Is.EqualTo(0), s_publish.Output + s_publish.Error);
        var warnings = s_publish.Output.Split('\n').Where(l => l.Contains("warning", StringComparison.Ordinal)).ToList();
        Assert.That(warnings, Is.Empty);
        Assert.That(File.Exists(Binary), Is.True);
        Assert.That(File.Exists(Path.Combine(s_publishDirectory, "QuickStart.dll")), Is.False, "a native binary, not a dll");
    }

    [Test]
    public async Task Step_mode_works_in_the_native_binary()
    {
        Assume.That(s_publish.Exit, Is.EqualTo(0), "publish failed; see Publishes_without_trimming_or_AOT_warnings_from_PipelineSdk_or_the_program");
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
        Assume.That(s_publish.Exit, Is.EqualTo(0), "publish failed; see Publishes_without_trimming_or_AOT_warnings_from_PipelineSdk_or_the_program");
        using var store = new TempStore();

        // The spec compiled into the native binary starts /app/QuickStart (no dotnet host, no dll).
        var result = await ProcessResult.RunAsync(Binary, ["run", "vertex-example-pipeline", "--orchestrator", "local-process"], StoreAt(store));

        Assert.That(result.Exit, Is.EqualTo(0), result.Output + result.Error);
        using var records = store.Open();
        var run = records.ListRuns().Single();
        Assert.That(run.Orchestrator, Is.EqualTo(OrchestratorFlavors.LocalProcess));
        Assert.That(records.GetStepRuns(run.Id).Select(s => s.Status), Is.All.EqualTo(StepStatus.Completed));
    }

    [Test]
    public async Task Every_artifact_kind_passes_between_native_step_processes()
    {
        Assume.That(s_publish.Exit, Is.EqualTo(0), "publish failed; see Publishes_without_trimming_or_AOT_warnings_from_PipelineSdk_or_the_program");
        using var store = new TempStore();

        var result = await ProcessResult.RunAsync(Binary, ["run", "artifact-kinds", "--orchestrator", "local-process"], StoreAt(store));

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
