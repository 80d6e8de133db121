using System.Reflection;
using PipelineSdk.Execution;
using PipelineSdk.Gcp.Artifacts;
using PipelineSdk.Gcp.Tests.Fakes;
using PipelineSdk.Store;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Gcp.Tests;

/// <summary><c>pipelines artifacts show|export</c> for an artifact stored in Cloud Storage, run as the real tool against <see cref="FakeGcs"/>.</summary>
public class GcsArtifactCommandsTests
{
    private const string Uri = "gs://team-artifacts/pipelines/run-1/train/model";
    private static readonly byte[] Model = "{\"slope\": 3, \"intercept\": 2}"u8.ToArray();

    private FakeGoogle _google = null!;
    private FakeGcs _gcs = null!;
    private string _directory = null!;
    private Dictionary<string, string> _environment = null!;

    [SetUp]
    public async Task SetUp()
    {
        Assume.That(Directory.Exists(GcsMount.VertexRoot), Is.False, "this machine has a /gcs mount, which the tool would read instead");
        _google = await FakeGoogle.StartAsync();
        _gcs = await FakeGcs.StartAsync(_google.IsIssuedToken);
        _gcs.CreateBucket("team-artifacts");
        _directory = Directory.CreateTempSubdirectory("psdk-gcs-cli-").FullName;
        var keys = Directory.CreateDirectory(Path.Combine(_directory, "keys")).FullName;
        _environment = new Dictionary<string, string>
        {
            ["PIPELINES_HOME"] = Path.Combine(_directory, "store"),
            [GcsArtifactStore.EndpointVariable] = _gcs.BaseUri,
            ["GOOGLE_APPLICATION_CREDENTIALS"] = _google.WriteKeyFile(keys),
            ["HOME"] = _directory,
        };

        var store = Direct();
        var stored = await store.WriteAsync(Uri, new MemoryStream(Model), CancellationToken.None);
        using var metadata = MetadataStore.Open(_environment["PIPELINES_HOME"]);
        var now = DateTimeOffset.UtcNow;
        metadata.CreateRun("run-1", "train-pipeline", now, "{}", "vertex");
        var stepRun = metadata.StartStepRun("run-1", "train", "train", now, cacheKey: null, cacheKeyParts: null);
        metadata.FinishStepRun(stepRun, StepStatus.Completed, now, null, [], [new NewArtifact("model", Uri, "system.Model", "Model", stored.Size, stored.ContentHash)]);
        metadata.EndRun("run-1", RunStatus.Completed, now, null);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _gcs.DisposeAsync();
        await _google.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task Show_previews_and_export_copies_a_gs_artifact_through_the_client()
    {
        var shown = await Pipelines("artifacts", "show", "1");
        var exported = await Pipelines("artifacts", "export", "1", Path.Combine(_directory, "model.json"));

        Assert.That(shown.Exit, Is.EqualTo(0), shown.Error);
        Assert.That(shown.Output, Does.Contain(Uri).And.Contain("{\"slope\": 3, \"intercept\": 2}"));
        Assert.That(_gcs.Requests.Where(r => r.EndsWith("→ 401", StringComparison.Ordinal)), Is.Empty, "the tool sends the credentials Cloud Storage needs");
        Assert.That(exported.Exit, Is.EqualTo(0), exported.Error);
        Assert.That(exported.Output.Trim(), Is.EqualTo($"Exported artifact #1 ({Model.Length} bytes) to {Path.Combine(_directory, "model.json")}."));
        Assert.That(await File.ReadAllBytesAsync(Path.Combine(_directory, "model.json")), Is.EqualTo(Model));
    }

    [Test]
    public async Task A_corrupt_download_or_a_deleted_object_is_one_line_and_writes_no_file()
    {
        _gcs.CorruptNextDownload();
        var corrupt = await Pipelines("artifacts", "export", "1", Path.Combine(_directory, "model.json"));
        await Direct().DeleteAsync(Uri, CancellationToken.None);
        var gone = await Pipelines("artifacts", "export", "1", Path.Combine(_directory, "model.json"));

        Assert.That(corrupt.Exit, Is.EqualTo(2));
        Assert.That(corrupt.Error, Does.StartWith($"error: {Uri} arrived corrupt").And.EndWith("read it again\n"));
        Assert.That(gone.Exit, Is.EqualTo(2));
        Assert.That(gone.Error, Is.EqualTo($"error: the content of artifact #1 is gone from {Uri}\n"));
        Assert.That(Directory.GetFiles(_directory), Is.Empty);
    }

    [Test]
    public async Task With_a_mount_the_tool_reads_the_file_under_it()
    {
        var mount = Path.Combine(_directory, "gcs");
        Directory.CreateDirectory(Path.Combine(mount, "team-artifacts/pipelines/run-1/train"));
        await File.WriteAllTextAsync(Path.Combine(mount, "team-artifacts/pipelines/run-1/train/model"), "from the mount");
        _environment[GcsMount.RootVariable] = mount;

        var shown = await Pipelines("artifacts", "show", "1");

        Assert.That(shown.Exit, Is.EqualTo(0), shown.Error);
        Assert.That(shown.Output, Does.Contain("from the mount"));
        Assert.That(_gcs.Requests.Where(r => r.StartsWith("GET", StringComparison.Ordinal)), Is.Empty);
    }

    /// <summary>The bucket as the test itself reaches it, with credentials the emulator accepts.</summary>
    private GcsArtifactStore Direct() =>
        new("gs://team-artifacts", GcsArtifactStore.CreateClient(_google.Auth(Directory.CreateDirectory(Path.Combine(_directory, "direct")).FullName), new System.Uri(_gcs.BaseUri)));

    private async Task<ProcessResult> Pipelines(params string[] args)
    {
        var cli = typeof(GcsArtifactCommandsTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "CliDll").Value!;
        return await ProcessResult.RunAsync("dotnet", [cli, .. args], _environment);
    }
}
