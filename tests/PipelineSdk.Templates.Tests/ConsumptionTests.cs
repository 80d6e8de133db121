using System.IO.Compression;
using System.Xml.Linq;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Templates.Tests;

/// <summary>
/// Uses the packages as a new user would, outside this repository, with its own home and package cache: the
/// template project README.md's commands created (see <see cref="ReadmeRun"/>) restores by version, builds (the
/// spec appears), a broken pipeline fails with its PSDK diagnostic, it runs, its tests pass, and the CLI works
/// as a local tool.
/// </summary>
[NonParallelizable]
public class ConsumptionTests
{
    private static readonly string Version = ReadmeRun.Version;
    private static readonly string[] Packages = ReadmeRun.Packages;

    private Dictionary<string, string> _environment = null!;

    private static string Feed => ReadmeRun.Feed;

    private static string Project => Path.Combine(ReadmeRun.Home, "MyPipelines");

    [OneTimeSetUp]
    public async Task RunTheReadme()
    {
        await ReadmeRun.EnsureAsync();
        _environment = ReadmeRun.Environment;
        Assert.That(Directory.Exists(Project), Is.True, $"README.md's template commands made no {Project}");
    }

    [Test, Order(1)]
    public void Every_package_has_its_metadata_and_the_runtime_package_carries_generator_and_build_targets()
    {
        foreach (var id in Packages)
        {
            using var package = ZipFile.OpenRead(Path.Combine(Feed, $"{id}.{Version}.nupkg"));
            var nuspec = XDocument.Load(package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
            var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
            string? Field(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
            Assert.That(Field("version"), Is.EqualTo(Version), id);
            Assert.That(Field("description"), Is.Not.Empty, id);
            Assert.That(Field("license"), Is.EqualTo("MIT"), id);
            Assert.That(Field("readme"), Is.EqualTo("README.md"), id);
            Assert.That(Field("projectUrl"), Does.StartWith("https://"), id);
            Assert.That(Field("tags"), Does.Contain("kubeflow"), id);
            Assert.That(package.GetEntry("README.md"), Is.Not.Null, id);
        }

        using (var runtime = ZipFile.OpenRead(Path.Combine(Feed, $"PipelineSdk.{Version}.nupkg")))
        {
            var files = runtime.Entries.Select(e => e.FullName).ToList();
            Assert.That(files, Does.Contain("lib/net10.0/PipelineSdk.dll")
                .And.Contain("analyzers/dotnet/cs/PipelineSdk.Generators.dll")
                .And.Contain("analyzers/dotnet/cs/PipelineSdk.CodeFixes.dll")
                .And.Contain("tasks/netstandard2.0/PipelineSdk.Build.dll")
                .And.Contain("build/PipelineSdk.targets")
                .And.Contain("buildTransitive/PipelineSdk.targets"));
        }

        Assert.That(File.Exists(Path.Combine(Feed, $"PipelineSdk.{Version}.snupkg")), Is.True, "symbol package");
        using var tool = ZipFile.OpenRead(Path.Combine(Feed, $"PipelineSdk.Cli.{Version}.nupkg"));
        Assert.That(tool.Entries.Select(e => e.FullName), Has.Some.EndsWith("DotnetToolSettings.xml"));
    }

    [Test, Order(2)]
    public async Task The_template_project_builds_from_the_packages_and_writes_its_spec()
    {
        await Run(Project, "dotnet", "build");

        var spec = Path.Combine(Project, "MyPipelines", "bin", "Debug", "net10.0", "pipelines", "main-pipeline.json");
        Assert.That(File.Exists(spec), Is.True, spec);
        var written = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(spec))!;
        Assert.That(written["schemaVersion"]!.GetValue<string>(), Is.EqualTo("2.1.0"));
        Assert.That(written["deploymentSpec"]!.ToJsonString(), Does.Contain("\"/app/MyPipelines.dll\""));
        var restored = Path.Combine(_environment["NUGET_PACKAGES"], "pipelinesdk", Version);
        Assert.That(Directory.Exists(restored), Is.True, "PipelineSdk came from the feed, by version");
    }

    [Test, Order(3)]
    public async Task It_runs_on_the_default_stack_and_its_own_tests_pass()
    {
        // README.md's commands ran it once and ran its tests; run it again.
        var first = ReadmeRun.Results[ReadmeRun.Blocks.Single(b => b.Commands.Any(c => c.Contains("dotnet new pipeline", StringComparison.Ordinal))).Index];
        var second = await Run(Project, "dotnet", "run", "--project", "MyPipelines");
        var tests = first;

        Assert.That(first.Output, Does.Contain("main-pipeline-").And.Contain("completed"));
        Assert.That(second.Output, Does.Match("get-first-num +│ cached"));
        Assert.That(tests.Output, Does.Contain("Passed!").And.Contain("Passed:     2"));
    }

    [Test, Order(4)]
    public async Task The_cli_installs_as_a_local_tool_and_describes_the_stack()
    {
        await Run(Project, "dotnet", "new", "tool-manifest");
        await Run(Project, "dotnet", "tool", "install", "PipelineSdk.Cli", "--add-source", Feed, "--version", Version);

        var describe = await Run(Project, "dotnet", "pipelines", "stack", "describe");

        Assert.That(describe.Output, Does.Contain("┃ ORCHESTRATOR   │ default        ┃").And.Contain("'default' stack (ACTIVE)"));
    }

    [Test, Order(5)]
    public async Task A_broken_pipeline_fails_the_build_with_its_diagnostic()
    {
        var steps = Path.Combine(Project, "MyPipelines", "Steps.cs");
        var original = File.ReadAllText(steps);
        File.WriteAllText(steps, original.Replace("SubtractNumbers(firstNum, randomNum);", "SubtractNumbers(firstNum + 1, randomNum);", StringComparison.Ordinal));
        try
        {
            var build = await ProcessResult.RunAsync("dotnet", ["build", "MyPipelines"], _environment, Project);

            Assert.That(build.Exit, Is.Not.EqualTo(0));
            Assert.That(build.Output, Does.Match(@"Steps\.cs\(\d+,\d+\): error PSDK00\d\d: .*SubtractNumbers"));
        }
        finally
        {
            File.WriteAllText(steps, original);
        }
    }

    private async Task<ProcessResult> Run(string directory, string command, params string[] args)
    {
        var result = await ProcessResult.RunAsync(command, args, _environment, directory);
        Assert.That(result.Exit, Is.EqualTo(0), $"{command} {string.Join(' ', args)}\n{result.Output}\n{result.Error}");
        return result;
    }

}
