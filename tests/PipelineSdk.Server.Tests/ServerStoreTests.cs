using PipelineSdk.Server.Tests.Fixtures;
using PipelineSdk.Stacks;
using PipelineSdk.Store;

namespace PipelineSdk.Server.Tests;

/// <summary>The HTTP client of the server behaves like a store: records round-trip, retried writes are idempotent, errors are one line.</summary>
public sealed class ServerStoreTests
{
    [Test]
    public async Task A_run_round_trips_and_retried_writes_change_nothing()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.Client();
        var started = new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);

        client.CreateRun("r1", "p", started, """{"n":1}""", "local", "default", new RunOwner("host", 42, started, "alice"), """{"spec":true}""");
        client.CreateRun("r1", "other", started, "{}", "local");
        var first = client.StartStepRun("r1", "a", "step-a", started, "key-a", "{}", ["x"], cacheEnabled: true);
        Assert.That(client.StartStepRun("r1", "a", "step-a", started, "key-a", "{}"), Is.EqualTo(first));
        var outputs = client.FinishStepRun(first, StepStatus.Completed, started.AddSeconds(1), null,
            [new StepInputRecord("n", "parameter", null, "hash-n")], [new NewArtifact("out", "file:///tmp/out", "NUMBER_INTEGER", "int", 1, "hash-out")]);
        var again = client.FinishStepRun(first, StepStatus.Failed, started.AddSeconds(2), "late", [], []);
        client.RecordNotRun("r1", "b", "step-b", "a failed", ["a"]);
        client.RecordNotRun("r1", "b", "step-b", "again", ["a"]);
        client.Heartbeat("r1", started.AddSeconds(3));
        client.EndRun("r1", RunStatus.Completed, started.AddSeconds(4), null);

        using var reader = server.Client();
        var run = reader.GetRun("r1")!;
        Assert.That((run.Pipeline, run.Status, run.ParametersJson, run.Owner?.User), Is.EqualTo(("p", RunStatus.Completed, """{"n":1}""", "alice")));
        Assert.That(reader.GetRunSpec("r1"), Is.EqualTo("""{"spec":true}"""));
        Assert.That(again["out"], Is.EqualTo(outputs["out"]));
        var steps = reader.GetStepRuns("r1");
        Assert.That(steps.Select(s => (s.TaskKey, s.Status, s.Error)), Is.EqualTo(new[] { ("a", StepStatus.Completed, (string?)null), ("b", StepStatus.NotRun, "a failed") }));
        Assert.That(steps[0].DependsOn, Is.EqualTo(new[] { "x" }));
        Assert.That(reader.GetInputs(first).Single().ContentHash, Is.EqualTo("hash-n"));
        Assert.That(reader.GetArtifact(outputs["out"].Id)!.ContentHash, Is.EqualTo("hash-out"));
        Assert.That(reader.FindCachedStepRun("p", "key-a")!.StepRunId, Is.EqualTo(first));
        Assert.That(reader.FindCachedStepRun("p", "no-such-key"), Is.Null);
        Assert.That(reader.GetRun("nope"), Is.Null);
        Assert.That(reader.ListRuns("p", 10, RunStatus.Completed).Single().Id, Is.EqualTo("r1"));
    }

    [Test]
    public async Task Metadata_requests_the_server_cannot_take_are_one_line_400s_and_a_read_token_cannot_log()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.Client();
        var at = DateTimeOffset.UtcNow;
        client.CreateRun("r1", "p", at, "{}", "local");
        client.CreateRun("r2", "p", at, "{}", "local");
        var other = client.StartStepRun("r2", "a", "a", at, null, null);
        using var http = server.Http(server.Token(Security.TokenRole.Write));
        using var reader = server.Http(server.Token(Security.TokenRole.Read));

        async Task<(int Status, string Body)> Send(HttpClient with, HttpMethod method, string path, string? body = null)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
            using var response = await with.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            // Problem details: the one-line reason is the detail.
            return ((int)response.StatusCode, text.StartsWith('{') ? System.Text.Json.JsonDocument.Parse(text).RootElement.TryGetProperty("detail", out var detail) ? detail.GetString()! : text : text);
        }

        var badWhere = await Send(http, HttpMethod.Get, "api/v1/runs?where=" + Uri.EscapeDataString("accuracy"));
        Assert.That(badWhere.Status, Is.EqualTo(400));
        Assert.That(badWhere.Body, Does.StartWith("where='accuracy' has no operator; write KEY OP VALUE"));
        var foreign = await Send(http, HttpMethod.Post, $"api/v1/runs/r1/metadata?stepRun={other}", """{"a":1}""");
        Assert.That(foreign.Status, Is.EqualTo(400));
        Assert.That(foreign.Body, Is.EqualTo($"step run {other} is not a step run of run 'r1'"));
        Assert.That((await Send(http, HttpMethod.Post, "api/v1/runs/r1/metadata", "[1]")).Status, Is.EqualTo(400), "metadata is a JSON object");
        Assert.That((await Send(http, HttpMethod.Post, "api/v1/runs/nope/metadata", """{"a":1}""")).Status, Is.EqualTo(404));
        Assert.That((await Send(reader, HttpMethod.Post, "api/v1/runs/r1/metadata", """{"a":1}""")).Status, Is.EqualTo(403));
        Assert.That((await Send(http, HttpMethod.Post, "api/v1/runs/r1/metadata", """{"a":1}""")).Status, Is.EqualTo(204));
        Assert.That(client.GetRun("r1")!.MetadataJson, Is.EqualTo("""{"a":1}"""));
    }

    [Test]
    public async Task Stacks_are_shared_and_the_active_stack_belongs_to_each_client()
    {
        await using var server = await TestServer.StartAsync();
        using var alice = server.Client();
        using var bob = server.Client(server.Token(Security.TokenRole.Admin));

        alice.RegisterComponent(new Component(ComponentType.ArtifactStore, "shared", "local", new Dictionary<string, string> { ["path"] = "/srv/artifacts" }));
        alice.RegisterStack("team", new Dictionary<ComponentType, string> { [ComponentType.Orchestrator] = "default", [ComponentType.ArtifactStore] = "shared" });
        alice.SetActiveStack("team");

        Assert.That(bob.GetStack("team").ArtifactStore.Setting("path"), Is.EqualTo("/srv/artifacts"));
        Assert.That((alice.ActiveStackName, bob.ActiveStackName), Is.EqualTo(("team", "default")));
        var error = Assert.Throws<StackException>(() => bob.SetActiveStack("nope"));
        Assert.That(error!.Message, Does.StartWith("no stack named 'nope'"));
        Assert.That(Assert.Throws<StackException>(() => alice.DeleteStack("team"))!.Message, Does.Contain("is active"));
        Assert.That(Assert.Throws<StackException>(() => bob.RegisterStack("team", new Dictionary<ComponentType, string>()))!.Message, Does.StartWith("a stack named 'team' exists"));
        bob.DeleteStack("team");
        Assert.That(alice.ListStacks().Select(s => s.Name), Is.EqualTo(new[] { "default" }));
    }

    [Test]
    public async Task Schedules_are_recorded_for_every_client()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.Client();
        var schedule = new ScheduleRecord("s1", "nightly", "p", "0 3 * * *", "vertex", "team", "ACTIVE", "{}", "https://console/s1", new DateTimeOffset(2026, 12, 4, 0, 0, 0, TimeSpan.Zero));

        client.SaveSchedule(schedule);
        Assert.That(client.SetScheduleState("s1", "PAUSED"), Is.True);

        using var other = server.Client();
        Assert.That(other.ListSchedules(), Is.EqualTo(new[] { schedule with { State = "PAUSED" } }));
        Assert.That(other.DeleteSchedule("s1"), Is.True);
        Assert.That((other.GetSchedule("s1"), other.DeleteSchedule("s1"), other.SetScheduleState("s1", "ACTIVE")), Is.EqualTo(((ScheduleRecord?)null, false, false)));
    }

    [Test]
    public void An_unreachable_server_is_one_line_that_says_so()
    {
        var port = Machines.FreePort();
        Environment.SetEnvironmentVariable("PIPELINES_SERVER_RETRY_SECONDS", "0");
        try
        {
            using var client = new PipelineSdk.Store.Remote.ServerStore(Path.GetTempPath(), new PipelineSdk.Store.Remote.ServerConnection($"http://127.0.0.1:{port}", "psdk_x_y"));
            var error = Assert.Throws<StackException>(() => client.ListStacks());
            Assert.That(error!.Message, Does.StartWith($"the server at http://127.0.0.1:{port} cannot be reached").And.Not.Contain("\n"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("PIPELINES_SERVER_RETRY_SECONDS", null);
        }
    }
}
