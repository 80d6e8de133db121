using Google.Cloud.Storage.V1;
using PipelineSdk.Artifacts;
using PipelineSdk.Execution;
using PipelineSdk.Gcp.Artifacts;
using PipelineSdk.Gcp.Tests.Fakes;
using PipelineSdk.Descriptors;
using PipelineSdk.Orchestration;
using PipelineSdk.Store;
using PipelineSdk.Values;

namespace PipelineSdk.Gcp.Tests;

/// <summary>
/// A local run importing a <c>gs://</c> artifact: without a mount, the importer downloads it through the Cloud Storage client
/// (against the fake Cloud Storage) into the store's stand-in for the mount, records it with its <c>gs://</c> URI, and the
/// step after it reads the content; a missing object fails the importer in one line.
/// </summary>
[NonParallelizable]
public class GcsImportTests
{
    private const string Bucket = "exports";
    private const string Uri = $"gs://{Bucket}/2026/customers.csv";

    private EmulatedGcs _emulated = null!;
    private FakeGcs _gcs = null!;
    private string _directory = null!;

    [SetUp]
    public async Task SetUp()
    {
        Assume.That(Directory.Exists(GcsMount.VertexRoot), Is.False, "this machine has a /gcs mount, which the importer would use");
        GcpStackComponents.Register();
        _emulated = await EmulatedGcs.StartAsync(Bucket, "psdk-gcs-import-");
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
    public async Task A_gs_uri_is_downloaded_through_the_client_and_recorded_with_its_uri()
    {
        var gcs = new GcsArtifactStore($"gs://{Bucket}", new StorageClientBuilder { BaseUri = _gcs.BaseUri, UnauthenticatedAccess = true }.Build());
        await gcs.WriteAsync(Uri, new MemoryStream("id,name\n1,Ada\n"u8.ToArray()), CancellationToken.None);

        var (run, store) = await RunAsync(Uri);
        using var _ = store;

        Assert.That(run.Status, Is.EqualTo(RunStatus.Completed), () => string.Join("\n", run.Steps.Select(s => $"{s.TaskKey}: {s.Error}")));
        var importer = run.Steps.Single(s => s.TaskKey == "importer");
        Assert.That(importer.Artifacts["artifact"].Uri, Is.EqualTo(Uri), "recorded as the gs:// URI it was given");
        Assert.That(importer.Artifacts["artifact"].MetadataJson, Is.EqualTo("{\"owner\":\"crm\"}"));
        Assert.That(run.Steps.Single(s => s.TaskKey == "read").Outputs["Output"], Is.EqualTo("id,name\n1,Ada\n|crm"));
        Assert.That(_gcs.Requests, Has.Some.StartsWith($"GET /storage/v1/b/{Bucket}/o/2026%2Fcustomers.csv?"), "read through the client");
        Assert.That(File.ReadAllText(Path.Combine(_directory, "gcs", Bucket, "2026", "customers.csv")), Is.EqualTo("id,name\n1,Ada\n"),
            "kept where local-process step processes see the mount");
    }

    [Test]
    public async Task A_missing_object_fails_the_importer_in_one_line_naming_it()
    {
        var missing = $"gs://{Bucket}/2026/missing.csv";

        var (run, store) = await RunAsync(missing);
        using var _ = store;

        Assert.That(run.Status, Is.EqualTo(RunStatus.Failed));
        var importer = run.Steps.Single(s => s.TaskKey == "importer");
        Assert.That(importer.Status, Is.EqualTo(StepStatus.Failed));
        Assert.That(importer.Error, Does.StartWith($"nothing to import at {missing}: no such object"));
        Assert.That(importer.Error, Does.Not.Contain("\n"));
        Assert.That(run.Steps.Single(s => s.TaskKey == "read").Status, Is.EqualTo(StepStatus.NotRun));
    }

    /// <summary>Runs importer → read in this process: the descriptor the generator writes for <c>Read(Importer.Import&lt;Dataset&gt;(uri, metadata: ...))</c>.</summary>
    private async Task<(PipelineRunResult Run, MetadataStore Store)> RunAsync(string uri)
    {
        var importer = StepDescriptor.ForImporter("importer", ArtifactCodecs.Kind<Dataset>(), reimport: false, "{\"owner\":\"crm\"}");
        var read = new StepDescriptor
        {
            Name = "read",
            MethodName = "Tests.Read",
            Inputs = [new StepPort("data", ArtifactCodecs.Kind<Dataset>())],
            Outputs = [new StepPort("Output", ParameterCodecs.String)],
            CodeParts = [],
            CodeFingerprint = "fingerprint",
            Invoke = (inputs, _) =>
            {
                var data = (Dataset)inputs[0]!;
                return ValueTask.FromResult<object?[]>([File.ReadAllText(data.Path) + "|" + data.Metadata["owner"]]);
            },
        };
        var pipeline = new PipelineDescriptor
        {
            Name = "gcs-import-test",
            MethodName = "Tests.GcsImport",
            Parameters = [],
            Nodes =
            [
                new PipelineTask { Key = "importer", Step = importer, Inputs = [new ConstantBinding("uri", System.Text.Json.JsonSerializer.Serialize(uri))], DependsOn = [], EnableCache = true },
                new PipelineTask { Key = "read", Step = read, Inputs = [new TaskOutputBinding("data", "importer", "artifact")], DependsOn = ["importer"], EnableCache = true },
            ],
            SpecJson = "{}",
        };
        var store = MetadataStore.Open(_directory);
        var orchestrator = new LocalOrchestrator(store, new LocalArtifactStore(LocalArtifactStore.DefaultRoot(_directory)));
        return (await orchestrator.RunAsync(pipeline, new Dictionary<string, object?>(), new RunOptions()), store);
    }
}
