using Microsoft.CodeAnalysis;
using PipelineSdk.Generators.Tests.Infrastructure;

namespace PipelineSdk.Generators.Tests;

/// <summary>
/// <c>[Step(Timeout = ...)]</c> and <c>.WithTimeout(...)</c>: parsed when the pipeline compiles into the step's settings in
/// the generated descriptor (the step program enforces it; Kubeflow's spec has no field for it), a bad duration reported
/// where it is written.
/// </summary>
public class StepTimeoutTests
{
    private const string Source = """
        using PipelineSdk;
        public static class C
        {
            [Step(Timeout = "1h30m")] public static int Train(int rows) => rows;
            [Step] public static int Score(int model) => model;
            [Pipeline]
            public static void P(int rows = 3)
            {
                var model = Train(rows);
                Score(model).WithTimeout("45s");
                Score(model);
            }
        }
        """;

    [Test]
    public void The_timeout_is_in_the_generated_settings_of_the_step_and_of_the_call()
    {
        var (result, _, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.Compile(Source));
        var code = GeneratorHarness.AllSources(result);

        Assert.That(diagnostics, Is.Empty);
        Assert.That(code, Does.Contain("Timeout = global::System.TimeSpan.FromSeconds(5400)"), "[Step(Timeout = \"1h30m\")]");
        Assert.That(code, Does.Contain("Timeout = global::System.TimeSpan.FromSeconds(45)"), ".WithTimeout(\"45s\")");
        using var spec = CallSettingsTests.Spec(Source, "p");
        var components = spec.RootElement.GetProperty("components");
        Assert.That(components.TryGetProperty("comp-score-2", out _), Is.True, "a call with a timeout of its own gets a component of its own");
    }

    [TestCase("[Step(Timeout = \"30x\")]", "Timeout = \"30x\"", "PSDK0043", "is not a duration")]
    [TestCase("[Step(Timeout = \"0s\")]", "Timeout = \"0s\"", "PSDK0043", "is no time at all")]
    [TestCase("[Step(Timeout = \"200h\")]", "Timeout = \"200h\"", "PSDK0043", "longer than a week")]
    public void A_bad_duration_on_the_step_is_reported_at_the_argument(string attribute, string at, string id, string message)
    {
        var source = $$"""
            using PipelineSdk;
            public static class C
            {
                {{attribute}} public static int Train(int rows) => rows;
                [Pipeline] public static void P(int rows = 3) => Train(rows);
            }
            """;
        var (_, _, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.Compile(source));

        var relevant = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.That(relevant.Select(d => d.Id), Is.EqualTo(new[] { id }), string.Join("\n", relevant));
        Assert.That(relevant[0].GetMessage(), Does.Contain(message));
        Assert.That(relevant[0].Location.SourceTree!.GetText().ToString(relevant[0].Location.SourceSpan), Is.EqualTo(at));
    }

    [Test]
    public void A_bad_duration_on_a_call_is_reported_at_its_argument()
    {
        const string source = """
            using PipelineSdk;
            public static class C
            {
                [Step] public static int Train(int rows) => rows;
                [Pipeline] public static void P(int rows = 3) => Train(rows).WithTimeout("soon");
            }
            """;
        var (_, _, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.Compile(source));

        var error = diagnostics.Single(d => d.Severity == DiagnosticSeverity.Error);
        Assert.That(error.Id, Is.EqualTo("PSDK0040"));
        Assert.That(error.GetMessage(), Does.Contain("the timeout \"soon\" is not a duration"));
        Assert.That(error.Location.SourceTree!.GetText().ToString(error.Location.SourceSpan), Is.EqualTo("\"soon\""));
    }
}
