using Microsoft.Data.Sqlite;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Cli.Tests;

/// <summary>
/// A bad environment — read-only home or store, a store path that is a file, damaged files, a full disk — is one
/// line naming the path and what to do, with its own exit code (<see cref="EnvironmentProblem"/>), from the tool,
/// from a pipeline program and from step mode. Other users of the machine cannot read the store.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class EnvironmentTests
{
    private static readonly UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    [Test]
    public async Task A_PIPELINES_HOME_that_is_a_file_is_named_with_its_exit_code()
    {
        using var workspace = new Workspace();
        var file = Path.Combine(workspace.Folder, "not-a-folder");
        File.WriteAllText(file, "x");
        workspace.With("PIPELINES_HOME", file);

        var tool = Workspace.OneLineError(await workspace.Pipelines("runs", "list"), (int)EnvironmentProblem.StoreNotAFolder, "runs list");
        var program = Workspace.OneLineError(await workspace.Example("QuickStart"), (int)EnvironmentProblem.StoreNotAFolder, "QuickStart");

        Assert.That(tool, Is.EqualTo($"error: PIPELINES_HOME={file} is a file, not a folder; point PIPELINES_HOME at a folder (it is created when missing) or unset it"));
        Assert.That(program, Is.EqualTo(tool));
    }

    [Test]
    public async Task A_metadata_db_that_is_not_a_database_is_named_with_its_exit_code()
    {
        using var workspace = new Workspace();
        Directory.CreateDirectory(workspace.Store);
        var database = Path.Combine(workspace.Store, "metadata.db");
        File.WriteAllText(database, "this is not a database, it is a note that is long enough to be read as a header\n");

        var tool = Workspace.OneLineError(await workspace.Pipelines("runs", "list"), (int)EnvironmentProblem.StoreDatabaseUnreadable, "runs list");
        var program = Workspace.OneLineError(await workspace.Example("QuickStart"), (int)EnvironmentProblem.StoreDatabaseUnreadable, "QuickStart");

        Assert.That(tool, Does.StartWith($"error: {database} is not a SQLite database or is damaged; move it away"));
        Assert.That(program, Is.EqualTo(tool));
    }

    [Test]
    public async Task A_metadata_db_from_a_newer_version_is_named_with_its_exit_code_and_left_alone()
    {
        using var workspace = new Workspace();
        await workspace.Ok("init");
        var database = Path.Combine(workspace.Store, "metadata.db");
        using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 99;";
            command.ExecuteNonQuery();
        }

        var line = Workspace.OneLineError(await workspace.Pipelines("stack", "describe"), (int)EnvironmentProblem.StoreDatabaseTooNew, "stack describe");
        Workspace.OneLineError(await workspace.Example("QuickStart"), (int)EnvironmentProblem.StoreDatabaseTooNew, "QuickStart");

        Assert.That(line, Does.StartWith($"error: {database} was written by a newer PipelineSdk (schema 99"));
    }

    [TestCase("{ not json", "is not a secrets file")]
    [TestCase("[1, 2]", "is not a secrets file")]
    public async Task A_garbage_secrets_file_is_named_with_its_exit_code(string content, string expected)
    {
        using var workspace = new Workspace();
        await workspace.Ok("init");
        await workspace.Ok("secrets-manager", "register", "local_secrets", "--flavor=local");
        await workspace.Ok("stack", "update", "default", "-x", "local_secrets");
        var file = Path.Combine(workspace.Store, "secrets.json");
        File.WriteAllText(file, content);

        var line = Workspace.OneLineError(await workspace.Pipelines("secret", "list"), (int)EnvironmentProblem.SecretsFileUnreadable, "secret list");

        Assert.That(line, Does.StartWith($"error: {file} {expected}"));
    }

    [Test]
    public async Task The_store_is_private_and_another_user_cannot_read_it()
    {
        using var workspace = new Workspace();
        Assert.That((await workspace.Example("QuickStart")).Exit, Is.EqualTo(0));
        Assert.That(File.GetUnixFileMode(workspace.Home + "/.config/pipelines"), Is.EqualTo(OwnerOnly));
        Assert.That(File.GetUnixFileMode(workspace.Home + "/.config/pipelines/metadata.db"), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));

        workspace.With("PIPELINES_HOME", workspace.Home + "/.config/pipelines");
        var other = await workspace.PipelinesAsOtherUser("runs", "list");
        var line = Workspace.OneLineError(other, (int)EnvironmentProblem.StoreNotWritable, "runs list as another user");

        Assert.That(line, Does.Contain(workspace.Home + "/.config/pipelines"));
        Assert.That(other.Output, Does.Not.Contain("vertex-example-pipeline"));
    }

    [Test]
    public async Task An_existing_store_readable_by_others_is_made_private_when_opened()
    {
        using var workspace = new Workspace();
        await workspace.Ok("init");
        File.SetUnixFileMode(workspace.Store, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(Path.Combine(workspace.Store, "metadata.db"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await workspace.Ok("stack", "list");

        Assert.That(File.GetUnixFileMode(workspace.Store), Is.EqualTo(OwnerOnly));
        Assert.That(File.GetUnixFileMode(Path.Combine(workspace.Store, "metadata.db")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public async Task A_read_only_home_is_one_line_for_the_tool_and_for_a_program()
    {
        using var workspace = new Workspace();
        await Workspace.GiveToOtherUser(workspace.Home);
        File.SetUnixFileMode(workspace.Home, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        var tool = Workspace.OneLineError(await workspace.PipelinesAsOtherUser("runs", "list"), (int)EnvironmentProblem.StoreNotWritable, "runs list");
        var program = Workspace.OneLineError(await workspace.ExampleAsOtherUser("QuickStart"), (int)EnvironmentProblem.StoreNotWritable, "QuickStart");

        Assert.That(tool, Does.StartWith($"error: {workspace.Home}/.config").And.Contain("cannot be written").And.EndWith("set PIPELINES_HOME to a writable folder"));
        Assert.That(program, Is.EqualTo(tool));
    }

    [Test]
    public async Task Read_only_commands_work_on_a_read_only_store_and_writes_are_one_line()
    {
        using var workspace = new Workspace();
        await workspace.Ok("init");
        Assert.That((await workspace.Example("QuickStart")).Exit, Is.EqualTo(0));
        string runId;
        using (var runs = System.Text.Json.JsonDocument.Parse(await workspace.Ok("runs", "list", "--output", "json")))
        {
            runId = runs.RootElement[0].GetProperty("id").GetString()!;
        }

        await Workspace.GiveToOtherUser(workspace.Store);
        var chmod = await ProcessResult.RunAsync("chmod", ["-R", "a-w", workspace.Store]);
        Assert.That(chmod.Exit, Is.EqualTo(0), chmod.Error);

        var list = await workspace.PipelinesAsOtherUser("runs", "list", "--output", "json");
        var show = await workspace.PipelinesAsOtherUser("runs", "show", runId);
        var artifact = await workspace.PipelinesAsOtherUser("artifacts", "show", "1");
        var describe = await workspace.PipelinesAsOtherUser("stack", "describe");
        var register = await workspace.PipelinesAsOtherUser("orchestrator", "register", "lp", "--flavor=local-process");

        foreach (var result in new[] { list, show, artifact, describe })
        {
            Assert.That(result.Exit, Is.EqualTo(0), result.Output + result.Error);
        }

        Assert.That(list.Output, Does.Contain(runId));
        Assert.That(show.Output, Does.Contain("subtract-numbers"));
        Assert.That(describe.Output, Does.Contain("'default' stack (ACTIVE)"));
        Assert.That(Workspace.OneLineError(register, (int)EnvironmentProblem.StoreNotWritable, "orchestrator register"), Does.Contain(Path.Combine(workspace.Store, "metadata.db")));
    }

    [Test]
    public async Task Step_mode_names_an_unwritable_output_file_and_a_full_disk_with_their_exit_codes()
    {
        using var workspace = new Workspace();
        var blocker = Path.Combine(workspace.Folder, "a-file");
        File.WriteAllText(blocker, "x");
        string Input(string outputFile) => $$$"""{"inputs": {"parameterValues": {"firstNum": 10, "randomNum": 4}}, "outputs": {"outputFile": "{{{outputFile}}}"}}""";

        var unwritable = await workspace.Example("QuickStart", "step", "--pipeline", "vertex-example-pipeline", "--step", "subtract-numbers", "--executor-input", Input(blocker + "/out/executor_output.json"));
        var full = await workspace.Example("QuickStart", "step", "--pipeline", "vertex-example-pipeline", "--step", "subtract-numbers", "--executor-input", Input("/dev/full"));

        Assert.That(Workspace.OneLineError(unwritable, (int)EnvironmentProblem.OutputNotWritable, "step to an unwritable file"),
            Does.StartWith($"error: {blocker}/out/executor_output.json cannot be written").And.Contain("outputs.outputFile"));
        Assert.That(Workspace.OneLineError(full, (int)EnvironmentProblem.DiskFull, "step to a full disk"),
            Is.EqualTo("error: the disk holding /dev/full is full; free some space and try again"));
    }

    [Test]
    public async Task A_full_disk_under_the_store_is_one_line_with_its_exit_code()
    {
        using var workspace = new Workspace();
        var disk = Path.Combine(workspace.Root, "small-disk");
        Directory.CreateDirectory(disk);
        // A 256 KiB file system of its own, nearly filled, in a private mount namespace (root, as CI runs).
        var script = $"mount -t tmpfs -o size=256k tmpfs '{disk}' && (dd if=/dev/zero of='{disk}/fill' bs=4k count=1000 2>/dev/null || true) && cd '{workspace.Folder}' && exec dotnet '{Workspace.ExampleDll("QuickStart")}'";

        var result = await ProcessResult.RunAsync("unshare", ["-m", "sh", "-c", script],
            new Dictionary<string, string> { ["HOME"] = workspace.Home, ["PIPELINES_HOME"] = Path.Combine(disk, "store"), ["PIPELINES_STACK"] = "" });

        Assert.That(Workspace.OneLineError(result, (int)EnvironmentProblem.DiskFull, "QuickStart on a full disk"), Does.StartWith($"error: the disk holding {disk}/store").And.EndWith("is full; free some space and try again"));
    }

    [Test]
    public async Task Step_mode_reads_the_executor_input_from_standard_input()
    {
        using var workspace = new Workspace();
        var output = Path.Combine(workspace.Folder, "out", "executor_output.json");
        var input = $$$"""{"inputs": {"parameterValues": {"firstNum": 10, "randomNum": 4}}, "outputs": {"outputFile": "{{{output}}}"}}""";

        var result = await workspace.ExampleWithInput("QuickStart", input, "step", "--pipeline", "vertex-example-pipeline", "--step", "subtract-numbers", "--executor-input", "-");

        Assert.That(result.Exit, Is.EqualTo(0), result.Error);
        Assert.That(File.ReadAllText(output), Does.Contain("\"Output\": 6"));
    }

    [TestCase("--param epochs=1 --param epochs=2", "error: --param epochs is given twice; give each parameter once")]
    [TestCase("--max-parallelism many", "error: Cannot parse argument 'many' for option '--max-parallelism': expected a whole number. (see --help)")]
    public async Task Bad_program_options_are_one_line_without_type_names(string arguments, string expected)
    {
        using var workspace = new Workspace();

        var result = await workspace.Example("LinearRegression", arguments.Split(' '));

        Assert.That(Workspace.OneLineError(result, 2, arguments), Is.EqualTo(expected));
    }

    [TestCase("runs list --limit -1", "error: --limit must be at least 1, got -1")]
    [TestCase("runs list --limit ten", "error: Cannot parse argument 'ten' for option '--limit': expected a whole number. (see --help)")]
    public async Task Bad_tool_options_are_one_line_without_type_names(string arguments, string expected)
    {
        using var workspace = new Workspace();

        Assert.That(await workspace.Fails(arguments.Split(' ')), Is.EqualTo(expected));
    }

    [Test]
    public async Task A_secret_used_as_a_setting_is_masked_in_what_a_run_prints_and_records()
    {
        using var workspace = new Workspace();
        var secretRoot = Path.Combine(workspace.Root, "hidden-artifact-root");
        await workspace.Ok("init");
        await workspace.Ok("secrets-manager", "register", "local_secrets", "--flavor=local");
        await workspace.Ok("artifact-store", "register", "hidden", "--flavor=local", "--path={{secret.storage.root}}");
        await workspace.Ok("orchestrator", "register", "processes", "--flavor=local-process");
        await workspace.Ok("stack", "register", "private", "-a", "hidden", "-o", "processes", "-x", "local_secrets", "--set");
        await workspace.Ok("secret", "create", "storage", $"--root={secretRoot}");

        var run = await workspace.Example("QuickStart");

        Assert.That(run.Exit, Is.EqualTo(0), run.Output + run.Error);
        Assert.That(Directory.Exists(secretRoot), Is.True, "the secret was used");
        Assert.That(run.Output, Does.Not.Contain(secretRoot).And.Contain("Artifacts: ***"));
        var logs = Directory.GetFiles(Path.Combine(workspace.Store, "logs"), "*.log", SearchOption.AllDirectories);
        Assert.That(logs, Is.Not.Empty);
        Assert.That(logs.Select(File.ReadAllText), Has.None.Contain(secretRoot));
    }
}
