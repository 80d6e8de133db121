using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using PipelineSdk.Generators.Diagnostics;
using PipelineSdk.Generators.Tests.Infrastructure;

namespace PipelineSdk.Generators.Tests;

/// <summary>Every diagnostic has a page, a row in the index and a release line; each page's example triggers it and its fix does not.</summary>
public partial class DocsTests
{
    private static string DocsDirectory => Path.Combine(GeneratorHarness.RepoRoot, "docs", "diagnostics");

    private static IEnumerable<string> Ids() => DiagnosticCatalog.Descriptors.Select(d => d.Id).Order(StringComparer.Ordinal);

    [TestCaseSource(nameof(Ids))]
    public void Has_a_page_an_index_row_and_a_release_line(string id)
    {
        var descriptor = DiagnosticCatalog.ById(id);
        var page = File.ReadAllText(Path.Combine(DocsDirectory, id + ".md"));
        Assert.That(page, Does.StartWith($"# {id}: {descriptor.Title}\n"));
        Assert.That(page, Does.Contain($"**Severity:** {descriptor.DefaultSeverity} · **Category:** PipelineSdk"));

        var index = File.ReadAllText(Path.Combine(DocsDirectory, "README.md"));
        Assert.That(index, Does.Contain($"| {id} | {descriptor.DefaultSeverity} | {descriptor.Title} | [{id}]({id}.md) |"));

        var releases = File.ReadAllText(Path.Combine(GeneratorHarness.RepoRoot, "generators", "PipelineSdk.Generators", "AnalyzerReleases.Unshipped.md"));
        Assert.That(releases, Does.Contain($"{id} | PipelineSdk | {descriptor.DefaultSeverity} |"));
    }

    [TestCaseSource(nameof(Ids))]
    public void The_example_triggers_it_and_the_fix_does_not(string id)
    {
        var page = File.ReadAllText(Path.Combine(DocsDirectory, id + ".md"));
        var example = CodeAfter(page, "## Example");
        var fix = CodeAfter(page, "## How to fix");
        if (example is null || fix is null)
        {
            Assert.That(id, Is.EqualTo("PSDK0999"), "only the internal error has no example to compile");
            return;
        }

        var (_, _, before) = GeneratorHarness.RunAll(GeneratorHarness.Compile(example).AddReferences(ExampleReferences(id)));
        Assert.That(before.Where(d => d.Id == id), Is.Not.Empty, "the example does not trigger " + id);
        Assert.That(before.Where(d => !d.Id.StartsWith("PSDK", StringComparison.Ordinal) && d.Severity == DiagnosticSeverity.Error), Is.Empty, "the example is not valid C#");

        var (_, _, after) = GeneratorHarness.RunAll(GeneratorHarness.Compile(fix).AddReferences(FixReferences(id)));
        // Loops and conditions are checked but not generated yet: their fixed form still says so.
        var remaining = after.Where(d => !(d.Id == "PSDK0006" && d.GetMessage().Contains("not supported yet", StringComparison.Ordinal))).ToList();
        Assert.That(remaining, Is.Empty, () => "the fix still reports:\n" + string.Join("\n", remaining));
    }

    /// <summary>What a page's example uses besides PipelineSdk: ML.NET for the page that says which package stores its types.</summary>
    private static IEnumerable<MetadataReference> ExampleReferences(string id) => id == "PSDK0029" ? GeneratorHarness.MlNetReferences : [];

    /// <summary>What a page's fix adds: PSDK0029's fix is the package it names, with the same code.</summary>
    private static IEnumerable<MetadataReference> FixReferences(string id) =>
        id == "PSDK0029" ? [.. GeneratorHarness.MlNetReferences, MetadataReference.CreateFromFile(typeof(PipelineSdk.MLNet.Models.ModelSchemas).Assembly.Location)] : [];

    private static string? CodeAfter(string page, string heading)
    {
        var start = page.IndexOf(heading, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var match = CSharpBlock().Match(page, start);
        return match.Success ? match.Groups[1].Value : null;
    }

    [GeneratedRegex("```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
