using System.Net;
using System.Text;
using System.Text.Json;
using PipelineSdk.Server.Security;
using PipelineSdk.Server.Tests.Fixtures;
using PipelineSdk.Stacks;
using PipelineSdk.Store;

namespace PipelineSdk.Server.Tests;

/// <summary>Every refusal of the API: the status code, one line of problem details, and nothing written.</summary>
public sealed class SecurityTests
{
    private const string RunBody = """{"pipeline":"p","startedAt":"2026-12-04T10:00:00Z","parametersJson":"{}","orchestrator":"local"}""";

    [Test]
    public async Task Health_and_the_dashboard_page_answer_without_a_token_and_nothing_else_does()
    {
        await using var server = await TestServer.StartAsync();
        using var anonymous = server.Http(token: null);

        using var health = await anonymous.GetAsync("api/v1/health");
        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await health.Content.ReadAsStringAsync(), Does.Contain("\"status\":\"ok\""));

        foreach (var path in new[] { "api/v1/stacks", "api/v1/runs", "api/v1/components/orchestrator", "api/v1/secret-references", "api/v1/schedules", "api/v1/artifacts/1", "api/v1/run-summaries", "api/v1/schedule-summaries", "api/v1/events", "api/v1/step-runs/1/log/stream", "api/v1/nowhere" })
        {
            using var response = await anonymous.GetAsync(path);
            await AssertProblem(response, HttpStatusCode.Unauthorized, "needs an API token");
            Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.StartWith("Bearer"));
        }

        // The dashboard's page holds no data: it asks for a token (or a session) before showing any.
        using var page = await anonymous.GetAsync("");
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(page.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        Assert.That(page.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("script-src 'self'"));
        using var nowhere = await anonymous.GetAsync("nowhere");
        Assert.That(nowhere.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Unknown_revoked_and_expired_tokens_get_401_and_write_nothing()
    {
        await using var server = await TestServer.StartAsync();
        var revoked = server.Token(TokenRole.Write, "leaver");
        var expired = server.Token(TokenRole.Write, "temporary", TimeSpan.FromMinutes(1));
        using (var database = server.OpenDatabase())
        {
            new ApiTokens(database).Revoke("leaver");
            using var db = database.Lease();
            db.Execute("UPDATE api_tokens SET expires_at = '2020-01-01T00:00:00.0000000Z' WHERE name = 'temporary';");
        }

        var forged = server.Token(TokenRole.Write)[..^4] + "0000";
        foreach (var (token, message) in new[] { (revoked, "was revoked"), (expired, "expired"), (forged, "not known"), ("not-a-token", "not a PipelineSdk API token") })
        {
            using var http = server.Http(token);
            using var response = await http.PutAsync("api/v1/runs/r1", Json(RunBody));
            await AssertProblem(response, HttpStatusCode.Unauthorized, message);
        }

        using var store = server.OpenDatabase();
        Assert.That(store.GetRun("r1"), Is.Null);
    }

    [Test]
    public async Task A_read_token_reads_but_cannot_write()
    {
        await using var server = await TestServer.StartAsync();
        using var reader = server.Http(server.Token(TokenRole.Read, "dashboard"));

        using (var stacks = await reader.GetAsync("api/v1/stacks"))
        {
            Assert.That(stacks.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        using (var write = await reader.PutAsync("api/v1/runs/r1", Json(RunBody)))
        {
            await AssertProblem(write, HttpStatusCode.Forbidden, "'dashboard' may only read");
        }

        using (var delete = await reader.DeleteAsync("api/v1/stacks/default"))
        {
            await AssertProblem(delete, HttpStatusCode.Forbidden, "the token 'dashboard' has the read role; deleting a stack needs an admin token");
        }

        using var store = server.OpenDatabase();
        Assert.That(store.GetRun("r1"), Is.Null);
        Assert.That(store.ListStacks().Select(s => s.Name), Does.Contain(Stack.DefaultName));

        // Through the client, the refusal is the one-line error the CLI prints.
        using var client = server.Client(server.Token(TokenRole.Read));
        var error = Assert.Throws<StackException>(() => client.CreateRun("r2", "p", DateTimeOffset.UtcNow, "{}", "local"));
        Assert.That(error!.Message, Does.Contain("may only read").And.Not.Contain("\n"));
    }

    [Test]
    public async Task A_write_token_records_and_registers_but_only_an_admin_deletes_stacks_and_components_or_manages_tokens()
    {
        await using var server = await TestServer.StartAsync();
        using var writer = server.Client(server.Token(TokenRole.Write, "alice"));
        writer.RegisterComponent(new Component(ComponentType.ArtifactStore, "shared", "local", new Dictionary<string, string> { ["path"] = "/srv/artifacts" }));
        writer.RegisterStack("team", new Dictionary<ComponentType, string> { [ComponentType.Orchestrator] = "default", [ComponentType.ArtifactStore] = "shared" });
        writer.CreateRun("r1", "p", DateTimeOffset.UtcNow, "{}", "local");
        using var http = server.Http(server.Token(TokenRole.Write, "bob"));

        foreach (var (request, action) in new[]
        {
            (new HttpRequestMessage(HttpMethod.Delete, "api/v1/stacks/team"), "deleting a stack"),
            (new HttpRequestMessage(HttpMethod.Delete, "api/v1/components/artifact-store/shared"), "deleting a component"),
            (new HttpRequestMessage(HttpMethod.Get, "api/v1/tokens"), "listing tokens"),
            (new HttpRequestMessage(HttpMethod.Post, "api/v1/tokens") { Content = Json("""{"name":"mine","role":"admin"}""") }, "creating tokens"),
            (new HttpRequestMessage(HttpMethod.Delete, "api/v1/tokens/alice"), "revoking tokens"),
        })
        {
            using (request)
            using (var response = await http.SendAsync(request))
            {
                await AssertProblem(response, HttpStatusCode.Forbidden, $"the token 'bob' has the write role; {action} needs an admin token (`pipelines server token create NAME --role admin`)");
            }
        }

        using (var database = server.OpenDatabase())
        {
            Assert.That(database.ListStacks().Select(s => s.Name), Does.Contain("team"), "nothing deleted");
            Assert.That(database.ListComponents(ComponentType.ArtifactStore).Select(c => c.Name), Does.Contain("shared"));
            Assert.That(new ApiTokens(database).List().Select(t => (t.Name, t.RevokedAt)), Does.Contain(("alice", (DateTimeOffset?)null)).And.None.Matches<(string Name, DateTimeOffset?)>(t => t.Name == "mine"));
        }

        // Through the client, the refusal is the one-line error the CLI prints.
        var refused = Assert.Throws<StackException>(() => writer.DeleteStack("team"));
        Assert.That(refused!.Message, Is.EqualTo("the token 'alice' has the write role; deleting a stack needs an admin token (`pipelines server token create NAME --role admin`)"));

        using var admin = server.Client(server.Token(TokenRole.Admin));
        admin.DeleteStack("team");
        admin.DeleteComponent(ComponentType.ArtifactStore, "shared");
        Assert.That(admin.ListStacks().Select(s => s.Name), Is.EqualTo(new[] { Stack.DefaultName }));
    }

    [Test]
    public async Task An_admin_creates_lists_and_revokes_tokens_through_the_API()
    {
        await using var server = await TestServer.StartAsync();
        using var admin = server.Http(server.Token(TokenRole.Admin, "root"));

        using var created = await admin.PostAsync("api/v1/tokens", Json("""{"name":"ci","role":"write","expires":"30d"}"""));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        using var createdBody = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var token = createdBody.RootElement.GetProperty("token").GetString()!;
        Assert.That((createdBody.RootElement.GetProperty("name").GetString(), createdBody.RootElement.GetProperty("role").GetString(), token), Is.EqualTo(("ci", "write", token)));
        using (var ci = server.Http(token))
        using (var runs = await ci.GetAsync("api/v1/runs"))
        {
            Assert.That(runs.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the new token works");
        }

        using (var listed = await admin.GetAsync("api/v1/tokens"))
        {
            var text = await listed.Content.ReadAsStringAsync();
            Assert.That(text, Does.Not.Contain(token[^20..]), "never a secret in a listing");
            using var list = JsonDocument.Parse(text);
            var ciEntry = list.RootElement.EnumerateArray().Single(t => t.GetProperty("name").GetString() == "ci");
            Assert.That((ciEntry.GetProperty("role").GetString(), ciEntry.GetProperty("expiresAt").ValueKind), Is.EqualTo(("write", JsonValueKind.String)));
        }

        using (var revoked = await admin.DeleteAsync("api/v1/tokens/ci"))
        {
            Assert.That(revoked.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        }

        using (var ci = server.Http(token))
        using (var refused = await ci.GetAsync("api/v1/runs"))
        {
            await AssertProblem(refused, HttpStatusCode.Unauthorized, "the token 'ci' was revoked");
        }

        using (var unknown = await admin.DeleteAsync("api/v1/tokens/nobody"))
        {
            await AssertProblem(unknown, HttpStatusCode.NotFound, "no token named 'nobody'");
        }

        using (var badRole = await admin.PostAsync("api/v1/tokens", Json("""{"name":"x","role":"owner"}""")))
        {
            await AssertProblem(badRole, HttpStatusCode.BadRequest, "role 'owner' is not one of admin, write, read");
        }
    }

    [Test]
    public async Task Malformed_and_incomplete_bodies_get_400_and_write_nothing()
    {
        await using var server = await TestServer.StartAsync();
        using var http = server.Http(server.Token(TokenRole.Write));

        using (var malformed = await http.PutAsync("api/v1/runs/r1", Json("{\"pipeline\": ")))
        {
            await AssertProblem(malformed, HttpStatusCode.BadRequest, "not a valid JSON object");
        }

        using (var missing = await http.PutAsync("api/v1/runs/r1", Json("""{"startedAt":"2026-12-04T10:00:00Z","parametersJson":"{}","orchestrator":"local"}""")))
        {
            await AssertProblem(missing, HttpStatusCode.BadRequest, "pipeline");
        }

        using (var wrongType = await http.PostAsync("api/v1/components/orchestrator", Json("""{"type":"orchestrator","name":"x","flavor":"local","settings":[]}""")))
        {
            await AssertProblem(wrongType, HttpStatusCode.BadRequest, "not a valid JSON object");
        }

        using (var badQuery = await http.GetAsync("api/v1/runs?limit=lots"))
        {
            await AssertProblem(badQuery, HttpStatusCode.BadRequest, "limit=lots");
        }

        using var store = server.OpenDatabase();
        Assert.That(store.GetRun("r1"), Is.Null);
        Assert.That(store.ListComponents(ComponentType.Orchestrator).Select(c => c.Name), Is.EqualTo(new[] { "default" }));
    }

    [Test]
    public async Task An_oversized_body_gets_413_and_writes_nothing()
    {
        await using var server = await TestServer.StartAsync(maxRequestBodyBytes: 64 * 1024);
        using var http = server.Http(server.Token(TokenRole.Write));
        var huge = RunBody.Replace("\"parametersJson\":\"{}\"", $"\"parametersJson\":\"{new string('x', 100 * 1024)}\"", StringComparison.Ordinal);

        using var response = await http.PutAsync("api/v1/runs/big", Json(huge));

        await AssertProblem(response, HttpStatusCode.RequestEntityTooLarge, "larger than this server accepts");
        using var store = server.OpenDatabase();
        Assert.That(store.GetRun("big"), Is.Null);
    }

    [Test]
    public async Task Unknown_ids_get_404_with_what_is_missing()
    {
        await using var server = await TestServer.StartAsync();
        using var http = server.Http(server.Token(TokenRole.Admin));

        foreach (var (method, path, body, message) in new (HttpMethod, string, string?, string)[]
        {
            (HttpMethod.Get, "api/v1/runs/nope", null, "no run 'nope'"),
            (HttpMethod.Post, "api/v1/runs/nope/steps", """{"taskKey":"t","stepName":"s","startedAt":"2026-12-04T10:00:00Z"}""", "no run 'nope'"),
            (HttpMethod.Post, "api/v1/runs/nope/end", """{"status":"Completed","endedAt":"2026-12-04T10:00:00Z"}""", "no run 'nope'"),
            (HttpMethod.Get, "api/v1/step-runs/4242", null, "no step run 4242"),
            (HttpMethod.Post, "api/v1/step-runs/4242/finish", """{"status":"Completed","endedAt":"2026-12-04T10:00:00Z","inputs":[],"producedOutputs":[]}""", "no step run 4242"),
            (HttpMethod.Get, "api/v1/artifacts/4242", null, "no artifact 4242"),
            (HttpMethod.Get, "api/v1/artifacts/4242/content", null, "no artifact 4242"),
            (HttpMethod.Get, "api/v1/stacks/nope", null, "no stack named 'nope'"),
            (HttpMethod.Delete, "api/v1/stacks/nope", null, "no stack named 'nope'"),
            (HttpMethod.Get, "api/v1/components/orchestrator/nope", null, "no orchestrator named 'nope'"),
            (HttpMethod.Get, "api/v1/components/teapot", null, "no component type 'teapot'"),
            (HttpMethod.Get, "api/v1/schedules/nope", null, "no schedule 'nope'"),
            (HttpMethod.Get, "api/v1/nothing-here", null, "no endpoint GET /api/v1/nothing-here"),
        })
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : Json(body) };
            using var response = await http.SendAsync(request);
            await AssertProblem(response, HttpStatusCode.NotFound, message);
        }

        using var store = server.OpenDatabase();
        Assert.That(store.ListRuns(), Is.Empty);
    }

    [Test]
    public async Task Artifact_content_is_streamed_only_from_served_folders()
    {
        var served = Path.Combine(Path.GetTempPath(), "psdk-served", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(served);
        await using var server = await TestServer.StartAsync(artifactRoots: [served]);
        var inside = Path.Combine(served, "model.bin");
        await File.WriteAllBytesAsync(inside, [1, 2, 3, 4]);
        var outside = Path.Combine(server.Root, "secret.txt");
        await File.WriteAllTextAsync(outside, "not for clients");
        var link = Path.Combine(served, "link.txt");
        File.CreateSymbolicLink(link, outside);

        using var client = server.Client();
        client.CreateRun("r1", "p", DateTimeOffset.UtcNow, "{}", "local");
        var step = client.StartStepRun("r1", "t", "s", DateTimeOffset.UtcNow, null, null);
        var outputs = client.FinishStepRun(step, StepStatus.Completed, DateTimeOffset.UtcNow, null, [],
        [
            new NewArtifact("inside", new Uri(inside).AbsoluteUri, "system.Model", "byte[]", 4, "h1"),
            new NewArtifact("outside", new Uri(outside).AbsoluteUri, "system.Model", "byte[]", 15, "h2"),
            new NewArtifact("link", new Uri(link).AbsoluteUri, "system.Model", "byte[]", 15, "h3"),
            new NewArtifact("remote", "gs://bucket/model", "system.Model", "byte[]", 15, "h4"),
        ]);

        using (var content = client.OpenArtifactContent(outputs["inside"].Id))
        using (var copy = new MemoryStream())
        {
            content.CopyTo(copy);
            Assert.That(copy.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3, 4 }));
        }

        using var http = server.Http(server.Token(TokenRole.Read));
        foreach (var (name, message) in new[] { ("outside", "outside the folders this server serves"), ("link", "outside the folders this server serves"), ("remote", "which this server does not read") })
        {
            using var response = await http.GetAsync($"api/v1/artifacts/{outputs[name].Id}/content");
            await AssertProblem(response, HttpStatusCode.NotFound, message);
        }

        Directory.Delete(served, recursive: true);
    }

    [Test]
    public async Task Secret_references_are_listed_by_name_and_values_never_reach_the_server()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.Client();
        client.RegisterComponent(new Component(ComponentType.ArtifactStore, "shared", "local", new Dictionary<string, string> { ["path"] = "{{secret.storage.path}}" }));

        using var http = server.Http(server.Token(TokenRole.Read));
        var references = await http.GetStringAsync("api/v1/secret-references");

        Assert.That(references, Is.EqualTo("""[{"secret":"storage","key":"path","componentType":"artifact-store","component":"shared","setting":"path"}]"""));
        Assert.That(client.ListSecretReferences(), Is.EqualTo(new[] { ("storage", "path", "artifact-store shared", "path") }));
    }

    [Test]
    public void A_host_other_than_loopback_needs_allow_remote()
    {
        var options = new Hosting.ServerOptions { Host = "0.0.0.0", StoreDirectory = Path.GetTempPath() };

        var error = Assert.Throws<StackException>(() => options.BindAddress());

        Assert.That(error!.Message, Does.Contain("in clear").And.Contain("--allow-remote"));
        Assert.That((options with { AllowRemote = true }).BindAddress(), Is.EqualTo(IPAddress.Any));
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string detail)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {body}");
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), body);
        using var problem = JsonDocument.Parse(body);
        Assert.That(problem.RootElement.GetProperty("status").GetInt32(), Is.EqualTo((int)status));
        var text = problem.RootElement.GetProperty("detail").GetString();
        Assert.That(text, Does.Contain(detail).And.Not.Contain("\n"), body);
    }
}
