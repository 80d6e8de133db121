using System.Text.Json.Nodes;
using PipelineSdk.Generators.Tests.Infrastructure;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Generators.Tests;

/// <summary>The structural checker finds broken references inside DAG components, not only at the root.</summary>
public class SpecCheckerTests
{
    private static JsonObject Spec(string scenario, string pipeline)
    {
        var (_, output) = GeneratorHarness.Run(GeneratorHarness.Compile(scenario));
        var json = GeneratorOutputTests.ReadSpecs(GeneratorHarness.EmitClean(output))[pipeline];
        return JsonNode.Parse(json)!.AsObject();
    }

    [Test]
    public void A_valid_spec_with_every_kind_of_block_has_no_errors()
    {
        Assert.That(SpecChecker.Check(Spec(Scenarios.Conditions, "branching").ToJsonString()), Is.Empty);
        Assert.That(SpecChecker.Check(Spec(Scenarios.Loops, "looping").ToJsonString()), Is.Empty);
    }

    [Test]
    public void A_channel_a_nested_task_reads_but_its_block_does_not_declare_is_an_error()
    {
        var spec = Spec(Scenarios.Conditions, "branching");
        spec["components"]!["comp-condition-1"]!["inputDefinitions"]!["parameters"]!.AsObject().Remove("pipelinechannel--flip-Output");

        Assert.That(SpecChecker.Check(spec.ToJsonString()), Has.Some.Contains("pipelinechannel--flip-Output"));
    }

    [Test]
    public void A_loop_output_selecting_a_missing_task_and_a_cycle_are_errors()
    {
        var spec = Spec(Scenarios.Loops, "looping");
        var selector = spec["components"]!["comp-for-loop-1"]!["dag"]!["outputs"]!["parameters"]!["pipelinechannel--train-Output"]!["valueFromParameter"]!;
        selector["producerSubtask"] = "nowhere";
        spec["root"]!["dag"]!["tasks"]!["shards"]!["dependentTasks"] = new JsonArray("for-loop-2");

        var errors = SpecChecker.Check(spec.ToJsonString());

        Assert.That(errors, Has.Some.Contains("missing task 'nowhere'"));
        Assert.That(errors, Has.Some.Contains("cycle"));
    }
}

/// <summary>Conditions are written in CEL exactly as the KFP compiler writes them, whatever the strings hold.</summary>
public class CelTests
{
    [Test]
    public void String_constants_are_escaped_for_CEL_and_keep_characters_beyond_the_BMP()
    {
        const string source = """
            using PipelineSdk;

            public static class C
            {
                [Step] public static string A() => "";
                [Step] public static void B() { }

                [Pipeline]
                public static void P(int count = 1)
                {
                    var a = A();
                    if (a == "it's \\ a \"🚀\"\n" || count >= 2.5)
                    {
                        B();
                    }
                }
            }
            """;
        var (_, output) = GeneratorHarness.Run(GeneratorHarness.Compile(source));
        var spec = JsonNode.Parse(GeneratorOutputTests.ReadSpecs(GeneratorHarness.EmitClean(output))["p"])!;

        var condition = spec["root"]!["dag"]!["tasks"]!["condition-1"]!["triggerPolicy"]!["condition"]!.GetValue<string>();

        Assert.That(condition, Is.EqualTo(
            "inputs.parameter_values['pipelinechannel--a-Output'] == 'it\\'s \\\\ a \"🚀\"\\n' || double(int(inputs.parameter_values['pipelinechannel--count'])) >= 2.5"));
    }
}
