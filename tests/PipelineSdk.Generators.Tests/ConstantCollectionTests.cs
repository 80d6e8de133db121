using System.Text.Json.Nodes;
using PipelineSdk.Generators.Tests.Infrastructure;

namespace PipelineSdk.Generators.Tests;

/// <summary>
/// Issue 15 items 1, 2 and 11: lists, dictionaries, records and anonymous objects written in the body, list and
/// dictionary defaults of parameters, fields of loop items — compiled as the KFP compiler compiles their Python
/// equivalents (test_data/pipelines/pipeline_with_loops.yaml) — and diagnostics that name the real problem only.
/// </summary>
public class ConstantCollectionTests
{
    public const string Source = """
        using System.Collections.Generic;
        using PipelineSdk;

        namespace Demo.Collections;

        public sealed record Job(string Name, int Count);

        public static class Collections
        {
            [Step] public static int Sum(List<int> values) => values.Sum();
            [Step] public static string Join(List<string> words, Dictionary<string, int> weights) => string.Join(",", words) + weights.Count;
            [Step] public static double Scale(double[] factors, IReadOnlyList<long> sizes) => factors.Sum() * sizes.Count;
            [Step] public static string Echo(string text, int number) => text + number;
            [Step] public static List<Dictionary<string, string>> Rows() => new() { new() { ["A_a"] = "1" } };

            [Pipeline]
            public static void ConstantCollections([Default("[\"a\", \"b\"]")] List<string> tags, [Default("{\"x\": 1}")] Dictionary<string, int>? limits = null)
            {
                Sum(new List<int> { 1, 2, 3 });
                Join(["a", "b \"quoted\""], new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 });
                Scale(new[] { 1.0, 2.5 }, new long[] { 3, 4 });
                Join(tags, limits!);
                foreach (var row in new[] { new { Name = "a", Count = 1 }, new { Name = "b", Count = 2 } })
                {
                    Echo(row.Name, row.Count);
                }

                foreach (var job in new[] { new Job("x", 10), new Job("y", 20) })
                {
                    Echo(job.Name, job.Count);
                }

                foreach (var weights in new[] { new Dictionary<string, int> { ["w"] = 5 } })
                {
                    Echo("w", weights["w"]);
                }

                foreach (var row in Rows())
                {
                    Echo(row["A_a"], 3);
                }
            }
        }
        """;

    private static JsonObject Spec()
    {
        var (_, output) = GeneratorHarness.Run(GeneratorHarness.Compile(Source));
        return JsonNode.Parse(GeneratorOutputTests.ReadSpecs(GeneratorHarness.EmitClean(output))["constant-collections"])!.AsObject();
    }

    [Test]
    public void Generated_sources_and_spec_match_the_approved_files() =>
        ScenarioAssertions.MatchesApprovedFiles("ConstantCollections", Source);


    [Test]
    public void Collections_written_as_arguments_are_runtime_constants()
    {
        var tasks = Spec()["root"]!["dag"]!["tasks"]!;

        Assert.That(Constant(tasks, "sum", "values"), Is.EqualTo("[1,2,3]"));
        Assert.That(Constant(tasks, "join", "words"), Is.EqualTo(JsonNode.Parse("[\"a\",\"b \\\"quoted\\\"\"]")!.ToJsonString()));
        Assert.That(Constant(tasks, "join", "weights"), Is.EqualTo("{\"a\":1,\"b\":2}"));
        Assert.That(Constant(tasks, "scale", "factors"), Is.EqualTo("[1.0,2.5]"));
        Assert.That(Constant(tasks, "scale", "sizes"), Is.EqualTo("[3,4]"));
        Assert.That(tasks["join-2"]!["inputs"]!["parameters"]!["words"]!["componentInputParameter"]!.GetValue<string>(), Is.EqualTo("tags"));
    }

    [Test]
    public void Default_attributes_give_list_and_dictionary_parameters_their_defaults()
    {
        var parameters = Spec()["root"]!["inputDefinitions"]!["parameters"]!;

        Assert.That(parameters["tags"]!.ToJsonString(), Is.EqualTo("""{"defaultValue":["a","b"],"isOptional":true,"parameterType":"LIST"}"""));
        Assert.That(parameters["limits"]!.ToJsonString(), Is.EqualTo("""{"defaultValue":{"x":1},"isOptional":true,"parameterType":"STRUCT"}"""));
    }

    [Test]
    public void Whole_numbers_of_a_default_are_written_as_JSON_whatever_their_spelling()
    {
        const string source = """
            using System.Collections.Generic;
            using PipelineSdk;

            public static class Counts
            {
                [Step] public static int Sum(List<int> values) => values.Sum();

                [Pipeline]
                public static void CountsPipeline([Default("[+1, 007, -0]")] List<int> counts) => Sum(counts);
            }
            """;
        var (_, output) = GeneratorHarness.Run(GeneratorHarness.Compile(source));
        var spec = JsonNode.Parse(GeneratorOutputTests.ReadSpecs(GeneratorHarness.EmitClean(output))["counts-pipeline"])!;

        Assert.That(spec["root"]!["inputDefinitions"]!["parameters"]!["counts"]!["defaultValue"]!.ToJsonString(), Is.EqualTo("[1,7,0]"));
    }

    [Test]
    public void Loops_over_objects_are_raw_items_and_their_fields_are_selected_as_KFP_selects_them()
    {
        var spec = Spec();
        var root = spec["root"]!["dag"]!["tasks"]!;
        var components = spec["components"]!;

        // pipeline_with_loops.yaml: items.raw of objects, a STRUCT item, `parseJson(string_value)["A_a"]` per field.
        Assert.That(root["for-loop-1"]!["parameterIterator"]!["items"]!["raw"]!.GetValue<string>(), Is.EqualTo("""[{"Name":"a","Count":1},{"Name":"b","Count":2}]"""));
        Assert.That(root["for-loop-2"]!["parameterIterator"]!["items"]!["raw"]!.GetValue<string>(), Is.EqualTo("""[{"Name":"x","Count":10},{"Name":"y","Count":20}]"""));
        Assert.That(root["for-loop-3"]!["parameterIterator"]!["items"]!["raw"]!.GetValue<string>(), Is.EqualTo("""[{"w":5}]"""));
        var loop1 = components["comp-for-loop-1"]!;
        Assert.That(loop1["inputDefinitions"]!["parameters"]!["pipelinechannel--loop-item-param-1"]!["parameterType"]!.GetValue<string>(), Is.EqualTo("STRUCT"));
        var echo = loop1["dag"]!["tasks"]!["echo"]!["inputs"]!["parameters"]!;
        Assert.That(echo["text"]!["componentInputParameter"]!.GetValue<string>(), Is.EqualTo("pipelinechannel--loop-item-param-1"));
        Assert.That(echo["text"]!["parameterExpressionSelector"]!.GetValue<string>(), Is.EqualTo("parseJson(string_value)[\"Name\"]"));
        Assert.That(echo["number"]!["parameterExpressionSelector"]!.GetValue<string>(), Is.EqualTo("parseJson(string_value)[\"Count\"]"));

        var overOutput = components["comp-for-loop-4"]!;
        Assert.That(overOutput["inputDefinitions"]!["parameters"]!["pipelinechannel--rows-Output-loop-item"]!["parameterType"]!.GetValue<string>(), Is.EqualTo("STRUCT"));
        var text = overOutput["dag"]!["tasks"]!["echo-4"]!["inputs"]!["parameters"]!["text"]!;
        Assert.That(text["componentInputParameter"]!.GetValue<string>(), Is.EqualTo("pipelinechannel--rows-Output-loop-item"));
        Assert.That(text["parameterExpressionSelector"]!.GetValue<string>(), Is.EqualTo("parseJson(string_value)[\"A_a\"]"));
    }

    private static IEnumerable<TestCaseData> Misuses()
    {
        yield return Case("PSDK0008", "a null default of a list", "[Pipeline] public static void P(List<int>? xs = [|null|]) => A(xs!);");
        yield return Case("PSDK0008", "a Default that is not the type", "[Pipeline] public static void P([[|Default(\"[1, 2.5]\")|]] List<int> xs) => A(xs);");
        yield return Case("PSDK0008", "a Default that is no JSON", "[Pipeline] public static void P([[|Default(\"[1, 2\")|]] List<int> xs) => A(xs);");
        yield return Case("PSDK0008", "a Default on a scalar", "[Pipeline] public static void P([[|Default(\"1\")|]] int x) => B(x);");
        yield return Case("PSDK0007", "a collection of run-time values", "[Pipeline] public static void P(int n) => A([|new List<int> { n }|]);");
        yield return Case("PSDK0007", "a spread", "[Pipeline] public static void P(int[] n) => A([|[.. n]|]);");
        yield return Case("PSDK0007", "a record argument", "[Step] public static int R(Rec r) => r.X; [Pipeline] public static void P() => R([|new Rec(1)|]);");
        yield return Case("PSDK0007", "the whole record item", "[Step] public static int R(Rec r) => r.X; [Pipeline] public static void P() { foreach (var row in new[] { new Rec(1) }) { R([|row|]); } }");
        yield return Case("PSDK0007", "a dictionary item read with a run-time key", "[Pipeline] public static void P(string k) { foreach (var d in new[] { new Dictionary<string, int> { [\"a\"] = 1 } }) { B([|d[k]|]); } }");
        yield return Case("PSDK0007", "a field one item leaves unset", "public sealed record Opt { public int X { get; init; } public int Y { get; init; } } [Pipeline] public static void P() { foreach (var o in new[] { new Opt { X = 1, Y = 2 }, new Opt { X = 3 } }) { B([|o.Y|]); } }");
        yield return Case("PSDK0007", "a key one dictionary item lacks", "[Pipeline] public static void P() { foreach (var d in new[] { new Dictionary<string, int> { [\"a\"] = 1 }, new Dictionary<string, int> { [\"b\"] = 1 } }) { B([|d[\"a\"]|]); } }");
        yield return Case("PSDK0011", "a field of another type", "[Pipeline] public static void P() { foreach (var row in new[] { new { X = 1 } }) { D([|row.X|]); } }");
    }

    private static TestCaseData Case(string id, string what, string members) =>
        new TestCaseData(id, "using PipelineSdk;\npublic sealed record Rec(int X);\n[System.Text.Json.Serialization.JsonSerializable(typeof(Rec))] internal partial class J : System.Text.Json.Serialization.JsonSerializerContext;\n"
            + "public static class C { [Step] public static int A(List<int> xs) => 1; [Step] public static int B(int x) => x; [Step] public static int D(long x) => 1; " + members + " }")
            .SetName($"{id} {what}");

    [TestCaseSource(nameof(Misuses))]
    public void Misuse_is_one_diagnostic_at_the_marked_span(string id, string markedSource) =>
        ScenarioAssertions.ErrorsAreExactlyAtTheMarkedSpans(id, markedSource);


    [Test]
    public void Diagnostics_name_the_real_problem_only()
    {
        // One bad argument: the call's outputs are not reported again where they are used, and the branch calling the
        // step is not told it calls none (issue 15 item 11).
        var (source, spans) = Markup.Parse("""
            using PipelineSdk;
            public static class C
            {
                [Step] public static int A(int x) => x;
                [Step] public static (int L, int R) S(int x) => (x, x);
                [Step] public static int B(int x) => x;
                [Step] public static int Sum(List<int> xs) => 0;
                [Pipeline]
                public static int P(int n, bool flag)
                {
                    var a = A([|n + 1|]);
                    var b = B(a);
                    var (l, r) = S([|n * 2|]);
                    if (l > 1) { B(r); }
                    if (flag) { A([|n - 1|]); }
                    var all = new List<int>();
                    foreach (var i in new[] { 1, 2 }) { all.Add(A([|i + n|])); }
                    Sum(all);
                    return b;
                }
            }
            """);

        var (_, _, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.Compile(source));

        Assert.That(diagnostics.Select(d => (d.Id, d.Location.SourceSpan)), Is.EquivalentTo(spans.Select(s => ("PSDK0007", s))), () => string.Join("\n", diagnostics));
    }

    private static string Constant(JsonNode tasks, string task, string input) =>
        tasks[task]!["inputs"]!["parameters"]![input]!["runtimeValue"]!["constant"]!.ToJsonString();
}
