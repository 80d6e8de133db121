using System.Text.Json.Nodes;
using PipelineSdk.Generators.Tests.Infrastructure;

namespace PipelineSdk.Generators.Tests;

/// <summary>
/// Issue 15 item 5: a local assigned a step output in every branch of an if/else if/else is KFP's <c>dsl.OneOf</c>,
/// compiled as the KFP compiler compiles if_elif_else_with_oneof_parameters.py and if_else_with_oneof_artifacts.py.
/// </summary>
public class OneOfTests
{
    public const string Source = """
        using PipelineSdk;
        using PipelineSdk.Artifacts;

        namespace Demo.Choosing;

        public static class Dice
        {
            [Step] public static string FlipThreeSidedDie() => "heads";
            [Step] public static string PrintAndReturn(string text) => text;
            [Step] public static string SpecialPrintAndReturn(string text) => text;
            [Step] public static Dataset ParamToArtifact(string val) => new();
            [Step] public static void PrintArtifact(Dataset a) { }

            [Pipeline]
            public static string RollDiePipeline()
            {
                var flip = FlipThreeSidedDie();
                string result;
                if (flip == "heads")
                {
                    result = PrintAndReturn("Got heads!");
                }
                else if (flip == "tails")
                {
                    result = PrintAndReturn("Got tails!");
                }
                else
                {
                    result = SpecialPrintAndReturn("Draw!");
                }

                return result;
            }

            [Pipeline]
            public static void OuterPipeline()
            {
                var rolled = RollDiePipeline();
                PrintAndReturn(rolled);
            }

            [Pipeline]
            public static Dataset FlipCoinPipeline()
            {
                var flip = FlipThreeSidedDie();
                Dataset chosen;
                if (flip == "heads")
                {
                    chosen = ParamToArtifact(flip);
                }
                else
                {
                    chosen = ParamToArtifact(flip);
                }

                PrintArtifact(chosen);
                return chosen;
            }
        }
        """;

    private static Dictionary<string, string> Specs()
    {
        var (_, output) = GeneratorHarness.Run(GeneratorHarness.Compile(Source));
        return GeneratorOutputTests.ReadSpecs(GeneratorHarness.EmitClean(output));
    }

    [Test]
    public void Generated_sources_and_specs_match_the_approved_files() =>
        ScenarioAssertions.MatchesApprovedFiles("OneOf", Source);


    [Test]
    public void A_parameter_OneOf_is_selected_from_the_branches_and_returned_as_KFP_does()
    {
        var spec = JsonNode.Parse(Specs()["roll-die-pipeline"])!;
        var components = spec["components"]!;

        var group = components["comp-condition-branches-1"]!;
        Assert.That(group["outputDefinitions"]!["parameters"]!["pipelinechannel--condition-branches-1-oneof-1"]!["parameterType"]!.GetValue<string>(), Is.EqualTo("STRING"));
        var selectors = group["dag"]!["outputs"]!["parameters"]!["pipelinechannel--condition-branches-1-oneof-1"]!["valueFromOneof"]!["parameterSelectors"]!.AsArray();
        Assert.That(selectors.Select(s => (s!["producerSubtask"]!.GetValue<string>(), s["outputParameterKey"]!.GetValue<string>())), Is.EqualTo(new[]
        {
            ("condition-2", "pipelinechannel--print-and-return-Output"),
            ("condition-3", "pipelinechannel--print-and-return-2-Output"),
            ("condition-4", "pipelinechannel--special-print-and-return-Output"),
        }));
        var branch = components["comp-condition-3"]!;
        Assert.That(branch["dag"]!["outputs"]!["parameters"]!["pipelinechannel--print-and-return-2-Output"]!["valueFromParameter"]!.ToJsonString(),
            Is.EqualTo("""{"outputParameterKey":"Output","producerSubtask":"print-and-return-2"}"""));
        Assert.That(spec["root"]!["dag"]!["outputs"]!["parameters"]!["Output"]!["valueFromParameter"]!.ToJsonString(),
            Is.EqualTo("""{"outputParameterKey":"pipelinechannel--condition-branches-1-oneof-1","producerSubtask":"condition-branches-1"}"""));
    }

    [Test]
    public void An_artifact_OneOf_is_artifact_selectors_consumed_after_the_branches_and_returned()
    {
        var spec = JsonNode.Parse(Specs()["flip-coin-pipeline"])!;

        var selectors = spec["components"]!["comp-condition-branches-1"]!["dag"]!["outputs"]!["artifacts"]!["pipelinechannel--condition-branches-1-oneof-1"]!["artifactSelectors"]!.AsArray();
        Assert.That(selectors.Select(s => s!["producerSubtask"]!.GetValue<string>()), Is.EqualTo(new[] { "condition-2", "condition-3" }));
        var print = spec["root"]!["dag"]!["tasks"]!["print-artifact"]!;
        Assert.That(print["dependentTasks"]!.AsArray().Select(d => d!.GetValue<string>()), Is.EqualTo(new[] { "condition-branches-1" }));
        Assert.That(print["inputs"]!["artifacts"]!["a"]!["taskOutputArtifact"]!.ToJsonString(),
            Is.EqualTo("""{"outputArtifactKey":"pipelinechannel--condition-branches-1-oneof-1","producerTask":"condition-branches-1"}"""));
        Assert.That(spec["root"]!["dag"]!["outputs"]!["artifacts"]!["Output"]!["artifactSelectors"]![0]!["producerSubtask"]!.GetValue<string>(), Is.EqualTo("condition-branches-1"));
    }

    private static IEnumerable<TestCaseData> Misuses()
    {
        const string Header = "using PipelineSdk;\npublic static class C { [Step] public static int A() => 1; [Step] public static int B(int x) => x; [Step] public static long L() => 1; ";
        TestCaseData Case(string id, string what, string body) => new TestCaseData(id, Header + "[Pipeline] public static void P(bool f) { " + body + " } }").SetName($"{id} OneOf {what}");

        yield return Case("PSDK0006", "without an else", "int x; if (f) { [|x = A()|]; } B(x);");
        yield return Case("PSDK0006", "missing in a branch", "int [|x|]; if (f) { x = A(); } else { B(1); }");
        yield return Case("PSDK0006", "assigned twice in a branch", "int x; if (f) { x = A(); [|x = A()|]; } else { x = A(); } B(x);");
        yield return Case("PSDK0006", "assigned outside a branch", "int x; [|x = A()|]; B(x);");
        yield return Case("PSDK0006", "assigned a step output from before the branches", "var a = A(); int x; if (f) { x = A(); } else { B(2); [|x = a|]; } B(x);");
        yield return Case("PSDK0006", "never assigned", "int [|x|]; A();");
        yield return Case("PSDK0011", "assigned another type", "long x; if (f) { x = L(); } else { x = [|A()|]; }");
        yield return Case("PSDK0007", "with a bad argument in a branch (nothing else is reported)", "var a = A(); int x; if (f) { x = B([|a + 1|]); } else { x = A(); } B(x);");
    }

    [TestCaseSource(nameof(Misuses))]
    public void Misuse_is_one_diagnostic_at_the_marked_span(string id, string markedSource) =>
        ScenarioAssertions.ErrorsAreExactlyAtTheMarkedSpans(id, markedSource);

}
