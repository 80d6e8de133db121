using System.Text.Json;
using Google.Cloud.Storage.V1;
using PipelineSdk.Execution;
using PipelineSdk.Gcp.Artifacts;
using PipelineSdk.Gcp.Tests.Fakes;
using PipelineSdk.Descriptors;
using PipelineSdk.Values;

namespace PipelineSdk.Gcp.Tests;

/// <summary>
/// Step mode with <c>gs://</c> input and output artifacts, as a Vertex AI task runs it: through the bucket mount
/// when there is one, else through the Cloud Storage client that <see cref="GcpStackComponents.Register"/> adds.
/// </summary>
[NonParallelizable]
public class GcsStepModeTests
{
    private const string Pipeline = "gcs-step-mode-test";
    private const string Step = "reverse-bytes";
    private const string Bucket = "vertex-root";
    private const string Input = $"gs://{Bucket}/runs/1234/load/data";
    private const string Output = $"gs://{Bucket}/runs/1234/reverse-bytes/reversed";

    private EmulatedGcs _emulated = null!;
    private FakeGcs _gcs = null!;
    private string _directory = null!;

    [OneTimeSetUp]
    public void RegisterPipeline()
    {
        var codec = ArtifactCodecs.Bytes;
        var step = new StepDescriptor
        {
            Name = Step,
            MethodName = "Tests.ReverseBytes",
            Inputs = [new StepPort("data", codec)],
            Outputs = [new StepPort("reversed", codec)],
            CodeParts = [],
            CodeFingerprint = "fingerprint",
            Invoke = (inputs, _) => ValueTask.FromResult<object?[]>([((byte[])inputs[0]!).Reverse().ToArray()]),
        };
        var task = new PipelineTask { Key = Step, Step = step, Inputs = [new TaskOutputBinding("data", "load", "data")], DependsOn = [], EnableCache = true };
        PipelineRegistry.Register(new PipelineDescriptor { Name = Pipeline, MethodName = "Tests.GcsStepModePipeline", Parameters = [], Nodes = [task], SpecJson = "{}" });
        var model = new StepDescriptor
        {
            Name = "train",
            MethodName = "Tests.Train",
            Inputs = [],
            Outputs = [new StepPort("model", ArtifactCodecs.Kind<PipelineSdk.Artifacts.Model>())],
            CodeParts = [],
            CodeFingerprint = "fingerprint",
            Invoke = (_, _) =>
            {
                var trained = new PipelineSdk.Artifacts.Model();
                Directory.CreateDirectory(trained.Path);
                File.WriteAllText(Path.Combine(trained.Path, "weights.txt"), "1 2 3");
                return ValueTask.FromResult<object?[]>([trained]);
            },
        };
        var train = new PipelineTask { Key = "train", Step = model, Inputs = [], DependsOn = [], EnableCache = true };
        PipelineRegistry.Register(new PipelineDescriptor { Name = FolderPipeline, MethodName = "Tests.GcsFolderPipeline", Parameters = [], Nodes = [train], SpecJson = "{}" });
        GcpStackComponents.Register();
    }

    private const string FolderPipeline = "gcs-step-mode-folder-test";

    [SetUp]
    public async Task SetUp()
    {
        // Anonymous: these tests reach it in-process through STORAGE_EMULATOR_HOST, the path local emulators take.
        _emulated = await EmulatedGcs.StartAsync(Bucket, "psdk-gcs-step-");
        _gcs = _emulated.Server;
        _directory = _emulated.Directory;
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_emulated is { } emulated)
        {
            await emulated.DisposeAsync();
        }
    }

    [Test]
    public async Task With_the_mount_present_artifacts_are_files_under_it_and_the_client_is_not_used()
    {
        var mount = Path.Combine(_directory, "gcs");
        Environment.SetEnvironmentVariable(GcsMount.RootVariable, mount);
        var inputFile = Path.Combine(mount, Bucket, "runs/1234/load/data");
        Directory.CreateDirectory(Path.GetDirectoryName(inputFile)!);
        await File.WriteAllBytesAsync(inputFile, [1, 2, 3, 4]);

        var (exit, _, error) = await RunStepAsync();

        Assert.That(exit, Is.EqualTo(StepMode.Succeeded), error);
        Assert.That(await File.ReadAllBytesAsync(Path.Combine(mount, Bucket, "runs/1234/reverse-bytes/reversed")), Is.EqualTo(new byte[] { 4, 3, 2, 1 }));
        Assert.That(_gcs.Requests, Is.Empty, "STORAGE_EMULATOR_HOST is set, yet the mount wins");
        Assert.That(ExecutorOutputUri(), Is.EqualTo(Output));
    }

    [Test]
    public async Task Without_a_mount_artifacts_stream_through_the_Cloud_Storage_client()
    {
        Assume.That(Directory.Exists(GcsMount.VertexRoot), Is.False, "this machine has a /gcs mount, which step mode would use");
        var store = new GcsArtifactStore($"gs://{Bucket}", new StorageClientBuilder { BaseUri = _gcs.BaseUri, UnauthenticatedAccess = true }.Build());
        await store.WriteAsync(Input, new MemoryStream([1, 2, 3, 4]), CancellationToken.None);

        var (exit, _, error) = await RunStepAsync();

        Assert.That(exit, Is.EqualTo(StepMode.Succeeded), error);
        Assert.That(_gcs.Content(Bucket, "runs/1234/reverse-bytes/reversed"), Is.EqualTo(new byte[] { 4, 3, 2, 1 }));
        Assert.That(_gcs.Requests, Has.Some.StartsWith("GET /storage/v1/b/vertex-root/o/runs%2F1234%2Fload%2Fdata?").And.Some.StartsWith("PUT /upload/storage/v1/b/vertex-root/o?"));
        Assert.That(ExecutorOutputUri(), Is.EqualTo(Output));
        Assert.That(Directory.EnumerateFileSystemEntries(_directory).Select(Path.GetFileName), Is.EqualTo(new[] { "executor_output.json" }), "nothing went to local files");
    }

    [Test]
    public async Task A_missing_input_object_is_malformed_input_naming_its_uri()
    {
        Assume.That(Directory.Exists(GcsMount.VertexRoot), Is.False, "this machine has a /gcs mount, which step mode would use");

        var (exit, _, error) = await RunStepAsync();

        Assert.That(exit, Is.EqualTo(StepMode.MalformedInput));
        Assert.That(error.TrimEnd('\n'), Is.EqualTo($"error: malformed executor input: inputs.artifacts.data.artifacts[0].uri: cannot read {Input}: nothing is stored at {Input}"));
    }

    [Test]
    public async Task A_missing_bucket_fails_the_step_with_one_line_saying_what_to_do()
    {
        Assume.That(Directory.Exists(GcsMount.VertexRoot), Is.False, "this machine has a /gcs mount, which step mode would use");
        var store = new GcsArtifactStore($"gs://{Bucket}", new StorageClientBuilder { BaseUri = _gcs.BaseUri, UnauthenticatedAccess = true }.Build());
        await store.WriteAsync(Input, new MemoryStream([1]), CancellationToken.None);

        var (exit, _, _) = await RunStepAsync(output: "gs://missing-bucket/out");

        Assert.That(exit, Is.EqualTo(StepMode.StepFailed));
        using var failure = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_directory, StepMode.ErrorFileName)));
        Assert.That(failure.RootElement.GetProperty("error").GetString(), Is.EqualTo(
            "StackException: bucket missing-bucket does not exist (write gs://missing-bucket/out); create it with `gcloud storage buckets create gs://missing-bucket --location=REGION` or correct the artifact store's path"));
    }

    [Test]
    public async Task A_folder_artifact_without_a_mount_fails_the_step_saying_it_needs_one_and_with_a_mount_is_a_folder_under_it()
    {
        Assume.That(Directory.Exists(GcsMount.VertexRoot), Is.False, "this machine has a /gcs mount, which step mode would use");
        var executorInput = $$"""
            {
              "outputs": {
                "artifacts": {"model": {"artifacts": [{"name": "model", "uri": "gs://{{Bucket}}/runs/1234/train/model", "type": {"schemaTitle": "system.Model"}, "metadata": {} }] } },
                "outputFile": "{{Path.Combine(_directory, "executor_output.json")}}"
              }
            }
            """;

        var withoutMount = await StepMode.RunAsync(FolderPipeline, "train", executorInput, TextWriter.Null, TextWriter.Null, CancellationToken.None);
        using (var failure = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_directory, StepMode.ErrorFileName))))
        {
            Assert.That(withoutMount, Is.EqualTo(StepMode.StepFailed));
            Assert.That(failure.RootElement.GetProperty("error").GetString(), Does.StartWith($"IOException: gs://{Bucket}/runs/1234/train/model is not reachable as a file (no Cloud Storage mount), and a Model stored as a folder can only be written to a mount"));
            Assert.That(_gcs.Requests, Is.Empty, "nothing half-uploaded");
        }

        var mount = Path.Combine(_directory, "gcs");
        Environment.SetEnvironmentVariable(GcsMount.RootVariable, mount);
        var withMount = await StepMode.RunAsync(FolderPipeline, "train", executorInput, TextWriter.Null, TextWriter.Null, CancellationToken.None);

        Assert.That(withMount, Is.EqualTo(StepMode.Succeeded));
        Assert.That(File.ReadAllText(Path.Combine(mount, Bucket, "runs/1234/train/model/weights.txt")), Is.EqualTo("1 2 3"));
    }

    private async Task<(int Exit, string Output, string Error)> RunStepAsync(string output = Output)
    {
        var executorInput = $$"""
            {
              "inputs": {"artifacts": {"data": {"artifacts": [{"name": "data", "uri": "{{Input}}", "type": {"schemaTitle": "system.Artifact"}, "metadata": {} }] } } },
              "outputs": {
                "artifacts": {"reversed": {"artifacts": [{"name": "reversed", "uri": "{{output}}", "type": {"schemaTitle": "system.Artifact"}, "metadata": {} }] } },
                "outputFile": "{{Path.Combine(_directory, "executor_output.json")}}"
              }
            }
            """;
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await StepMode.RunAsync(Pipeline, Step, executorInput, stdout, stderr, CancellationToken.None);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private string ExecutorOutputUri()
    {
        using var output = JsonDocument.Parse(File.ReadAllText(Path.Combine(_directory, "executor_output.json")));
        return output.RootElement.GetProperty("artifacts").GetProperty("reversed").GetProperty("artifacts")[0].GetProperty("uri").GetString()!;
    }

}
