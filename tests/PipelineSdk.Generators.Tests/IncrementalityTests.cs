using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using PipelineSdk.Generators.Model;
using PipelineSdk.Generators.Tests.Infrastructure;
using static PipelineSdk.Generators.PipelineGenerator;

namespace PipelineSdk.Generators.Tests;

public class IncrementalityTests
{
    private const string Steps = """
        using PipelineSdk;
        public static class Steps
        {
            [Step] public static int StepA(int x) => Helpers.Twice(x);
            [Step] public static int StepB(int x) => x + 1;
        }
        """;

    private const string Helpers = """
        public static class Helpers
        {
            public static int Twice(int x) => x * 2;
        }
        """;

    private const string PipelineOne = """
        using PipelineSdk;
        public static class One
        {
            [Pipeline] public static void PipelineOne(int x = 1) => Steps.StepA(x);
        }
        """;

    private const string PipelineTwo = """
        using PipelineSdk;
        public static class Two
        {
            [Pipeline] public static void PipelineTwo(int x = 2) => Steps.StepB(x);
        }
        """;

    private const string Unrelated = "public static class Unrelated { public static int Value => 1; }";

    private static readonly string[] TrackedStages = [TrackingNames.Pipelines, TrackingNames.Graphs, TrackingNames.Outputs];

    [Test]
    public void An_unrelated_edit_regenerates_nothing()
    {
        var (driver, compilation) = FirstRun();

        var edited = Replace(compilation, "Unrelated.cs", "public static class Unrelated { public static int Value => 2; public static int Other => 3; }");
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (var stage in TrackedStages)
        {
            Assert.That(Reasons(result, stage), Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged), stage);
        }
    }

    [Test]
    public void Adding_a_file_regenerates_nothing()
    {
        var (driver, compilation) = FirstRun();

        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("public class Added { }", GeneratorHarness.ParseOptions, "Added.cs"));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (var stage in TrackedStages)
        {
            Assert.That(Reasons(result, stage), Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged), stage);
        }
    }

    [Test]
    public void Editing_a_step_body_regenerates_only_the_pipelines_that_use_it()
    {
        var (driver, compilation) = FirstRun();

        var edited = Replace(compilation, "Steps.cs", Steps.Replace("x + 1", "x + 100", StringComparison.Ordinal));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        Assert.That(ReasonOf(result, TrackingNames.Outputs, "pipeline-two"), Is.EqualTo(IncrementalStepRunReason.Modified));
        Assert.That(ReasonOf(result, TrackingNames.Outputs, "pipeline-one"), Is.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged));
    }

    [Test]
    public void Editing_a_helper_a_step_calls_regenerates_the_pipelines_that_use_the_step()
    {
        var (driver, compilation) = FirstRun();

        var edited = Replace(compilation, "Helpers.cs", Helpers.Replace("x * 2", "x * 3", StringComparison.Ordinal));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        Assert.That(ReasonOf(result, TrackingNames.Outputs, "pipeline-one"), Is.EqualTo(IncrementalStepRunReason.Modified));
        Assert.That(ReasonOf(result, TrackingNames.Outputs, "pipeline-two"), Is.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged));
    }

    [Test]
    public void Reformatting_and_comments_keep_the_code_fingerprint()
    {
        var (driver, compilation) = FirstRun();
        var before = Fingerprint(driver.GetRunResult().Results.Single(), "pipeline-one");

        var edited = Replace(compilation, "Helpers.cs", Helpers.Replace("=> x * 2;", "=>\n        // doubles\n        x   *   2;", StringComparison.Ordinal));
        var after = Fingerprint(driver.RunGenerators(edited).GetRunResult().Results.Single(), "pipeline-one");

        Assert.That(after, Is.EqualTo(before));
    }

    [Test]
    public void Pipeline_models_hold_no_symbols_syntax_nodes_or_compilations()
    {
        var (driver, _) = FirstRun();

        var models = driver.GetRunResult().Results.Single().TrackedSteps[TrackingNames.Pipelines]
            .SelectMany(step => step.Outputs).Select(output => output.Value).ToList();

        Assert.That(models, Has.Count.EqualTo(2));
        foreach (var model in models)
        {
            AssertNoRoslynObjects(model, new HashSet<object>(ReferenceEqualityComparer.Instance), "model");
        }
    }

    [Test]
    public void Listing_a_record_in_a_JSON_context_in_another_file_makes_its_pipeline_generate()
    {
        const string Pipeline = """
            using PipelineSdk;
            public sealed record Order(int Id);
            public static class Shop
            {
                [Step] public static Order Make(int id) => new(id);
                [Step] public static int Read(Order order) => order.Id;
                [Pipeline] public static void ShopPipeline() => Read(Make(1));
            }
            """;
        var compilation = GeneratorHarness.Compile((Pipeline, "Shop.cs"), (Unrelated, "Unrelated.cs"));
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        Assert.That(driver.GetRunResult().Results.Single().GeneratedSources, Is.Empty, "Order is not an artifact type yet");

        var edited = Replace(compilation, "Unrelated.cs", Unrelated + "\n[System.Text.Json.Serialization.JsonSerializable(typeof(Order))] internal partial class ShopJson : System.Text.Json.Serialization.JsonSerializerContext;");
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        Assert.That(ReasonOf(result, TrackingNames.Pipelines, "shop-pipeline"), Is.EqualTo(IncrementalStepRunReason.Modified));
        Assert.That(result.GeneratedSources.Single().SourceText.ToString(), Does.Contain("global::PipelineSdk.Values.ArtifactCodecs.Json<global::Order>(global::ShopJson.Default)"));
    }

    private static (GeneratorDriver Driver, Compilation Compilation) FirstRun()
    {
        var compilation = GeneratorHarness.Compile((Steps, "Steps.cs"), (Helpers, "Helpers.cs"), (PipelineOne, "PipelineOne.cs"), (PipelineTwo, "PipelineTwo.cs"), (Unrelated, "Unrelated.cs"));
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        Assert.That(driver.GetRunResult().Results.Single().GeneratedSources, Has.Length.EqualTo(2));
        return (driver, compilation);
    }

    private static Compilation Replace(Compilation compilation, string path, string source)
    {
        var old = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions, path));
    }

    private static IEnumerable<IncrementalStepRunReason> Reasons(GeneratorRunResult result, string stage) =>
        result.TrackedSteps[stage].SelectMany(step => step.Outputs).Select(output => output.Reason);

    private static IncrementalStepRunReason ReasonOf(GeneratorRunResult result, string stage, string pipeline) =>
        result.TrackedSteps[stage].SelectMany(step => step.Outputs)
            .Single(output => PipelineOf(output.Value).PipelineName == pipeline).Reason;

    private static string Fingerprint(GeneratorRunResult result, string pipeline) =>
        result.TrackedSteps[TrackingNames.Pipelines].SelectMany(step => step.Outputs)
            .Select(output => (PipelineModel)output.Value).Single(m => m.PipelineName == pipeline)
            .Calls.Single().Step.CodeFingerprint;

    private static PipelineModel PipelineOf(object value) => value switch
    {
        PipelineModel model => model,
        Graph.PipelineGraph graph => graph.Pipeline,
        ValueTuple<Graph.PipelineGraph, EmitContext> pair => pair.Item1.Pipeline,
        _ => throw new InvalidOperationException($"unexpected tracked value {value.GetType()}"),
    };

    private static void AssertNoRoslynObjects(object? value, HashSet<object> seen, string path)
    {
        if (value is null or string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
        {
            return;
        }

        Assert.That(value, Is.Not.InstanceOf<ISymbol>().And.Not.InstanceOf<SyntaxNode>().And.Not.InstanceOf<Compilation>().And.Not.InstanceOf<SemanticModel>(), path);
        if (value is IEnumerable items)
        {
            var i = 0;
            foreach (var item in items)
            {
                AssertNoRoslynObjects(item, seen, $"{path}[{i++}]");
            }

            return;
        }

        foreach (var field in value.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            AssertNoRoslynObjects(field.GetValue(value), seen, $"{path}.{field.Name}");
        }
    }
}
