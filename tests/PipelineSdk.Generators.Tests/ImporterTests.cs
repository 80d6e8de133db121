using System.Text.Json;
using PipelineSdk.Generators.Tests.Infrastructure;

namespace PipelineSdk.Generators.Tests;

/// <summary>
/// <c>Importer.Import&lt;T&gt;</c> compiles to the IR the KFP compiler writes for <c>dsl.importer</c>; the expected fragments below
/// are those of KFP's own compiled pipeline_with_importer (test_data/sdk_compiled_pipelines/valid), whose C# form is
/// <see cref="Scenarios.Importers"/>.
/// </summary>
public class ImporterTests
{
    [Test]
    public void Importer_components_executors_and_tasks_are_the_ones_KFP_writes()
    {
        using var spec = CallSettingsTests.Spec(Scenarios.Importers, "pipeline-with-importer");
        var root = spec.RootElement;
        var components = root.GetProperty("components");
        var executors = root.GetProperty("deploymentSpec").GetProperty("executors");

        const string importerComponent = """{"inputDefinitions":{"parameters":{"uri":{"parameterType":"STRING"}}},"outputDefinitions":{"artifacts":{"artifact":{"artifactType":{"schemaTitle":"system.Dataset","schemaVersion":"0.0.1"}}}}}""";
        Assert.That(Compact(components.GetProperty("comp-importer"), except: "executorLabel"), Is.EqualTo(importerComponent));
        Assert.That(Compact(components.GetProperty("comp-importer-2"), except: "executorLabel"), Is.EqualTo(importerComponent));
        Assert.That(components.GetProperty("comp-importer-2").GetProperty("executorLabel").GetString(), Is.EqualTo("exec-importer-2"));

        Assert.That(Compact(executors.GetProperty("exec-importer")), Is.EqualTo(
            """{"importer":{"artifactUri":{"constant":"gs://ml-pipeline-playground/shakespeare1.txt"},"metadata":{"key":"value"},"typeSchema":{"schemaTitle":"system.Dataset","schemaVersion":"0.0.1"}}}"""));
        Assert.That(Compact(executors.GetProperty("exec-importer-2")), Is.EqualTo(
            """{"importer":{"artifactUri":{"runtimeParameter":"uri"},"reimport":true,"typeSchema":{"schemaTitle":"system.Dataset","schemaVersion":"0.0.1"}}}"""));

        var tasks = root.GetProperty("root").GetProperty("dag").GetProperty("tasks");
        Assert.That(Compact(tasks.GetProperty("importer")), Is.EqualTo(
            """{"cachingOptions":{"enableCache":true},"componentRef":{"name":"comp-importer"},"inputs":{"parameters":{"uri":{"runtimeValue":{"constant":"gs://ml-pipeline-playground/shakespeare1.txt"}}}},"taskInfo":{"name":"importer"}}"""));
        Assert.That(Compact(tasks.GetProperty("train").GetProperty("inputs")), Is.EqualTo(
            """{"artifacts":{"dataset":{"taskOutputArtifact":{"outputArtifactKey":"artifact","producerTask":"importer"}}}}"""));

        var branch = components.GetProperty("comp-condition-1").GetProperty("dag").GetProperty("tasks");
        Assert.That(Compact(branch.GetProperty("importer-2")), Is.EqualTo(
            """{"cachingOptions":{"enableCache":true},"componentRef":{"name":"comp-importer-2"},"inputs":{"parameters":{"uri":{"componentInputParameter":"pipelinechannel--dataset2"}}},"taskInfo":{"name":"importer-2"}}"""));
        Assert.That(Compact(branch.GetProperty("train-2")), Is.EqualTo(
            """{"cachingOptions":{"enableCache":true},"componentRef":{"name":"comp-train"},"dependentTasks":["importer-2"],"inputs":{"artifacts":{"dataset":{"taskOutputArtifact":{"outputArtifactKey":"artifact","producerTask":"importer-2"}}}},"taskInfo":{"name":"train-2"}}"""));
    }

    [Test]
    public void A_URI_from_a_step_output_is_a_runtime_parameter_and_settings_of_the_call_apply()
    {
        const string source = """
            using PipelineSdk;
            using PipelineSdk.Artifacts;
            public static class C
            {
                [Step] public static string Locate(string name) => "gs://bucket/" + name;
                [Step] public static int Fit(Model model) => 1;
                [Pipeline]
                public static void P(string name = "model")
                {
                    var model = Importer.Import<Model>(Locate(name)).WithCaching(false).WithDisplayName("Import the model");
                    Fit(model);
                }
            }
            """;
        using var spec = CallSettingsTests.Spec(source, "p");
        var root = spec.RootElement;
        var importer = root.GetProperty("root").GetProperty("dag").GetProperty("tasks").GetProperty("importer");

        Assert.That(Compact(importer), Is.EqualTo(
            """{"cachingOptions":{},"componentRef":{"name":"comp-importer"},"dependentTasks":["locate"],"inputs":{"parameters":{"uri":{"taskOutputParameter":{"outputParameterKey":"Output","producerTask":"locate"}}}},"taskInfo":{"name":"Import the model"}}"""));
        Assert.That(Compact(root.GetProperty("deploymentSpec").GetProperty("executors").GetProperty("exec-importer")), Is.EqualTo(
            """{"importer":{"artifactUri":{"runtimeParameter":"uri"},"typeSchema":{"schemaTitle":"system.Model","schemaVersion":"0.0.1"}}}"""));
    }

    [TestCase("var d = Importer.Import<Mine>(\"gs://b/x\");", "Mine", "PSDK0042", "which Kubeflow cannot import")]
    [TestCase("var d = Importer.Import<Dataset>(\"\");", "\"\"", "PSDK0042", "is given an empty URI")]
    [TestCase("var d = Importer.Import<Dataset>(uri, reimport: again);", "reimport: again", "PSDK0042", "reimport that is not a constant")]
    [TestCase("var d = Importer.Import<Dataset>(uri, metadata: new Dictionary<string, object> { [\"from\"] = uri });", "metadata: new Dictionary<string, object> { [\"from\"] = uri }", "PSDK0042", "not a dictionary of constants")]
    [TestCase("var d = Importer.Import<Dataset>(uri).WithRetry(2);", "WithRetry", "PSDK0040", "an importer takes only WithCaching, WithDisplayName and After")]
    [TestCase("var d = Importer.Import<Dataset>(uri + \"/x\");", "uri + \"/x\"", "PSDK0007", "arithmetic or logic")]
    public void Misuse_is_reported_where_it_is(string statement, string at, string id, string message)
    {
        var source = $$"""
            using System.Collections.Generic;
            using PipelineSdk;
            using PipelineSdk.Artifacts;
            public sealed class Mine : Artifact { }
            public static class C
            {
                [Step] public static int Use(Dataset data) => 1;
                [Pipeline]
                public static void P(string uri = "gs://b/x", bool again = false)
                {
                    {{statement}}
                    Use(Importer.Import<Dataset>("gs://b/y"));
                }
            }
            """;
        var (_, _, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.Compile(source));

        var relevant = diagnostics.Where(d => d.Id is not ("PSDK0020" or "PSDK0021")).ToList();
        Assert.That(relevant.Select(d => d.Id), Is.EqualTo(new[] { id }), string.Join("\n", relevant));
        Assert.That(relevant[0].GetMessage(), Does.Contain(message));
        Assert.That(relevant[0].Location.SourceTree!.GetText().ToString(relevant[0].Location.SourceSpan), Is.EqualTo(at));
    }

    private static string Compact(JsonElement element, string? except = null)
    {
        if (except is null || element.ValueKind != JsonValueKind.Object)
        {
            return JsonSerializer.Serialize(element);
        }

        return JsonSerializer.Serialize(element.EnumerateObject().Where(p => p.Name != except).ToDictionary(p => p.Name, p => p.Value));
    }
}
