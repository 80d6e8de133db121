using System.Reflection;
using System.Text.Json;
using PipelineSdk.Gcp.Tests.Fakes;
using PipelineSdk.Gcp.Vertex;
using PipelineSdk.Store;
using PipelineSdk.Tests.Shared;

// In the Images namespace so the image fixture (the real registry with the offline base image) applies.
namespace PipelineSdk.Gcp.Tests.Images;

/// <summary>
/// The tutorial's story end to end on 127.0.0.1: the `pipelines` tool registers a GCP stack; `dotnet run` of
/// an unchanged QuickStart publishes it to the real CNCF registry, submits the job to the fake Vertex AI, which
/// pulls the image, unpacks it and runs each task's entry command from it through the executor contract; the
/// run comes back into the store with its outputs. A second run reuses the image without pushing.
/// </summary>
[Category("EndToEnd")]
public class EndToEndTests
{
    [Test]
    public async Task Register_a_GCP_stack_and_run_QuickStart_on_Vertex_from_its_image()
    {
        await using var google = await FakeGoogle.StartAsync();
        var root = Directory.CreateTempSubdirectory("psdk-e2e-").FullName;
        await using var vertex = await FakeVertex.StartAsync(google, root, Path.Combine(root, "gcs"));
        using var program = ProgramCopy.Of("QuickStart");
        var registry = ImageTestEnvironment.Registry;
        vertex.PullImage = async image =>
        {
            var (repository, tag) = (image[(registry.Host.Length + 1)..image.LastIndexOf(':')], image[(image.LastIndexOf(':') + 1)..]);
            using var pulled = await RegistryImage.ReadAsync(registry, repository, tag);
            var rootfs = Path.Combine(root, "rootfs-" + tag);
            await pulled.UnpackAsync(rootfs, [pulled.LayerDigests[^1]]);
            return Path.Combine(rootfs, "app");
        };
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = root,
            ["DOTNET_CLI_HOME"] = root,
            ["DOCKER_CONFIG"] = ImageTestEnvironment.EmptyDockerConfig(),
            ["PIPELINES_HOME"] = "",
            ["PIPELINES_STACK"] = "",
            ["GOOGLE_APPLICATION_CREDENTIALS"] = google.WriteKeyFile(root),
            [VertexClient.EndpointVariable] = vertex.BaseUrl,
            [VertexClient.RetryDelayVariable] = "20",
            [VertexOrchestrator.PollIntervalVariable] = "100",
        };
        async Task<ProcessResult> Run(string command, params string[] args)
        {
            var result = await ProcessResult.RunAsync(command, args, environment, program.Directory);
            Assert.That(result.Exit, Is.EqualTo(0), $"{command} {string.Join(' ', args)}\n{result.Output}\n{result.Error}");
            return result;
        }

        var cli = typeof(EndToEndTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "CliDll").Value!;
        await Run("dotnet", cli, "init");
        await Run("dotnet", cli, "artifact-store", "register", "gcp_artifact_store", "--flavor=gcp", "--path=gs://e2e-bucket/root");
        await Run("dotnet", cli, "container-registry", "register", "registry", "--flavor=default", $"--uri={registry.Host}/pipelines");
        await Run("dotnet", cli, "orchestrator", "register", "vertex_orch", "--flavor=vertex", "--project=my-project", "--location=europe-west1", $"--workload_service_account={FakeGoogle.ServiceAccount}");
        await Run("dotnet", cli, "stack", "register", "gcp_vertex_stack", "-a", "gcp_artifact_store", "-o", "vertex_orch", "-c", "registry", "--set");

        string[] dotnetRun = ["run", "--project", program.ProjectPath, "-c", ImageTestEnvironment.Configuration, $"-p:PipelineSdkImageBase={ImageTestEnvironment.BaseImageReference}"];
        var first = await Run("dotnet", dotnetRun);
        var second = await Run("dotnet", dotnetRun);

        Assert.That(first.Output, Does.Contain($"Pushed image {registry.Host}/pipelines/quickstart:"));
        Assert.That(second.Output, Does.Contain("is up to date; nothing rebuilt or pushed."));
        Assert.That(vertex.JobIds, Has.Count.EqualTo(2));
        var image = vertex.CreatedBody(vertex.JobIds.First())["pipelineSpec"]!["deploymentSpec"]!["executors"]!["exec-subtract-numbers"]!["container"]!["image"]!.GetValue<string>();
        Assert.That(await registry.TagsAsync("pipelines/quickstart"), Does.Contain(image[(image.LastIndexOf(':') + 1)..]));
        Assert.That(first.Output, Does.Contain("job SUCCEEDED").And.Contain("View it in the console: https://console.cloud.google.com/vertex-ai/locations/europe-west1/pipelines/runs/"));

        using var store = MetadataStore.Open(Path.Combine(program.Directory, ".pipelines"));
        Assert.That(store.ListRuns(), Has.Count.EqualTo(2), "both runs are recorded");
        foreach (var run in store.ListRuns())
        {
            Assert.That(run.Status, Is.EqualTo(RunStatus.Completed));
            Assert.That(run.Orchestrator, Is.EqualTo("vertex"));
            var outputs = store.GetStepRuns(run.Id).ToDictionary(s => s.TaskKey, s => File.ReadAllText(PipelineSdk.Artifacts.LocalArtifactStore.LocalPath(store.GetOutputs(s.Id)["Output"].Uri)));
            Assert.That(int.Parse(outputs["subtract-numbers"], System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(10 - int.Parse(outputs["get-random-int"], System.Globalization.CultureInfo.InvariantCulture)));
        }

        Directory.Delete(root, recursive: true);
    }
}
