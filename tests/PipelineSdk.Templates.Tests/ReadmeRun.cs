using System.Reflection;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Templates.Tests;

/// <summary>
/// Runs README.md's shell blocks once per test run, in order, as a new user would: in a fresh copy of the
/// working tree (tracked and new files, no build outputs) with a fresh home folder. The packages are packed
/// once here, and the template project the README creates is what <see cref="ConsumptionTests"/> goes on with.
/// </summary>
internal static class ReadmeRun
{
    /// <summary>
    /// Commands that do not run verbatim here, each with why; every other command of every sh block runs as
    /// written. A new block therefore runs by default: list it here only with a reason.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, NotVerbatim> NotRunVerbatim = new Dictionary<string, NotVerbatim>(StringComparer.Ordinal)
    {
        ["dotnet test PipelineSdk.sln"] = new("it is this test suite"),
        ["dotnet pack PipelineSdk.sln -c Release -o ~/pipelinesdk-feed"] = new(
            "packed once for all tests, from the Debug build the test run has made already: every packable project of the solution (Packages) into the same ~/pipelinesdk-feed"),
        ["pipelines runs explain-cache <run-id> subtract-numbers"] = new(
            "<run-id> is the id the reader copies from `pipelines runs list`",
            "pipelines runs explain-cache \"$(newest_run)\" subtract-numbers"),
        ["dotnet add package PipelineSdk"] = new(
            "it needs an existing project: a new console app, outside the clone",
            "(cd \"$(mktemp -d -p ~)\" && dotnet new console -n Existing -o . >/dev/null && dotnet add package PipelineSdk && dotnet build)"),
    };

    /// <summary>The packages the solution's packable projects make.</summary>
    public static readonly string[] Packages = ["PipelineSdk", "PipelineSdk.Gcp", "PipelineSdk.Kubeflow", "PipelineSdk.MLNet", "PipelineSdk.Postgres", "PipelineSdk.Server", "PipelineSdk.Cli", "PipelineSdk.Templates"];

    private static readonly Lazy<Task> Once = new(RunAsync);

    public static string RepoRoot { get; } = Metadata("RepoRoot");

    public static string Version { get; } = Metadata("Version");

    private static string? s_root;
    private static Dictionary<string, string>? s_environment;

    /// <summary>The folder holding the home folder, the clone and the package cache (made on first use).</summary>
    public static string Root => s_root ??= Directory.CreateTempSubdirectory("psdk-readme-").FullName;

    /// <summary>Whether <see cref="Root"/> was made.</summary>
    public static bool Started => s_root is not null;

    public static string Home => Path.Combine(Root, "home");

    public static string Clone => Path.Combine(Root, "clone");

    public static string Feed => Path.Combine(Home, "pipelinesdk-feed");

    /// <summary>The environment of a fresh user; packages restore into a fresh cache, so PipelineSdk comes from the feed.</summary>
    public static Dictionary<string, string> Environment => s_environment ??= new()
    {
        ["HOME"] = Home,
        ["DOTNET_CLI_HOME"] = Home,
        ["XDG_CONFIG_HOME"] = "",
        ["NUGET_PACKAGES"] = Path.Combine(Root, "packages"),
        ["PIPELINES_HOME"] = "",
        ["PIPELINES_STACK"] = "",
        ["DOTNET_NOLOGO"] = "1",
    };

    /// <summary>What each block printed, by block index.</summary>
    public static Dictionary<int, ProcessResult> Results { get; } = [];

    /// <summary>The repository's nuget.config before the README ran.</summary>
    public static string NugetConfigBefore { get; private set; } = "";

    public static IReadOnlyList<ReadmeBlock> Blocks { get; } = Readme.ShellBlocks(File.ReadAllText(Path.Combine(Metadata("RepoRoot"), "README.md")));

    public static Task EnsureAsync() => Once.Value;

    private static async Task RunAsync()
    {
        Directory.CreateDirectory(Home);
        await PackAsync();
        CopyWorkingTree();
        NugetConfigBefore = File.ReadAllText(Path.Combine(Clone, "nuget.config"));

        // `pipelines` is the tool built from the clone, as the README's step 7 says (`dotnet run --project src/PipelineSdk.Cli`).
        var cli = await ProcessResult.RunAsync("dotnet", ["build", "src/PipelineSdk.Cli", "-v", "q", "-nologo"], WithMachinePackageCache(), Clone);
        Assert.That(cli.Exit, Is.EqualTo(0), cli.Output + cli.Error);

        foreach (var block in Blocks)
        {
            var script = string.Join('\n', [
                "set -eo pipefail",
                $"pipelines() {{ dotnet '{Path.Combine(Clone, "src", "PipelineSdk.Cli", "bin", "Debug", "net10.0", "pipelines.dll")}' \"$@\"; }}",
                "newest_run() { pipelines runs list --limit 1 --output json | sed -n 's/.*\"id\": \"\\([^\"]*\\)\".*/\\1/p' | head -n 1; }",
                "set -x",
                .. block.Lines.Select(Command)]);
            var environment = block.Section.StartsWith("Use it in your own project", StringComparison.Ordinal) ? Environment : WithMachinePackageCache();
            Results[block.Index] = await ProcessResult.RunAsync("bash", ["-c", script], environment, Clone);
        }
    }

    /// <summary>The line to run for a README line: itself, or what <see cref="NotRunVerbatim"/> says.</summary>
    private static string Command(string line) => NotRunVerbatim.GetValueOrDefault(Readme.WithoutComment(line)) switch
    {
        null => line,
        { Instead: { } instead } => instead,
        _ => $": '{Readme.WithoutComment(line)}' is not run here",
    };

    /// <summary>
    /// Commands inside the clone keep the machine's package cache: the repository's own dependencies are not what
    /// the README shows, and downloading them all again would only make the test slow.
    /// </summary>
    private static Dictionary<string, string> WithMachinePackageCache() => new(Environment)
    {
        ["NUGET_PACKAGES"] = MachinePackageCache.Folder,
    };

    /// <summary>
    /// Packs in Debug, which the solution build made before the tests: a Release pack would compile every library
    /// again, and what the README's steps check (the packages' contents, the template, the tool) is the same.
    /// </summary>
    private static async Task PackAsync()
    {
        // PipelineSdk.MLNet is no dependency of the CLI, so its pack builds it.
        foreach (var project in new[] { "src/PipelineSdk.Cli/PipelineSdk.Cli.csproj", "src/PipelineSdk.Templates/PipelineSdk.Templates.csproj", "src/PipelineSdk.MLNet/PipelineSdk.MLNet.csproj" })
        {
            var pack = await ProcessResult.RunAsync(RepositoryBuild.Dotnet, ["pack", Path.Combine(RepoRoot, project), "-c", "Debug", "-o", Feed]);
            Assert.That(pack.Exit, Is.EqualTo(0), pack.Output + pack.Error);
        }

        // The other libraries are built by the CLI's pack as its dependencies; pack them too.
        foreach (var library in Packages.Except(["PipelineSdk.Cli", "PipelineSdk.Templates", "PipelineSdk.MLNet"]))
        {
            var pack = await ProcessResult.RunAsync(RepositoryBuild.Dotnet, ["pack", Path.Combine(RepoRoot, "src", library, library + ".csproj"), "-c", "Debug", "--no-build", "-o", Feed]);
            Assert.That(pack.Exit, Is.EqualTo(0), pack.Output + pack.Error);
        }
    }

    /// <summary>A fresh clone of the working tree: tracked files and new ones not ignored, as they are now.</summary>
    private static void CopyWorkingTree()
    {
        var files = ProcessResult.RunAsync("git", ["-C", RepoRoot, "ls-files", "-z", "--cached", "--others", "--exclude-standard"]).GetAwaiter().GetResult();
        Assert.That(files.Exit, Is.EqualTo(0), files.Error);
        foreach (var file in files.Output.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var source = Path.Combine(RepoRoot, file);
            if (File.Exists(source))
            {
                var target = Path.Combine(Clone, file);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(source, target);
            }
        }
    }

    private static string Metadata(string key) =>
        typeof(ReadmeRun).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

}

/// <summary>Why a README command does not run as written, and what runs instead (nothing when null).</summary>
internal sealed record NotVerbatim(string Reason, string? Instead = null);

/// <summary>Deletes what the README run made, once every fixture is done.</summary>
[SetUpFixture]
public sealed class ReadmeRunCleanup
{
    [OneTimeTearDown]
    public void Delete()
    {
        try
        {
            if (ReadmeRun.Started)
            {
                Directory.Delete(ReadmeRun.Root, recursive: true);
            }
        }
        catch (IOException)
        {
            // Left for the temp cleaner if a build server still holds a file.
        }
    }
}
