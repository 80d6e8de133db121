using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using PipelineSdk.Gcp.Secrets;
using PipelineSdk.Gcp.Tests.Fakes;
using PipelineSdk.Gcp.Vertex;
using PipelineSdk.Server.Hosting;
using PipelineSdk.Server.Security;
using PipelineSdk.Store;
using PipelineSdk.Store.Remote;
using PipelineSdk.Store.Sql;
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
[NonParallelizable] // builds and publishes programs, as the other image fixtures do
public class EndToEndTests
{
    private static readonly string Cli = typeof(EndToEndTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "CliDll").Value!;

    // One copy of QuickStart for both tests: the second builds incrementally and finds its image pushed already.
    private ProgramCopy _program = null!;

    [OneTimeSetUp]
    public void CopyProgram() => _program = ProgramCopy.Of("QuickStart");

    [OneTimeTearDown]
    public void DeleteProgram() => _program.Dispose();

    [Test]
    [Order(1)]
    public async Task Register_a_GCP_stack_and_run_QuickStart_on_Vertex_from_its_image()
    {
        await using var google = await FakeGoogle.StartAsync();
        var root = Directory.CreateTempSubdirectory("psdk-e2e-").FullName;
        await using var vertex = await StartVertexAsync(google, root);
        var program = _program;
        var registry = ImageTestEnvironment.Registry;
        var environment = EnvironmentFor(google, vertex, root);
        environment["PIPELINES_HOME"] = "";
        Task<ProcessResult> Run(string command, params string[] args) => Succeed(command, args, environment);

        await Run("dotnet", Cli, "init");
        await Run("dotnet", Cli, "artifact-store", "register", "gcp_artifact_store", "--flavor=gcp", "--path=gs://e2e-bucket/root");
        await Run("dotnet", Cli, "container-registry", "register", "registry", "--flavor=default", $"--uri={registry.Host}/pipelines");
        await Run("dotnet", Cli, "orchestrator", "register", "vertex_orch", "--flavor=vertex", "--project=my-project", "--location=europe-west1", $"--workload_service_account={FakeGoogle.ServiceAccount}");
        await Run("dotnet", Cli, "stack", "register", "gcp_vertex_stack", "-a", "gcp_artifact_store", "-o", "vertex_orch", "-c", "registry", "--set");

        var first = await Run(RepositoryBuild.Dotnet, DotnetRun);
        var second = await Run(RepositoryBuild.Dotnet, DotnetRun);

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

    [Test]
    [Order(2)]
    public async Task Connected_to_a_server_QuickStart_submitted_without_waiting_records_its_steps_there_while_it_runs()
    {
        const string tokenSecret = "projects/my-project/secrets/pipelines-token/versions/latest";
        var root = Directory.CreateTempSubdirectory("psdk-e2e-server-").FullName;
        var serverDirectory = Path.Combine(root, "server");
        string userToken, stepsToken;
        using (var database = SqlMetadataStore.OpenSqlite(serverDirectory))
        {
            var tokens = new ApiTokens(database);
            userToken = tokens.Create("alice", TokenRole.Write, null);
            stepsToken = tokens.Create("vertex-steps", TokenRole.Write, null);
        }

        await using var server = await PipelineServer.StartAsync(new ServerOptions { StoreDirectory = serverDirectory, Port = 0 });
        await using var google = await FakeGoogle.StartAsync();
        google.AddSecret("my-project", "pipelines-token", stepsToken);
        await using var vertex = await StartVertexAsync(google, root);
        var environment = EnvironmentFor(google, vertex, root);
        environment["PIPELINES_HOME"] = Path.Combine(root, "alice");
        // The machine the tasks run on: its service account's credentials and Secret Manager; no server token.
        vertex.TaskEnvironment["GOOGLE_APPLICATION_CREDENTIALS"] = environment["GOOGLE_APPLICATION_CREDENTIALS"];
        vertex.TaskEnvironment[GcpSecretsManager.EndpointVariable] = google.BaseUrl;
        vertex.TaskEnvironment["PIPELINES_HOME"] = Path.Combine(root, "task-home");
        Task<ProcessResult> Run(params string[] args) => Succeed("dotnet", [Cli, .. args], environment);

        await Run("connect", "--url", server.Url, "--token", userToken);
        await Run("artifact-store", "register", "gcp_artifact_store", "--flavor=gcp", "--path=gs://e2e-bucket/root");
        await Run("container-registry", "register", "registry", "--flavor=default", $"--uri={ImageTestEnvironment.Registry.Host}/pipelines");
        await Run("orchestrator", "register", "vertex_orch", "--flavor=vertex", "--project=my-project", "--location=europe-west1", $"--workload_service_account={FakeGoogle.ServiceAccount}",
            "--synchronous=false", $"--server_token_secret={tokenSecret}");
        await Run("stack", "register", "gcp_vertex_stack", "-a", "gcp_artifact_store", "-o", "vertex_orch", "-c", "registry", "--set");
        var hold = vertex.Hold("subtract-numbers");

        var submitted = await Succeed(RepositoryBuild.Dotnet, DotnetRun, environment);

        Assert.That(submitted.Output, Does.Contain("Not waiting (synchronous=false)"));
        var jobId = vertex.JobIds.Single();
        await hold.ReachedAsync();
        var listed = JsonNode.Parse((await Run("runs", "list", "--output", "json")).Output)!.AsArray().Single()!;
        Assert.That((listed["id"]!.GetValue<string>(), listed["status"]!.GetValue<string>(), listed["stack"]!.GetValue<string>()), Is.EqualTo((jobId, "running", "gcp_vertex_stack")),
            "listed on the server while it runs");
        Assert.That(Steps(await Run("runs", "show", jobId, "--output", "json")), Is.EquivalentTo(new Dictionary<string, string> { ["get-first-num"] = "completed", ["get-random-int"] = "completed" }),
            "the steps that ran so far recorded themselves; the held one has not started");

        hold.Release();
        await vertex.WaitAsync(jobId);

        Assert.That(Steps(await Run("runs", "show", jobId, "--output", "json")).Values, Is.EquivalentTo(new[] { "completed", "completed", "completed" }));
        var ended = JsonNode.Parse((await Run("runs", "list", "--output", "json")).Output)!.AsArray().Single()!;
        Assert.That((ended["status"]!.GetValue<string>(), ended["endedAt"] is not null), Is.EqualTo(("completed", true)), "the listing asked Vertex AI how the job ended and recorded it");
        using var store = new ServerStore(Path.Combine(root, "reader"), new ServerConnection(server.Url, userToken));
        var steps = store.GetStepRuns(jobId).ToDictionary(s => s.TaskKey);
        var first = store.GetOutputs(steps["get-first-num"].Id)["Output"];
        var random = store.GetOutputs(steps["get-random-int"].Id)["Output"];
        var difference = store.GetOutputs(steps["subtract-numbers"].Id)["Output"];
        Assert.That(first.Uri, Does.StartWith($"gs://e2e-bucket/root/{jobId}/get-first-num/"));
        Assert.That((Read(first), first.ContentHash), Is.EqualTo(("10", PipelineSdk.Artifacts.ContentHash.Of("10"u8))));
        Assert.That(int.Parse(Read(difference), CultureInfo.InvariantCulture), Is.EqualTo(10 - int.Parse(Read(random), CultureInfo.InvariantCulture)));
        var inputs = store.GetInputs(steps["subtract-numbers"].Id).ToDictionary(i => i.InputName, i => i.ArtifactId);
        Assert.That(inputs, Is.EquivalentTo(new Dictionary<string, long?> { ["firstNum"] = first.Id, ["randomNum"] = random.Id }), "lineage to the producers' records");
        Assert.That(store.GetConsumers(random.Id).Select(s => s.TaskKey), Is.EqualTo(new[] { "subtract-numbers" }));
        Assert.That(vertex.CreatedBody(jobId).ToJsonString(), Does.Contain(tokenSecret).And.Not.Contain(stepsToken).And.Not.Contain(userToken), "the spec names the secret, never a token");

        Directory.Delete(root, recursive: true);

        string Read(ArtifactRecord artifact) => File.ReadAllText(Path.Combine(vertex.GcsRoot, artifact.Uri["gs://".Length..]));

        static Dictionary<string, string> Steps(ProcessResult shown) =>
            JsonNode.Parse(shown.Output)!["steps"]!.AsArray().ToDictionary(s => s!["task"]!.GetValue<string>(), s => s!["status"]!.GetValue<string>());
    }

    private string[] DotnetRun => ["run", "--project", _program.ProjectPath, "-c", ImageTestEnvironment.Configuration, $"-p:PipelineSdkImageBase={ImageTestEnvironment.BaseImageReference}"];

    /// <summary>A fake Vertex AI that pulls each job's image from the test registry and runs the tasks from its /app.</summary>
    private static async Task<FakeVertex> StartVertexAsync(FakeGoogle google, string root)
    {
        var vertex = await FakeVertex.StartAsync(google, root, Path.Combine(root, "gcs"));
        var registry = ImageTestEnvironment.Registry;
        vertex.PullImage = async image =>
        {
            var (repository, tag) = (image[(registry.Host.Length + 1)..image.LastIndexOf(':')], image[(image.LastIndexOf(':') + 1)..]);
            using var pulled = await RegistryImage.ReadAsync(registry, repository, tag);
            var rootfs = Path.Combine(root, "rootfs-" + tag);
            await pulled.UnpackAsync(rootfs, [pulled.LayerDigests[^1]]);
            return Path.Combine(rootfs, "app");
        };
        return vertex;
    }

    private static Dictionary<string, string> EnvironmentFor(FakeGoogle google, FakeVertex vertex, string root) => new()
    {
        ["HOME"] = root,
        ["DOTNET_CLI_HOME"] = root,
        // A new user's home, but the copy builds the repository's projects: they keep their packages where they are.
        ["NUGET_PACKAGES"] = MachinePackageCache.Folder,
        ["DOCKER_CONFIG"] = ImageTestEnvironment.EmptyDockerConfig(),
        ["PIPELINES_STACK"] = "",
        ["GOOGLE_APPLICATION_CREDENTIALS"] = google.WriteKeyFile(root),
        [VertexClient.EndpointVariable] = vertex.BaseUrl,
        [VertexClient.RetryDelayVariable] = "20",
        [VertexOrchestrator.PollIntervalVariable] = "100",
    };

    private async Task<ProcessResult> Succeed(string command, string[] args, Dictionary<string, string> environment)
    {
        var result = await ProcessResult.RunAsync(command, args, environment, _program.Directory);
        Assert.That(result.Exit, Is.EqualTo(0), $"{command} {string.Join(' ', args)}\n{result.Output}\n{result.Error}");
        return result;
    }
}
