using System.Text.Json;

namespace PipelineSdk.Cli.Tests;

public class SecretTests
{
    private static async Task<Workspace> WithLocalSecrets()
    {
        var workspace = new Workspace();
        await workspace.Ok("init");
        await workspace.Ok("secrets-manager", "register", "local_secrets", "--flavor=local");
        await workspace.Ok("stack", "update", "default", "-x", "local_secrets");
        return workspace;
    }

    [Test]
    public async Task Create_get_list_and_delete_local_secrets_in_a_file_only_the_user_can_read()
    {
        using var workspace = await WithLocalSecrets();

        Assert.That(await workspace.Ok("secret", "create", "db", "--user=admin", "--password", "s3cr3t-Value"),
            Is.EqualTo("Created secret 'db' with 2 keys (user, password) in the secrets manager of stack 'default'.\n"));
        await workspace.Ok("secret", "create", "api", "--token=abc");

        using (var secret = JsonDocument.Parse(await workspace.Ok("secret", "get", "db", "--output", "json")))
        {
            Assert.That(secret.RootElement.GetProperty("password").GetString(), Is.EqualTo("s3cr3t-Value"));
        }

        Assert.That(await workspace.Ok("secret", "list"), Is.EqualTo("api\ndb\n"));
        var file = Path.Combine(workspace.Store, "secrets.json");
        if (!OperatingSystem.IsWindows())
        {
            Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        }

        Assert.That(System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(Path.Combine(workspace.Store, "metadata.db"))), Does.Not.Contain("s3cr3t-Value"));

        await workspace.Ok("secret", "delete", "db");
        Assert.That(await workspace.Fails("secret", "get", "db"), Is.EqualTo("error: no secret named 'db' in the secrets manager of stack 'default' (see `pipelines secret list`)"));
        Assert.That(await workspace.Fails("secret", "delete", "db"), Is.EqualTo("error: no secret named 'db' in the secrets manager of stack 'default'"));
    }

    [Test]
    public async Task Secrets_created_by_several_processes_at_once_are_all_kept()
    {
        using var workspace = await WithLocalSecrets();

        var results = await Task.WhenAll(Enumerable.Range(1, 6).Select(i => workspace.Pipelines("secret", "create", $"s{i}", $"--value={i}")));

        Assert.That(results.Select(r => r.Exit), Is.All.EqualTo(0), () => string.Join("\n", results.Select(r => r.Error)));
        Assert.That(await workspace.Ok("secret", "list"), Is.EqualTo("s1\ns2\ns3\ns4\ns5\ns6\n"));
    }

    [TestCase("secret create db", "error: a secret needs at least one --KEY=VALUE pair")]
    [TestCase("secret create db user=admin", "error: 'user=admin' is not a --KEY=VALUE pair")]
    [TestCase("secret create db --user", "error: --user has no value; write --user=VALUE")]
    [TestCase("secret create db --us.er=x", "error: 'us.er' is not a valid key: use letters, digits, '_' and '-'")]
    [TestCase("secret create api --token=again", "error: A secret named 'api' exists; delete it first with `pipelines secret delete api`.")]
    public async Task Bad_secret_commands_are_one_line_errors(string command, string expected)
    {
        using var workspace = await WithLocalSecrets();
        await workspace.Ok("secret", "create", "api", "--token=abc");

        Assert.That(await workspace.Fails(command.Split(' ')), Is.EqualTo(expected));
    }

    [Test]
    public async Task Without_a_secrets_manager_the_error_says_how_to_add_one()
    {
        using var workspace = new Workspace();
        await workspace.Ok("init");

        Assert.That(await workspace.Fails("secret", "list"), Is.EqualTo(
            "error: stack 'default' has no secrets manager; register one with `pipelines secrets-manager register NAME --flavor=local` and add it with `pipelines stack update default -x NAME`"));
    }

    [Test]
    public async Task Settings_keep_secret_references_and_runs_resolve_them_without_storing_the_value()
    {
        using var workspace = await WithLocalSecrets();
        var artifacts = Path.Combine(workspace.Root, "secret-artifacts");
        await workspace.Ok("secret", "create", "storage", $"--root={artifacts}");
        await workspace.Ok("artifact-store", "register", "hidden", "--flavor=local", "--path={{secret.storage.root}}");
        await workspace.Ok("stack", "register", "secretive", "-o", "default", "-a", "hidden", "-x", "local_secrets", "--set");

        Assert.That(await workspace.Ok("artifact-store", "describe", "hidden"), Does.Contain("{{secret.storage.root}}").And.Not.Contain(artifacts));
        var run = await workspace.Example("QuickStart");

        Assert.That(run.Exit, Is.EqualTo(0), run.Error);
        Assert.That(Directory.GetDirectories(artifacts), Has.Length.EqualTo(1), "the run wrote its artifacts where the secret points");
        Assert.That(System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(Path.Combine(workspace.Store, "metadata.db"))), Does.Contain("{{secret.storage.root}}"), "the component keeps the reference");
    }

    [Test]
    public async Task A_reference_to_a_missing_secret_fails_the_run_with_the_fix()
    {
        using var workspace = await WithLocalSecrets();
        await workspace.Ok("artifact-store", "register", "hidden", "--flavor=local", "--path={{secret.nope.root}}");
        await workspace.Ok("stack", "register", "secretive", "-o", "default", "-a", "hidden", "-x", "local_secrets", "--set");

        var run = await workspace.Example("QuickStart");

        Assert.That(run.Exit, Is.EqualTo(2));
        Assert.That(run.Error.TrimEnd('\n'), Is.EqualTo("error: Setting 'path' references secret 'nope', which does not exist; create it with `pipelines secret create nope --root=VALUE`."));
    }
}
