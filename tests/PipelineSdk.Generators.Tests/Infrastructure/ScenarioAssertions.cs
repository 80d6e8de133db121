using Microsoft.CodeAnalysis;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Generators.Tests.Infrastructure;

/// <summary>The checks every construct's tests share: approved output with valid specs, and misuse reported exactly where marked.</summary>
internal static class ScenarioAssertions
{
    /// <summary>No diagnostic; every spec passes the structural checker; sources and specs are the approved files of <paramref name="scenario"/>.</summary>
    public static void MatchesApprovedFiles(string scenario, string source)
    {
        var (result, output, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.Compile(source));

        Assert.That(diagnostics, Is.Empty);
        var files = result.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());
        foreach (var (name, json) in GeneratorOutputTests.ReadSpecs(GeneratorHarness.EmitClean(output)))
        {
            SpecChecker.AssertValid(json);
            files[name + ".json"] = json;
        }

        Baseline.Verify(scenario, files);
    }

    /// <summary>The errors are exactly <paramref name="id"/> at each <c>[|…|]</c> span: nothing else is reported about the same mistake.</summary>
    public static void ErrorsAreExactlyAtTheMarkedSpans(string id, string markedSource)
    {
        var (source, spans) = Markup.Parse(markedSource);

        var (_, _, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.Compile(source));

        var errors = diagnostics.Where(d => d.Id.StartsWith("PSDK", StringComparison.Ordinal) && d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.That(errors.Select(d => (d.Id, d.Location.SourceSpan)), Is.EquivalentTo(spans.Select(s => (id, s))), () => string.Join("\n", diagnostics));
    }
}
