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
