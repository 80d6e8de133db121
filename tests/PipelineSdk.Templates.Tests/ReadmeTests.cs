using System.Xml.Linq;

namespace PipelineSdk.Templates.Tests;

/// <summary>
/// Every command in README.md works verbatim, in order, from a fresh clone with a fresh home folder (see
/// <see cref="ReadmeRun"/>): each <c>```sh</c> block is a test, and a command that cannot run here is listed
/// in <see cref="ReadmeRun.NotRunVerbatim"/> with its reason.
/// </summary>
[NonParallelizable]
public class ReadmeTests
{
    private static IEnumerable<TestCaseData> Blocks() =>
        ReadmeRun.Blocks.Select(b => new TestCaseData(b.Index).SetArgDisplayNames($"{b.Index}: {b.Section}"));

    [OneTimeSetUp]
    public Task RunTheReadme() => ReadmeRun.EnsureAsync();

    [TestCaseSource(nameof(Blocks))]
    public void Each_sh_block_runs_verbatim_and_succeeds(int index)
    {
        var block = ReadmeRun.Blocks.Single(b => b.Index == index);
        var result = ReadmeRun.Results[index];

        Assert.That(result.Exit, Is.EqualTo(0), $"README block {block}:\n{result.Output}\n{result.Error}");
        Assert.That(result.Error, Does.Not.Contain("Unhandled exception").And.Not.Contain("   at "), "no stack traces");
    }

    [Test]
    public void The_readme_has_shell_blocks_and_every_listed_exception_is_still_in_it()
    {
        var commands = ReadmeRun.Blocks.SelectMany(b => b.Commands).ToList();

        Assert.That(ReadmeRun.Blocks, Has.Count.GreaterThanOrEqualTo(5), "README.md's ```sh blocks were not found");
        Assert.That(ReadmeRun.NotRunVerbatim.Keys, Is.SubsetOf(commands), "a command listed as not run verbatim is no longer in the README: drop it from the list");
    }

    [Test]
    public void The_pack_done_once_makes_what_the_readme_pack_command_makes()
    {
        var packable = Directory.GetFiles(Path.Combine(ReadmeRun.RepoRoot, "src"), "*.csproj", SearchOption.AllDirectories)
            .Where(p => XDocument.Load(p).Descendants("IsPackable").Any(e => e.Value == "true"))
            .Select(p => XDocument.Load(p).Descendants("PackageId").FirstOrDefault()?.Value ?? Path.GetFileNameWithoutExtension(p));

        Assert.That(ReadmeRun.Packages, Is.EquivalentTo(packable), "the setup packs what `dotnet pack PipelineSdk.sln` packs");
        Assert.That(ReadmeRun.Packages.Select(p => Path.Combine(ReadmeRun.Feed, $"{p}.{ReadmeRun.Version}.nupkg")), Is.All.Matches<string>(File.Exists));
    }

    [Test]
    public void The_template_flow_adds_the_feed_to_the_users_nuget_config_not_the_repositorys()
    {
        Assert.That(File.ReadAllText(Path.Combine(ReadmeRun.Clone, "nuget.config")), Is.EqualTo(ReadmeRun.NugetConfigBefore));
        var userConfig = Path.Combine(ReadmeRun.Home, ".nuget", "NuGet", "NuGet.Config");
        Assert.That(File.ReadAllText(userConfig), Does.Contain($"value=\"{ReadmeRun.Feed}\""));
    }

    [Test]
    public void Init_says_which_store_it_takes_over_from_and_that_earlier_runs_stay_there()
    {
        var init = ReadmeRun.Blocks.Single(b => b.Commands.Contains("pipelines init"));

        Assert.That(ReadmeRun.Results[init.Index].Output, Does.Contain(
            $"instead of {Path.Combine(ReadmeRun.Home, ".config", "pipelines")}; the runs, stacks and secrets recorded there stay there"));
    }
}
