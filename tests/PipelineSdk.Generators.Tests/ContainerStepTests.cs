using System.Text.Json;
using Microsoft.CodeAnalysis;
using PipelineSdk.Generators.Tests.Infrastructure;

namespace PipelineSdk.Generators.Tests;

/// <summary><c>[ContainerStep]</c>: the executor as the KFP compiler writes a container component, and each mistake located.</summary>
public class ContainerStepTests
{
    private const string Scenario = """
        using PipelineSdk;
        using PipelineSdk.Artifacts;

        namespace Demo.Containers;

        public static partial class Scripts
        {
            [ContainerStep("alpine", "sh", "-c", "mkdir --parents $(dirname \"$1\") && echo \"$0\" > \"$1\"",
                Args = ["{{text}}", "{{Output.path}}"])]
            public static partial Dataset Component1(string text);

            [ContainerStep("alpine", "cat", Args = ["{{input_gcs.path}}"], LocalCommand = ["cat"])]
            public static partial void Component2(Dataset input_gcs);

            [ContainerStep("python:3.11", "my_program", "{{#optional_input}}", "{{optional_input}}", "{{^optional_input}}", "bye", "{{/optional_input}}",
                Args = ["--output_path", "{{output_path.file}}", "--dataset={{dataset.uri}}/0"], EnableCache = false, DisplayName = "With if")]
            public static partial (string output_path, Dataset dataset) WithIf(string? optional_input = null);

            [Step] public static int Count(string text) => text.Length;

            [Pipeline]
            public static void Containerized(string text = "Hello KFP Containerized!")
            {
                var data = Component1(text);
                Component2(data);
                var (path, _) = WithIf();
                WithIf(path);
                Count(path);
            }
        }
        """;

    [Test]
    public void The_executor_is_the_image_command_and_args_with_placeholders_as_the_KFP_compiler_writes_them()
    {
        using var spec = CallSettingsTests.Spec(Scenario, "containerized");
        var executors = spec.RootElement.GetProperty("deploymentSpec").GetProperty("executors");

        // two_step_pipeline_containerized.yaml in Kubeflow's compiler test data, written from C#.
        Assert.That(Normalized(executors.GetProperty("exec-component1").GetProperty("container")), Is.EqualTo(
            """{"args":["{{$.inputs.parameters['text']}}","{{$.outputs.artifacts['Output'].path}}"],"command":["sh","-c","mkdir --parents $(dirname \"$1\") && echo \"$0\" > \"$1\""],"image":"alpine"}"""));
        Assert.That(Normalized(executors.GetProperty("exec-component2").GetProperty("container")), Is.EqualTo(
            """{"args":["{{$.inputs.artifacts['input_gcs'].path}}"],"command":["cat"],"image":"alpine"}"""));

        // container_with_if_placeholder.yaml: IfPresent as a JSON string with Python's separators; an f-string's placeholder in place.
        var withIf = executors.GetProperty("exec-with-if").GetProperty("container");
        Assert.That(withIf.GetProperty("command").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[]
        {
            "my_program",
            """{"IfPresent": {"InputName": "optional_input", "Then": ["{{$.inputs.parameters['optional_input']}}"], "Else": ["bye"]}}""",
        }));
        Assert.That(withIf.GetProperty("args").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[]
        {
            "--output_path", "{{$.outputs.parameters['output_path'].output_file}}", "--dataset={{$.outputs.artifacts['dataset'].uri}}/0",
        }));
        Assert.That(withIf.GetProperty("image").GetString(), Is.EqualTo("python:3.11"));
    }

    [Test]
    public void Inputs_outputs_and_tasks_are_those_of_any_step_and_an_input_given_no_value_is_optional_and_unbound()
    {
        using var spec = CallSettingsTests.Spec(Scenario, "containerized");
        var components = spec.RootElement.GetProperty("components");
        var tasks = spec.RootElement.GetProperty("root").GetProperty("dag").GetProperty("tasks");

        var optional = components.GetProperty("comp-with-if").GetProperty("inputDefinitions").GetProperty("parameters").GetProperty("optional_input");
        Assert.That(Normalized(optional), Is.EqualTo("""{"isOptional":true,"parameterType":"STRING"}"""));
        Assert.That(components.GetProperty("comp-with-if").GetProperty("outputDefinitions").GetProperty("parameters").GetProperty("output_path").GetProperty("parameterType").GetString(), Is.EqualTo("STRING"));
        Assert.That(components.GetProperty("comp-component1").GetProperty("outputDefinitions").GetProperty("artifacts").GetProperty("Output").GetProperty("artifactType").GetProperty("schemaTitle").GetString(), Is.EqualTo("system.Dataset"));

        Assert.That(tasks.GetProperty("with-if").TryGetProperty("inputs", out _), Is.False, "no value: no binding, as KFP leaves an unset optional input");
        Assert.That(tasks.GetProperty("with-if-2").GetProperty("inputs").GetProperty("parameters").GetProperty("optional_input").GetProperty("taskOutputParameter").GetProperty("outputParameterKey").GetString(), Is.EqualTo("output_path"));
        Assert.That(tasks.GetProperty("component2").GetProperty("inputs").GetProperty("artifacts").GetProperty("input_gcs").GetProperty("taskOutputArtifact").GetProperty("producerTask").GetString(), Is.EqualTo("component1"));
        Assert.That(tasks.GetProperty("with-if").GetProperty("cachingOptions").EnumerateObject(), Is.Empty);
        Assert.That(tasks.GetProperty("with-if").GetProperty("taskInfo").GetProperty("name").GetString(), Is.EqualTo("With if"));
    }

    [Test]
    public void The_generated_body_says_where_the_step_runs_and_the_descriptor_carries_the_command()
    {
        var (result, output, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.Compile(Scenario));

        Assert.That(diagnostics, Is.Empty);
        GeneratorHarness.EmitClean(output);
        var body = result.GeneratedSources.Single(s => s.HintName.StartsWith("ContainerStep.Demo.Containers.Scripts.Component2.", StringComparison.Ordinal)).SourceText.ToString();
        Assert.That(body, Does.Contain("public static partial void Component2(global::PipelineSdk.Artifacts.Dataset input_gcs) =>"));
        Assert.That(body, Does.Contain("is a container step"));
        var descriptors = GeneratorHarness.AllSources(result);
        Assert.That(descriptors, Does.Contain("""Container = new global::PipelineSdk.Descriptors.ContainerCommand { Image = "alpine", Command = new string[] { "cat" }, Arguments = new string[] { "{{$.inputs.artifacts['input_gcs'].path}}" }, LocalCommand = new string[] { "cat" } }"""));
        Assert.That(descriptors, Does.Contain("""new global::PipelineSdk.Descriptors.ContainerCommand { Image = "alpine", Command = new string[] { "sh", "-c", """), "no LocalCommand: none set");
    }

    [TestCase("\"{{txt}}\"", "'{{txt}}' names no input or output of the step; its inputs: text; its outputs: Output")]
    [TestCase("\"{{text.path}}\"", "'{{text.path}}' asks for the path of the parameter 'text'; write {{text}} for its value")]
    [TestCase("\"{{Output}}\"", "'{{Output}}' names the output 'Output'; write {{Output.file}} for where the command writes it")]
    [TestCase("\"--n={{text\"", "'--n={{text' opens a placeholder with '{{' and never closes it with '}}'")]
    [TestCase("\"{{$.inputs.parameters['text']}}\"", "uses Kubeflow's placeholder")]
    [TestCase("\"{{#text}}\", \"x\", \"{{/text}}\"", "'{{#text}}' makes elements depend on 'text', which always has a value; give the parameter a default")]
    [TestCase("\"{{/text}}\"", "'{{/text}}' closes a section that is not open")]
    public void A_wrong_placeholder_is_PSDK0051_at_the_string_that_has_it(string args, string message)
    {
        var source = "using PipelineSdk; public static partial class C { [ContainerStep(\"alpine\", \"echo\", Args = [\"ok\", " + args + "])] public static partial int Echo(string text); [Pipeline] public static void P() => Echo(\"a\"); }";
        var (_, _, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.Compile(source));

        Assert.That(diagnostics, Has.Length.EqualTo(1), () => string.Join("\n", diagnostics) + string.Join("\n", GeneratorHarness.Compile(source).GetDiagnostics()));
        var diagnostic = diagnostics[0];
        Assert.That(diagnostic.Id, Is.EqualTo("PSDK0051"));
        Assert.That(diagnostic.GetMessage(), Does.StartWith("Args of container step 'C.Echo(string)': "));
        Assert.That(diagnostic.GetMessage(), Does.Contain(message));
        var located = diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan);
        Assert.That(args, Does.StartWith(located), "reported at the string itself");
    }

    [TestCase("[ContainerStep(\"alpine\", \"true\")] public static int Echo(string text) => 1;", "must be declared 'static partial' without a body", "Echo")]
    [TestCase("[ContainerStep(\"alpine\")] public static partial int Echo(string text);", "has no command", "ContainerStep(\"alpine\")")]
    [TestCase("[ContainerStep(\"my image\", \"true\")] public static partial int Echo(string text);", "has an image that is \"my image\", which contains white space", "\"my image\"")]
    [TestCase("[ContainerStep(\"alpine\", \"true\", LocalCommand = new string[0])] public static partial int Echo(string text);", "has an empty LocalCommand", "LocalCommand = new string[0]")]
    [TestCase("[ContainerStep(\"alpine\", \"true\")] public static partial System.Threading.Tasks.Task<int> Echo(string text);", "returns a Task", "System.Threading.Tasks.Task<int>")]
    [TestCase("[Step, ContainerStep(\"alpine\", \"true\")] public static partial int Echo(string text);", "has both [Step] and [ContainerStep]", "Step")]
    [TestCase("[ContainerStep(\"alpine\", \"true\", RunsLocally = true, LocalCommand = [\"x\"])] public static partial int Echo(string text);", "has both RunsLocally and LocalCommand", "RunsLocally = true")]
    [TestCase("[ContainerStep(\"alpine\", \"true\")] public static partial int Echo(System.Threading.CancellationToken cancel);", "takes a CancellationToken", "System.Threading.CancellationToken cancel")]
    public void A_wrong_declaration_is_PSDK0050_where_it_is(string declaration, string message, string located)
    {
        var source = "using PipelineSdk; public static partial class C { " + declaration + " }";
        var (_, _, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.Compile(source));

        var diagnostic = diagnostics.Single(d => d.Id.StartsWith("PSDK", StringComparison.Ordinal));
        Assert.That(diagnostic.Id, Is.EqualTo("PSDK0050"));
        Assert.That(diagnostic.GetMessage(), Does.Contain(message));
        Assert.That(diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan), Is.EqualTo(located));
    }

    [Test]
    public void A_pipeline_with_a_wrong_container_step_generates_nothing_but_others_do()
    {
        var (result, _, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.Compile("""
            using PipelineSdk;
            public static partial class C
            {
                [ContainerStep("alpine", "echo", "{{nope}}")] public static partial void Broken(int n);
                [ContainerStep("alpine", "echo", "{{n}}")] public static partial void Fine(int n);
                [Pipeline] public static void UsesBroken() => Broken(1);
                [Pipeline] public static void UsesFine() => Fine(1);
            }
            """));

        Assert.That(diagnostics.Select(d => d.Id), Is.EqualTo(new[] { "PSDK0051" }));
        Assert.That(diagnostics.Single().Severity, Is.EqualTo(DiagnosticSeverity.Error));
        Assert.That(result.GeneratedSources.Select(s => s.HintName), Has.None.StartsWith("C.UsesBroken"));
        Assert.That(result.GeneratedSources.Select(s => s.HintName), Has.Some.StartsWith("C.UsesFine"));
    }

    [Test]
    public void An_unrelated_edit_regenerates_no_body_and_editing_the_command_changes_the_spec_and_the_code_fingerprint()
    {
        const string Step = """
            using PipelineSdk;
            public static partial class Tools
            {
                [ContainerStep("alpine", "echo", Args = ["{{n}}"])] public static partial void Echo(int n);
                [Pipeline] public static void EchoPipeline() => Echo(1);
            }
            """;
        var compilation = GeneratorHarness.Compile((Step, "Tools.cs"), ("public static class Unrelated { }", "Unrelated.cs"));
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var before = Model(driver.GetRunResult().Results.Single());

        var unrelated = Replace(compilation, "Unrelated.cs", "public static class Unrelated { public static int Value => 2; }");
        var again = driver.RunGenerators(unrelated).GetRunResult().Results.Single();
        Assert.That(Reasons(again, PipelineGenerator.TrackingNames.ContainerSteps), Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged));
        Assert.That(Reasons(again, PipelineGenerator.TrackingNames.Outputs), Is.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged));

        var edited = driver.RunGenerators(Replace(compilation, "Tools.cs", Step.Replace("\"echo\"", "\"printf\"", StringComparison.Ordinal))).GetRunResult().Results.Single();
        Assert.That(Reasons(edited, PipelineGenerator.TrackingNames.Outputs), Is.All.EqualTo(IncrementalStepRunReason.Modified));
        var after = Model(edited);
        Assert.That(after.Settings.Container!.Command, Is.EqualTo(new[] { "printf" }));
        Assert.That(after.CodeFingerprint, Is.Not.EqualTo(before.CodeFingerprint), "a new command is a cache miss even before the runtime compares commands");
    }

    private static Model.StepModel Model(GeneratorRunResult result) =>
        result.TrackedSteps[PipelineGenerator.TrackingNames.Steps].SelectMany(s => s.Outputs).Select(o => ((Model.SharedStepModel)o.Value).Step!).Single();

    private static IEnumerable<IncrementalStepRunReason> Reasons(GeneratorRunResult result, string stage) =>
        result.TrackedSteps[stage].SelectMany(step => step.Outputs).Select(output => output.Reason);

    private static Compilation Replace(Compilation compilation, string path, string source) =>
        compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Single(t => t.FilePath == path), Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions, path));

    /// <summary>The JSON compact and unescaped, to compare with what the KFP compiler writes.</summary>
    private static string Normalized(JsonElement element) =>
        JsonSerializer.Serialize(element, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
