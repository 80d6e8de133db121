using System.Reflection;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Cli.Tests;

/// <summary>
/// A fresh folder with its own home directory, where the `pipelines` tool and the example programs run as
/// real processes — as a new user would run them, with nothing inherited from this machine's store.
/// </summary>
internal sealed class Workspace : IDisposable
{
    private readonly Dictionary<string, string> _environment;

    public Workspace()
    {
        Directory.CreateDirectory(Folder);
        Directory.CreateDirectory(Home);
        _environment = new Dictionary<string, string>
        {
            ["HOME"] = Home,
            ["DOTNET_CLI_HOME"] = Home,
            ["XDG_CONFIG_HOME"] = Path.Combine(Home, ".config"),
            ["PIPELINES_HOME"] = "",
            ["PIPELINES_STACK"] = "",
        };
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "psdk-cli", Guid.NewGuid().ToString("N"));

    public string Folder => Path.Combine(Root, "project");

    public string Home => Path.Combine(Root, "home");

    public string Store => Path.Combine(Folder, ".pipelines");

    public Workspace With(string variable, string value)
    {
        _environment[variable] = value;
        return this;
    }

    public Task<ProcessResult> Pipelines(params string[] args) =>
        ProcessResult.RunAsync("dotnet", [Metadata("CliDll"), .. args], _environment, Folder);

    public Task<ProcessResult> Example(string name, params string[] args) =>
        ProcessResult.RunAsync("dotnet", [ExampleDll(name), .. args], _environment, Folder);

    /// <summary>Runs an example program with <paramref name="standardInput"/> on its standard input.</summary>
    public Task<ProcessResult> ExampleWithInput(string name, string standardInput, params string[] args) =>
        ProcessResult.RunAsync("dotnet", [ExampleDll(name), .. args], _environment, Folder, standardInput);

    /// <summary>Runs the tool as another user of this machine (<c>nobody</c>), as a second user of the machine would.</summary>
    public Task<ProcessResult> PipelinesAsOtherUser(params string[] args) => AsOtherUser([Metadata("CliDll"), .. args]);

    /// <summary>Runs an example program as another user of this machine (<c>nobody</c>).</summary>
    public Task<ProcessResult> ExampleAsOtherUser(string name, params string[] args) => AsOtherUser([ExampleDll(name), .. args]);

    /// <summary>The user <see cref="PipelinesAsOtherUser"/> runs as.</summary>
    public const int OtherUserId = 65534;

    /// <summary>Gives <paramref name="path"/> and everything in it to <see cref="OtherUserId"/>.</summary>
    public static async Task GiveToOtherUser(string path)
    {
        var chown = await ProcessResult.RunAsync("chown", ["-R", $"{OtherUserId}:{OtherUserId}", path]);
        Assert.That(chown.Exit, Is.EqualTo(0), chown.Error);
    }

    private async Task<ProcessResult> AsOtherUser(string[] dotnetArgs)
    {
        // setpriv (util-linux) drops root for the child: file permissions then apply as they do to any user.
        Assert.That(Environment.UserName, Is.EqualTo("root"), "these tests switch to another user and need root, as CI runs");
        return await ProcessResult.RunAsync("setpriv", [$"--reuid={OtherUserId}", $"--regid={OtherUserId}", "--clear-groups", "--", "dotnet", .. dotnetArgs], _environment, Folder);
    }

    /// <summary>The built example program <paramref name="name"/>.</summary>
    public static string ExampleDll(string name) => Path.Combine(Metadata("ExamplesDirectory"), name, Metadata("OutputSubdirectory"), name + ".dll");

    /// <summary>Runs the test program whose pipeline passes every kind of artifact (tests/PipelineSdk.Tests.ArtifactsApp).</summary>
    public Task<ProcessResult> ArtifactsApp(params string[] args) =>
        ProcessResult.RunAsync("dotnet", [Metadata("ArtifactsAppDll"), .. args], _environment, Folder);

    /// <summary>Runs the test program with named outputs and promotion from a step (tests/PipelineSdk.Tests.RegistryApp).</summary>
    public Task<ProcessResult> RegistryApp(params string[] args) =>
        ProcessResult.RunAsync("dotnet", [Metadata("RegistryAppDll"), .. args], _environment, Folder);

    /// <summary>Runs the test program whose step fails twice before it writes Parquet (tests/PipelineSdk.Dashboard.Tests.TableApp).</summary>
    public Task<ProcessResult> TableApp(params string[] args) =>
        ProcessResult.RunAsync("dotnet", [Metadata("TableAppDll"), .. args], _environment, Folder);

    /// <summary>Runs the tool and fails the test unless it succeeds; returns its output.</summary>
    public async Task<string> Ok(params string[] args)
    {
        var result = await Pipelines(args);
        Assert.That(result.Exit, Is.EqualTo(0), $"pipelines {string.Join(' ', args)}\n{result.Output}{result.Error}");
        return result.Output;
    }

    /// <summary>Runs the tool and checks it fails with exactly one error line and no stack trace; returns that line.</summary>
    public async Task<string> Fails(params string[] args) => OneLineError(await Pipelines(args), 2, $"pipelines {string.Join(' ', args)}");

    /// <summary>Checks <paramref name="result"/> exited with <paramref name="exitCode"/> and printed exactly one error line and no stack trace; returns that line.</summary>
    public static string OneLineError(ProcessResult result, int exitCode, string what)
    {
        Assert.That(result.Exit, Is.EqualTo(exitCode), $"{what}\n{result.Output}{result.Error}");
        var lines = result.Error.TrimEnd('\n').Split('\n');
        Assert.That(lines, Has.Length.EqualTo(1), result.Error);
        Assert.That(lines[0], Does.StartWith("error: ").And.Not.Contain("   at ").And.Not.Contain("System."));
        return lines[0];
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Left for the temp cleaner if a child still holds a file.
        }
    }

    private static string Metadata(string key) =>
        typeof(Workspace).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
