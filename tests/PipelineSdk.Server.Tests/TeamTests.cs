using System.Diagnostics;
using PipelineSdk.Server.Security;
using PipelineSdk.Server.Tests.Fixtures;
using PipelineSdk.Store;

namespace PipelineSdk.Server.Tests;

/// <summary>A team on one server, played by real processes: the CLI, example programs and the server itself.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TeamTests
{
    [Test]
    public async Task Two_users_see_each_others_stacks_and_runs_and_share_the_cache()
    {
        await using var server = await TestServer.StartAsync();
        using var machines = new Machines();
        var alice = machines.User("alice");
        var bob = machines.User("bob");

        var refused = await alice.Fails("connect", "--url", server.Url, "--token", "psdk_0_0");
        Assert.That(refused, Does.Contain("not known to this server"));
        Assert.That(File.Exists(Path.Combine(alice.Store, "connection.json")), Is.False);

        var aliceToken = server.Token(TokenRole.Write, "alice");
        var connected = await alice.Ok("connect", "--url", server.Url, "--token", aliceToken);
        Assert.That(connected, Does.Contain(server.Url).And.Not.Contain(aliceToken));
        Assert.That(File.GetUnixFileMode(Path.Combine(alice.Store, "connection.json")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        await bob.Ok("connect", "--url", server.Url, "--token", server.Token(TokenRole.Write, "bob"));
        var status = await alice.Ok("status");
        Assert.That(status, Does.Contain("token is accepted").And.Not.Contain(aliceToken));

        await alice.Ok("stack", "copy", "default", "team");
        await alice.Ok("stack", "set", "team");
        var first = await alice.QuickStart();
        Assert.That(first.Exit, Is.EqualTo(0), first.Output + first.Error);
        Assert.That(first.Output, Does.Contain($"Records:   {server.Url}"));

        Assert.That(await bob.Ok("stack", "list", "--output", "json"), Does.Contain("\"team\""));
        Assert.That(await bob.Ok("stack", "describe", "--output", "json"), Does.Contain("\"default\""), "bob's active stack is his own");
        var second = await bob.QuickStart();
        Assert.That(second.Exit, Is.EqualTo(0), second.Output + second.Error);

        using var store = server.OpenDatabase();
        var runs = store.ListRuns();
        Assert.That(runs.Select(r => (r.Stack, r.Status)), Is.EquivalentTo(new[] { ("team", RunStatus.Completed), ("default", RunStatus.Completed) }));
        var bobsRun = runs.Single(r => r.Stack == "default");
        var firstNum = store.GetStepRuns(bobsRun.Id).Single(s => s.StepName == "get-first-num");
        Assert.That(firstNum.Status, Is.EqualTo(StepStatus.Cached), "alice's step is a cache hit for bob");
        Assert.That(await bob.Ok("runs", "list", "--output", "json"), Does.Contain(runs.Single(r => r.Stack == "team").Id));
        Assert.That(File.Exists(Path.Combine(alice.Store, MetadataStore.DatabaseFileName)), Is.False, "nothing is recorded locally");

        await alice.Ok("disconnect");
        Assert.That(await alice.Ok("status"), Does.Contain("embedded"));
    }

    [Test]
    public async Task Sixteen_programs_recording_at_once_lose_nothing()
    {
        await using var server = await TestServer.StartAsync();
        using var machines = new Machines();
        var token = server.Token(TokenRole.Write);
        var users = Enumerable.Range(0, 16).Select(i => machines.User($"user{i}")).ToList();
        foreach (var user in users)
        {
            await user.Ok("connect", "--url", server.Url, "--token", token);
        }

        var results = await Task.WhenAll(users.Select(u => u.QuickStart("--no-cache")));

        Assert.That(results.Select(r => r.Exit), Is.All.EqualTo(0), string.Join("\n", results.Select(r => r.Error)));
        using var store = server.OpenDatabase();
        var runs = store.ListRuns(limit: 100);
        Assert.That(runs, Has.Count.EqualTo(16));
        foreach (var run in runs)
        {
            Assert.That(run.Status, Is.EqualTo(RunStatus.Completed));
            var steps = store.GetStepRuns(run.Id);
            Assert.That(steps.Select(s => s.Status), Is.EqualTo(new[] { StepStatus.Completed, StepStatus.Completed, StepStatus.Completed }));
            Assert.That(steps.Select(s => store.GetOutputs(s.Id).Count), Is.All.EqualTo(1));
        }
    }

    [Test]
    public async Task A_run_survives_the_server_being_killed_and_restarted()
    {
        using var machines = new Machines();
        var serverStore = Path.Combine(machines.Root, "server");
        var port = Machines.FreePort();
        var server = await machines.StartServerProcess(serverStore, port);
        try
        {
            var admin = machines.User("admin");
            var token = (await admin.Ok("server", "token", "create", "runner", "--role", "write", "--store", serverStore)).Trim();
            var user = machines.User("user");
            await user.Ok("connect", "--url", $"http://127.0.0.1:{port}", "--token", token);
            var gate = Path.Combine(machines.Root, "gate");

            var run = user.GateApp("--param", $"gate={gate}");
            await WaitForRunningGate(serverStore);

            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            server.Dispose();
            server = await machines.StartServerProcess(serverStore, port);
            await File.WriteAllTextAsync(gate, "open");

            var result = await run;
            Assert.That(result.Exit, Is.EqualTo(0), result.Output + result.Error);
            using var store = new Hosting.ServerDatabase().Open(serverStore);
            var recorded = store.ListRuns().Single();
            Assert.That(recorded.Status, Is.EqualTo(RunStatus.Completed));
            Assert.That(store.GetStepRuns(recorded.Id).Select(s => (s.StepName, s.Status)),
                Is.EqualTo(new[] { ("before", StepStatus.Completed), ("at-gate", StepStatus.Completed), ("after", StepStatus.Completed) }));
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            server.Dispose();
        }
    }

    // The run is in its middle once the gate step is recorded as running.
    private static async Task WaitForRunningGate(string serverStore)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            using (var store = new Hosting.ServerDatabase().Open(serverStore))
            {
                if (store.ListRuns().SingleOrDefault() is { } run && store.GetStepRuns(run.Id).Any(s => s.StepName == "at-gate" && s.Status == StepStatus.Running))
                {
                    return;
                }
            }

            Assert.That(waited.Elapsed, Is.LessThan(PipelineSdk.Tests.Shared.ProcessResult.HangLimit), "the gate program never reached its gate");
            await Task.Delay(100);
        }
    }
}
