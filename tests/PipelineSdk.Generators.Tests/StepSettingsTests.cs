using System.Text.Json;
using PipelineSdk.Generators.Model;
using PipelineSdk.Generators.Tests.Infrastructure;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Generators.Tests;

/// <summary>Step settings beyond the approved scenario: what blocks generation, what only warns, and the quantity conversions.</summary>
public class StepSettingsTests
{
    [TestCase("1", 1.0)]
    [TestCase("0.5", 0.5)]
    [TestCase(".25", 0.25)]
    [TestCase("1000m", 1.0)]
    [TestCase("250m", 0.25)]
    public void Cpu_quantities_convert_to_cores_as_the_KFP_compiler_does(string cpu, double cores) =>
        Assert.That(ResourceQuantities.Cores(cpu), Is.EqualTo(cores));

    [TestCase("256Mi", 0.268435456)]
    [TestCase("8G", 8.0)]
    [TestCase("1Gi", 1.073741824)]
    [TestCase("1500M", 1.5)]
    [TestCase("2000000000", 2.0)]
    [TestCase("1Ti", 1099.511627776)]
    public void Memory_quantities_convert_to_gigabytes_as_the_KFP_compiler_does(string memory, double gigabytes) =>
        Assert.That(ResourceQuantities.Gigabytes(memory), Is.EqualTo(gigabytes).Within(1e-12));

    [Test]
    public void An_invalid_setting_leaves_the_pipeline_without_a_spec_but_other_pipelines_generate()
    {
        var (result, _, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.Compile("""
            using PipelineSdk;
            public static class C
            {
                [Step, Retry(-1)] public static int Broken() => 1;
                [Step] public static int Fine() => 1;
                [Pipeline] public static void UsesBroken() => Broken();
                [Pipeline] public static void UsesFine() => Fine();
            }
            """));

        Assert.That(diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "PSDK0022" }));
        Assert.That(result.GeneratedSources.Select(s => s.HintName), Has.None.Contains("UsesBroken"));
        Assert.That(result.GeneratedSources.Select(s => s.HintName), Has.Some.Contains("UsesFine"));
    }

    [Test]
    public void An_unknown_accelerator_only_warns_and_is_written_as_given()
    {
        var (_, output, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.Compile("""
            using PipelineSdk;
            public static class C
            {
                [Step, Resources(Accelerator = "nvidia.com/gpu", AcceleratorCount = 4)] public static int Train() => 1;
                [Pipeline] public static void P() => Train();
            }
            """));

        Assert.That(diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "PSDK0024" }));
        var spec = GeneratorOutputTests.ReadSpecs(GeneratorHarness.EmitClean(output))["p"];
        using var json = JsonDocument.Parse(spec);
        var accelerator = json.RootElement.GetProperty("deploymentSpec").GetProperty("executors").GetProperty("exec-train")
            .GetProperty("container").GetProperty("resources").GetProperty("accelerator");
        Assert.That(accelerator.GetProperty("resourceType").GetString(), Is.EqualTo("nvidia.com/gpu"));
        Assert.That(accelerator.GetProperty("resourceCount").GetString(), Is.EqualTo("4"));
        SpecChecker.AssertValid(spec);
    }

    [TestCase("A100", "did you mean NVIDIA_TESLA_A100 or NVIDIA_A100_80GB?")]
    [TestCase("nvidia_l4", "did you mean NVIDIA_L4?")]
    [TestCase("NVIDIA_TESLA_T5", "did you mean NVIDIA_TESLA_T4?")]
    [TestCase("nvidia.com/gpu", "e.g. NVIDIA_TESLA_T4, NVIDIA_L4")]
    public void An_unknown_accelerator_warning_suggests_the_type_meant(string accelerator, string hint)
    {
        var (_, _, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.Compile(
            "using PipelineSdk; public static class C { [Step, Resources(Accelerator = \"" + accelerator + "\")] public static int A() => 1; }"));

        Assert.That(diagnostics.Single().GetMessage(), Does.Contain($"'{accelerator}', which is not a Vertex AI accelerator type ({hint}"));
    }

    [Test]
    public void A_step_without_settings_gets_no_settings_argument_in_generated_code()
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Compile(Scenarios.QuickStart));

        Assert.That(GeneratorHarness.AllSources(result), Does.Not.Contain("StepSettings"));
    }
}
