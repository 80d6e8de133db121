using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using PipelineSdk.Gcp.Tests.Fakes;
using PipelineSdk.Gcp.Vertex;
using PipelineSdk.Server.Hosting;
using PipelineSdk.Server.Security;
using PipelineSdk.Stacks;
using PipelineSdk.Store;
using PipelineSdk.Store.Sql;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Gcp.Tests;

/// <summary>Cron schedules on the fake Vertex AI, from the `pipelines` tool and from code.</summary>
public class ScheduleTests
{
    private FakeGoogle _google = null!;
    private FakeVertex _vertex = null!;
    private string _directory = null!;
    private Dictionary<string, string> _environment = null!;

    private string Store => Path.Combine(_directory, "store");

    private static string Spec => Path.Combine(Metadata("ExamplesDirectory"), "LinearRegression", Metadata("OutputSubdirectory"), "pipelines", "linear-regression-pipeline.json");

    [SetUp]
    public async Task SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("psdk-schedules-").FullName;
        _google = await FakeGoogle.StartAsync();
        _vertex = await FakeVertex.StartAsync(_google, _directory, Path.Combine(_directory, "gcs"));
        _environment = new Dictionary<string, string>
        {
            ["PIPELINES_HOME"] = Store,
            ["PIPELINES_STACK"] = "",
            ["HOME"] = _directory,
            ["GOOGLE_APPLICATION_CREDENTIALS"] = _google.WriteKeyFile(_directory),
            [VertexClient.EndpointVariable] = _vertex.BaseUrl,
            [VertexClient.RetryDelayVariable] = "20",
        };
    }

    [TearDown]
    public async Task TearDown()
    {
        await _vertex.DisposeAsync();
        await _google.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task Create_list_pause_resume_and_delete_from_the_cli()
    {
        await RegisterVertexStack();

        var created = await Ok("schedule", "create", "nightly", "--spec", Spec, "--cron", "TZ=Europe/Berlin 0 3 * * *", "--image", "127.0.0.1:5000/pipelines/linear:abc", "--param", "epochs=20");
        var id = _vertex.Schedules.Keys.Single();
        Assert.That(created, Does.Contain($"Created schedule projects/my-project/locations/europe-west1/schedules/{id} ('nightly', TZ=Europe/Berlin 0 3 * * *)."));
        var job = _vertex.Schedules[id]["createPipelineJobRequest"]!["pipelineJob"]!;
        Assert.That(job["runtimeConfig"]!["parameterValues"]!["epochs"]!.GetValue<int>(), Is.EqualTo(20));
        Assert.That(job["runtimeConfig"]!["parameterValues"]!["seed"]!.GetValue<int>(), Is.EqualTo(42), "defaults come from the spec");
        Assert.That(job["pipelineSpec"]!["deploymentSpec"]!["executors"]!["exec-train"]!["container"]!["image"]!.GetValue<string>(), Is.EqualTo("127.0.0.1:5000/pipelines/linear:abc"));

        await Ok("schedule", "create", "weekly", "--spec", Spec, "--cron", "0 6 * * 1", "--image", "127.0.0.1:5000/pipelines/linear:abc");
        using (var list = JsonDocument.Parse(await Ok("schedule", "list", "--output", "json")))
        {
            Assert.That(list.RootElement.EnumerateArray().Select(s => s.GetProperty("displayName").GetString()), Is.EquivalentTo(new[] { "nightly", "weekly" }), "pages are followed");
        }

        await Ok("schedule", "pause", id);
        Assert.That(_vertex.Schedules[id]["state"]!.GetValue<string>(), Is.EqualTo("PAUSED"));
        var again = await Pipelines("schedule", "pause", id);
        Assert.That(again.Exit, Is.EqualTo(2));
        Assert.That(again.Error, Does.StartWith($"error: Vertex AI could not pause schedule {id} (400: Schedule {id} is PAUSED and cannot be paused.)"));
        await Ok("schedule", "resume", id);
        await Ok("schedule", "delete", id);
        Assert.That(_vertex.Schedules.Keys, Has.None.EqualTo(id));
    }

    [TestCase("--cron", "every day", "error: 'every day' is not a cron expression: give five fields (minute hour day month weekday), optionally after TZ=Zone, e.g. \"0 6 * * 1\"")]
    [TestCase("--param", "epochs=many", "error: --param epochs=many: not a NUMBER_INTEGER value")]
    [TestCase("--param", "depth=3", "error: --param depth=3: the pipeline has no parameter 'depth' (its parameters: epochs, learningRate, samples, seed, testFraction)")]
    public async Task Mistakes_in_a_schedule_are_one_line_errors(string option, string value, string expected)
    {
        await RegisterVertexStack();
        string[] args = ["schedule", "create", "bad", "--spec", Spec, "--cron", "0 3 * * *", "--image", "127.0.0.1:5000/p/app:1", option, value];

        var result = await Pipelines(option == "--cron" ? [.. args[..6], value, .. args[7..^2]] : args);

        Assert.That(result.Exit, Is.EqualTo(2));
        Assert.That(result.Error.TrimEnd('\n'), Is.EqualTo(expected));
        Assert.That(_vertex.Schedules, Is.Empty);
    }

    [Test]
    public async Task A_stack_without_Vertex_cannot_schedule()
    {
        var result = await Pipelines("schedule", "pause", "1000");

        Assert.That(result.Exit, Is.EqualTo(2));
        Assert.That(result.Error.TrimEnd('\n'), Is.EqualTo("error: stack 'default' runs on the local orchestrator; schedules need a stack with a vertex orchestrator (see `pipelines stack list`)"));
    }

    [Test]
    public async Task A_team_connected_to_one_server_sees_each_members_schedules_and_their_states()
    {
        var serverDirectory = Path.Combine(_directory, "server");
        string aliceToken, bobToken;
        using (var database = SqlMetadataStore.OpenSqlite(serverDirectory))
        {
            aliceToken = new ApiTokens(database).Create("alice", TokenRole.Write, null);
            bobToken = new ApiTokens(database).Create("bob", TokenRole.Read, null);
        }

        await using var server = await PipelineServer.StartAsync(new ServerOptions { StoreDirectory = serverDirectory, Port = 0 });
        var alice = new Dictionary<string, string>(_environment) { ["PIPELINES_HOME"] = Path.Combine(_directory, "alice") };
        var bob = new Dictionary<string, string>(_environment) { ["PIPELINES_HOME"] = Path.Combine(_directory, "bob") };
        bob.Remove("GOOGLE_APPLICATION_CREDENTIALS");
        await Ok(alice, "connect", "--url", server.Url, "--token", aliceToken);
        await Ok(bob, "connect", "--url", server.Url, "--token", bobToken);
        await RegisterVertexStack(alice);

        await Ok(alice, "schedule", "create", "nightly", "--spec", Spec, "--cron", "0 3 * * *", "--image", "127.0.0.1:5000/pipelines/linear:abc", "--param", "epochs=20");
        var id = _vertex.Schedules.Keys.Single();

        var seen = JsonNode.Parse(await Ok(bob, "schedule", "list", "--output", "json"))!.AsArray().Single()!;
        Assert.That(
            (seen["id"]!.GetValue<string>(), seen["displayName"]!.GetValue<string>(), seen["pipeline"]!.GetValue<string>(), seen["cron"]!.GetValue<string>(), seen["state"]!.GetValue<string>(), seen["stack"]!.GetValue<string>()),
            Is.EqualTo((id, "nightly", "linear-regression-pipeline", "0 3 * * *", "ACTIVE", "vertex_stack")),
            "bob's stack is not on Vertex and he has no Google credentials: he reads the team's records");
        Assert.That(seen["parameters"]!["epochs"]!.GetValue<int>(), Is.EqualTo(20));

        await Ok(alice, "schedule", "pause", id);
        Assert.That(State(await Ok(bob, "schedule", "list", "--output", "json")), Is.EqualTo("PAUSED"));

        // Resumed in the console: alice's next listing asks Vertex AI and records what it says.
        _vertex.Schedules[id]["state"] = "ACTIVE";
        Assert.That(State(await Ok(alice, "schedule", "list", "--output", "json")), Is.EqualTo("ACTIVE"));
        Assert.That(State(await Ok(bob, "schedule", "list", "--output", "json")), Is.EqualTo("ACTIVE"));

        await Ok(alice, "schedule", "delete", id);
        Assert.That(JsonNode.Parse(await Ok(bob, "schedule", "list", "--output", "json"))!.AsArray(), Is.Empty);

        static string State(string listed) => JsonNode.Parse(listed)!.AsArray().Single()!["state"]!.GetValue<string>();
    }

    [Test]
    public async Task A_schedule_made_on_Vertex_but_refused_by_the_store_is_a_warning()
    {
        var serverDirectory = Path.Combine(_directory, "server");
        using (var database = SqlMetadataStore.OpenSqlite(serverDirectory))
        {
            var writer = new ApiTokens(database).Create("alice", TokenRole.Write, null);
            _environment["PIPELINES_HOME"] = Path.Combine(_directory, "alice");
            await using var server = await PipelineServer.StartAsync(new ServerOptions { StoreDirectory = serverDirectory, Port = 0 });
            await Ok(_environment, "connect", "--url", server.Url, "--token", writer);
            await RegisterVertexStack(_environment);
            await Ok(_environment, "connect", "--url", server.Url, "--token", new ApiTokens(database).Create("auditor", TokenRole.Read, null));

            var created = await Pipelines("schedule", "create", "nightly", "--spec", Spec, "--cron", "0 3 * * *", "--image", "127.0.0.1:5000/pipelines/linear:abc");

            Assert.That(created.Exit, Is.EqualTo(0), created.Error);
            var id = _vertex.Schedules.Keys.Single();
            Assert.That(created.Error.Trim().Split('\n'), Has.One.StartsWith($"warning: schedule {id} changed on Vertex AI but not in the store (the token 'auditor' may only read; ")
                .And.All.StartsWith("warning: "), "one line for it, beside the warning that these steps cannot record live");
            Assert.That(JsonNode.Parse(await Ok("schedule", "list", "--output", "json"))!.AsArray().Single()!["id"]!.GetValue<string>(), Is.EqualTo(id),
                "a listing on the Vertex stack shows what Vertex AI has, even where it cannot record it");
        }
    }

    [Test]
    [NonParallelizable] // sets the Vertex endpoint in this process's environment
    public async Task Programs_create_schedules_from_code()
    {
        await RegisterVertexStack();
        using var store = MetadataStore.Open(Store);
        var stack = store.GetStack("vertex_stack");
        Environment.SetEnvironmentVariable(VertexClient.EndpointVariable, _vertex.BaseUrl);
        try
        {
            var keyFile = _environment["GOOGLE_APPLICATION_CREDENTIALS"];
            var auth = new Auth.GoogleAuth(() => Task.FromResult<Google.Apis.Auth.OAuth2.ITokenAccess>(
                Google.Apis.Auth.OAuth2.CredentialFactory.FromFile<Google.Apis.Auth.OAuth2.ServiceAccountCredential>(keyFile).ToGoogleCredential().CreateScoped(Auth.GoogleAuth.CloudPlatformScope)));
            var schedules = await VertexSchedules.OpenAsync(stack, Store, auth);
            using var defaults = JsonDocument.Parse("""{"samples": 10, "seed": 1, "testFraction": 0.5, "learningRate": 0.1, "epochs": 1}""");

            var schedule = await schedules.CreateAsync("from-code", File.ReadAllText(Spec), "127.0.0.1:5000/p/app:1", "*/30 * * * *",
                defaults.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone()));

            Assert.That(schedule.State, Is.EqualTo("ACTIVE"));
            Assert.That((await schedules.ListAsync()).Select(s => s.DisplayName), Is.EqualTo(new[] { "from-code" }));
        }
        finally
        {
            Environment.SetEnvironmentVariable(VertexClient.EndpointVariable, null);
        }
    }

    private async Task RegisterVertexStack()
    {
        await Ok("init");
        await RegisterVertexStack(_environment);
    }

    private async Task RegisterVertexStack(Dictionary<string, string> environment)
    {
        await Ok(environment, "artifact-store", "register", "gcs", "--flavor=gcp", "--path=gs://test-bucket/root");
        await Ok(environment, "container-registry", "register", "registry", "--flavor=default", "--uri=127.0.0.1:5000/pipelines");
        await Ok(environment, "orchestrator", "register", "vertex", "--flavor=vertex", "--project=my-project", "--location=europe-west1");
        await Ok(environment, "stack", "register", "vertex_stack", "-a", "gcs", "-o", "vertex", "-c", "registry", "--set");
    }

    private Task<string> Ok(params string[] args) => Ok(_environment, args);

    private async Task<string> Ok(Dictionary<string, string> environment, params string[] args)
    {
        var result = await ProcessResult.RunAsync("dotnet", [Metadata("CliDll"), .. args], environment, _directory);
        Assert.That(result.Exit, Is.EqualTo(0), $"pipelines {string.Join(' ', args)}\n{result.Output}{result.Error}");
        return result.Output;
    }

    private Task<ProcessResult> Pipelines(params string[] args) =>
        ProcessResult.RunAsync("dotnet", [Metadata("CliDll"), .. args], _environment, _directory);

    private static string Metadata(string key) =>
        typeof(ScheduleTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
