using System.Collections;
using System.Collections.Immutable;
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
    public void Editing_a_step_body_regenerates_that_steps_file_and_no_pipeline()
    {
        var (driver, compilation) = FirstRun();

        var edited = Replace(compilation, "Steps.cs", Steps.Replace("x + 1", "x + 100", StringComparison.Ordinal));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        Assert.That(StepReasonOf(result, "StepB"), Is.EqualTo(IncrementalStepRunReason.Modified));
        Assert.That(StepReasonOf(result, "StepA"), Is.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged));
        Assert.That(Reasons(result, TrackingNames.Outputs), Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged));
    }

    [Test]
    public void Editing_a_helper_a_step_calls_regenerates_that_steps_file_and_no_pipeline()
    {
        var (driver, compilation) = FirstRun();

        var edited = Replace(compilation, "Helpers.cs", Helpers.Replace("x * 2", "x * 3", StringComparison.Ordinal));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        Assert.That(StepReasonOf(result, "StepA"), Is.EqualTo(IncrementalStepRunReason.Modified));
        Assert.That(StepReasonOf(result, "StepB"), Is.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged));
        Assert.That(Reasons(result, TrackingNames.Outputs), Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged));
    }

    [Test]
    public void Reformatting_and_comments_keep_the_code_fingerprint()
    {
        var (driver, compilation) = FirstRun();
        var before = Fingerprint(driver.GetRunResult().Results.Single(), "StepA");

        var edited = Replace(compilation, "Helpers.cs", Helpers.Replace("=> x * 2;", "=>\n        // doubles\n        x   *   2;", StringComparison.Ordinal));
        var after = Fingerprint(driver.RunGenerators(edited).GetRunResult().Results.Single(), "StepA");

        Assert.That(after, Is.EqualTo(before));
    }

    [Test]
    public void Pipeline_and_step_models_hold_no_symbols_syntax_nodes_or_compilations()
    {
        var (driver, _) = FirstRun();

        var models = new[] { TrackingNames.Pipelines, TrackingNames.Steps }
            .SelectMany(stage => driver.GetRunResult().Results.Single().TrackedSteps[stage])
            .SelectMany(step => step.Outputs)
            // A pipeline's links keep the syntax tree their diagnostics point into; nothing but the checks across pipelines reads them.
            .Select(output => output.Value is Parsing.ParsedPipeline parsed ? parsed.Model : output.Value).ToList();

        Assert.That(models, Has.Count.EqualTo(4));
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
        Assert.That(string.Concat(result.GeneratedSources.Select(s => s.SourceText.ToString())), Does.Contain("global::PipelineSdk.Values.ArtifactCodecs.Json<global::Order>(global::ShopJson.Default)"));
    }

    private static (GeneratorDriver Driver, Compilation Compilation) FirstRun()
    {
        var compilation = GeneratorHarness.Compile((Steps, "Steps.cs"), (Helpers, "Helpers.cs"), (PipelineOne, "PipelineOne.cs"), (PipelineTwo, "PipelineTwo.cs"), (Unrelated, "Unrelated.cs"));
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var sources = driver.GetRunResult().Results.Single().GeneratedSources;
        Assert.That(sources.Count(s => s.HintName.StartsWith("Step.", StringComparison.Ordinal)), Is.EqualTo(2), "a file per step");
        Assert.That(sources, Has.Length.EqualTo(4), "and a file per pipeline");
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

    private static IncrementalStepRunReason StepReasonOf(GeneratorRunResult result, string method) =>
        result.TrackedSteps[TrackingNames.Steps].SelectMany(step => step.Outputs)
            .Single(output => ((SharedStepModel)output.Value).Step!.MethodName == method).Reason;

    private static string Fingerprint(GeneratorRunResult result, string method) =>
        result.TrackedSteps[TrackingNames.Steps].SelectMany(step => step.Outputs)
            .Select(output => ((SharedStepModel)output.Value).Step!).Single(s => s.MethodName == method)
            .CodeFingerprint;

    private static PipelineModel PipelineOf(object value) => value switch
    {
        Parsing.ParsedPipeline parsed => parsed.Model,
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
        // A default ImmutableArray (inside an empty EquatableArray) holds nothing and cannot be enumerated.
        if (value.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(ImmutableArray<>)
            && (bool)type.GetProperty(nameof(ImmutableArray<int>.IsDefault))!.GetValue(value)!)
        {
            return;
        }

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
