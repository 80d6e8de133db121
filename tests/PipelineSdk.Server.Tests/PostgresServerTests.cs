using PipelineSdk.Server.Hosting;
using PipelineSdk.Server.Security;
using PipelineSdk.Server.Tests.Fixtures;
using PipelineSdk.Stacks;
using PipelineSdk.Store;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Server.Tests;

/// <summary>The server on a real PostgreSQL database: tokens, records and refusals as on SQLite.</summary>
public sealed class PostgresServerTests
{
    [Test]
    public async Task A_server_on_postgresql_records_what_its_clients_send()
    {
        var cluster = await PostgresCluster.GetAsync();
        await using var server = await TestServer.StartAsync(database: new ServerDatabase(await cluster.CreateDatabaseAsync()));
        using var writer = server.Client();
        using var reader = server.Client(server.Token(TokenRole.Read));

        writer.CreateRun("r1", "p", DateTimeOffset.UtcNow, "{}", "local", "default");
        var step = writer.StartStepRun("r1", "a", "step-a", DateTimeOffset.UtcNow, "key", "{}");
        writer.FinishStepRun(step, StepStatus.Completed, DateTimeOffset.UtcNow, null, [], [new NewArtifact("out", "file:///tmp/x", "NUMBER_INTEGER", "int", 1, "h")]);
        writer.EndRun("r1", RunStatus.Completed, DateTimeOffset.UtcNow, null);

        Assert.That(reader.GetRun("r1")!.Status, Is.EqualTo(RunStatus.Completed));
        Assert.That(reader.FindCachedStepRun("p", "key")!.Outputs["out"].ContentHash, Is.EqualTo("h"));
        Assert.That(Assert.Throws<StackException>(() => reader.EndRun("r1", RunStatus.Failed, DateTimeOffset.UtcNow, "no"))!.Message, Does.Contain("may only read"));
        using var database = server.OpenDatabase();
        Assert.That(database.Location, Does.StartWith("postgresql://"));
        Assert.That(database.GetRun("r1")!.Status, Is.EqualTo(RunStatus.Completed));
    }

    [Test]
    public void A_password_file_that_does_not_exist_is_one_line()
    {
        var database = new ServerDatabase("Host=127.0.0.1;Database=x;Username=u", "/nonexistent/password");

        var error = Assert.Throws<StackException>(() => database.Open(Path.GetTempPath()));

        Assert.That(error!.Message, Is.EqualTo("--database-password-file /nonexistent/password: no such file"));
    }
}
