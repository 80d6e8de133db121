using System.Text.Json;
using PipelineSdk.Execution;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Tests;

/// <summary>
/// Feeds hand-written ExecutorInput, shaped like what Vertex AI passes as <c>{{$}}</c>, to the built example
/// programs in step mode, and checks every file they write and every exit code.
/// </summary>
public class ExecutorContractTests
{
    private string _mount = null!;

    [SetUp]
    public void SetUp() => _mount = Directory.CreateTempSubdirectory("psdk-gcs-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_mount, recursive: true);

    private string TaskRoot => Path.Combine(_mount, "test-bucket", "root", "1234", "task");

    [Test]
    public async Task A_Vertex_shaped_input_runs_the_step_and_writes_the_outputs_under_the_gcs_mount()
    {
        var result = await Step(ExampleProgram.QuickStart, "vertex-example-pipeline", "subtract-numbers", """
            {
              "inputs": {"parameterValues": {"firstNum": 10, "randomNum": 3.0}},
              "outputs": {
                "parameters": {"Output": {"outputFile": "/gcs/test-bucket/root/1234/task/Output"}},
                "outputFile": "/gcs/test-bucket/root/1234/task/executor_output.json"
              }
            }
            """);

        Assert.That(result.Exit, Is.EqualTo(StepMode.Succeeded), result.Error);
        Assert.That(result.Output.Trim(), Does.Match("^Step 'subtract-numbers' of pipeline 'vertex-example-pipeline' completed in \\d+ ms\\.$"));
        Assert.That(File.ReadAllText(Path.Combine(TaskRoot, "Output")), Is.EqualTo("7"));
        using var output = JsonDocument.Parse(File.ReadAllText(Path.Combine(TaskRoot, "executor_output.json")));
        Assert.That(output.RootElement.GetProperty("parameterValues").GetProperty("Output").GetInt32(), Is.EqualTo(7));
        Assert.That(output.RootElement.GetProperty("artifacts").EnumerateObject(), Is.Empty);
        Assert.That(Directory.GetFiles(TaskRoot).Select(Path.GetFileName), Is.EquivalentTo(new[] { "Output", "executor_output.json" }));
    }

    [Test]
    public async Task Tuple_outputs_write_one_parameter_each_and_lists_as_JSON()
    {
        var result = await Step(ExampleProgram.LinearRegression, "linear-regression-pipeline", "split", """
            {
              "inputs": {"parameterValues": {"xs": [0.0, 0.25, 0.5, 0.75], "ys": [2, 2.75, 3.5, 4.25], "testFraction": 0.25}},
              "outputs": {
                "parameters": {
                  "TrainX": {"outputFile": "/gcs/test-bucket/root/1234/task/TrainX"},
                  "TestY": {"outputFile": "/gcs/test-bucket/root/1234/task/TestY"}
                },
                "outputFile": "/gcs/test-bucket/root/1234/task/executor_output.json"
              }
            }
            """);

        Assert.That(result.Exit, Is.EqualTo(StepMode.Succeeded), result.Error);
        Assert.That(File.ReadAllText(Path.Combine(TaskRoot, "TrainX")), Is.EqualTo("[0,0.25,0.5]"));
        Assert.That(File.ReadAllText(Path.Combine(TaskRoot, "TestY")), Is.EqualTo("[4.25]"));
        using var output = JsonDocument.Parse(File.ReadAllText(Path.Combine(TaskRoot, "executor_output.json")));
        var values = output.RootElement.GetProperty("parameterValues");
        Assert.That(values.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "TrainX", "TrainY", "TestX", "TestY" }));
        Assert.That(values.GetProperty("TestX").EnumerateArray().Select(v => v.GetDouble()), Is.EqualTo(new[] { 0.75 }));
    }

    [Test]
    public async Task A_string_output_file_holds_the_bare_text_as_the_launcher_reads_it()
    {
        var result = await Step(ExampleProgram.LinearRegression, "linear-regression-pipeline", "report", """
            {
              "inputs": {"parameterValues": {"slope": 3, "intercept": 2, "meanSquaredError": 0.01}},
              "outputs": {"parameters": {"Output": {"outputFile": "/gcs/test-bucket/root/1234/task/Output"}}, "outputFile": "/gcs/test-bucket/root/1234/task/executor_output.json"}
            }
            """);

        Assert.That(result.Exit, Is.EqualTo(StepMode.Succeeded), result.Error);
        Assert.That(File.ReadAllText(Path.Combine(TaskRoot, "Output")), Is.EqualTo("y = 3.000x + 2.000 (test MSE 0.0100)"));
    }

    [Test]
    public async Task A_failing_step_exits_1_with_a_one_line_executor_error_and_the_exception_in_the_log()
    {
        var result = await Step(ExampleProgram.LinearRegression, "linear-regression-pipeline", "split", """
            {
              "inputs": {"parameterValues": {"xs": [0.0, 1.0], "ys": [2.0, 5.0], "testFraction": 2}},
              "outputs": {"outputFile": "/gcs/test-bucket/root/1234/task/executor_output.json"}
            }
            """);

        Assert.That(result.Exit, Is.EqualTo(StepMode.StepFailed));
        var error = File.ReadAllText(Path.Combine(TaskRoot, StepMode.ErrorFileName));
        Assert.That(error.TrimEnd('\n'), Does.Not.Contain("\n"), "one line");
        using var parsed = JsonDocument.Parse(error);
        Assert.That(parsed.RootElement.GetProperty("error").GetString(), Does.StartWith("ArgumentOutOfRangeException: must be between 0 and 1"));
        Assert.That(parsed.RootElement.GetProperty("step").GetString(), Is.EqualTo("split"));
        Assert.That(result.Error, Does.Contain("at LinearRegression.Split("), "the exception goes to the log");
        Assert.That(File.Exists(Path.Combine(TaskRoot, "executor_output.json")), Is.False);
    }

    [TestCase("not json at all", "error: malformed executor input: (document): not JSON (line 1, byte 2)")]
    [TestCase("""{"outputs": []}""", "error: malformed executor input: outputs: expected an object, found array")]
    [TestCase("""["a list"]""", "error: malformed executor input: (document): expected an object, found array")]
    [TestCase("""{"inputs": {"parameterValues": {"firstNum": 1, "randomNum": 2}}, "outputs": {}}""", "error: malformed executor input: outputs.outputFile: missing")]
    [TestCase("""{"inputs": {"parameterValues": {"firstNum": 1, "randomNum": 2}}, "outputs": {"outputFile": 7}}""", "error: malformed executor input: outputs.outputFile: expected a non-empty string, found number")]
    [TestCase("""{"inputs": {"parameterValues": {"firstNum": "ten", "randomNum": 2}}, "outputs": {"outputFile": "/tmp/x.json"}}""", "error: malformed executor input: inputs.parameterValues.firstNum: expected a whole number like 5 (NUMBER_INTEGER), found JSON string \"ten\"")]
    [TestCase("""{"inputs": {"parameterValues": {"firstNum": 1.5, "randomNum": 2}}, "outputs": {"outputFile": "/tmp/x.json"}}""", "error: malformed executor input: inputs.parameterValues.firstNum: expected a whole number like 5 (NUMBER_INTEGER), found JSON number 1.5")]
    [TestCase("""{"inputs": {"parameterValues": {"firstNum": 1}}, "outputs": {"outputFile": "/tmp/x.json"}}""", "error: malformed executor input: inputs.parameterValues.randomNum: missing (step 'subtract-numbers' takes int 'randomNum')")]
    [TestCase("""{"outputs": {"parameters": {"Output": {}}, "outputFile": "/tmp/x.json"}}""", "error: malformed executor input: outputs.parameters.Output.outputFile: missing")]
    public async Task Malformed_input_is_a_one_line_error_naming_the_field_with_exit_code_3(string input, string expected)
    {
        var result = await Step(ExampleProgram.QuickStart, "vertex-example-pipeline", "subtract-numbers", input);

        Assert.That(result.Exit, Is.EqualTo(StepMode.MalformedInput));
        Assert.That(result.Error.TrimEnd('\n'), Is.EqualTo(expected));
        Assert.That(Directory.EnumerateFileSystemEntries(_mount), Is.Empty, "nothing is written");
    }

    [Test]
    public async Task An_unknown_step_exits_2_and_names_the_known_ones()
    {
        var result = await Step(ExampleProgram.QuickStart, "vertex-example-pipeline", "train", "{}");

        Assert.That(result.Exit, Is.EqualTo(StepMode.UnknownStep));
        Assert.That(result.Error.TrimEnd('\n'), Is.EqualTo(
            "error: this program has no step 'train' in pipeline 'vertex-example-pipeline'; its steps are get-first-num, get-random-int, subtract-numbers. Was the image built from another version of the program?"));
    }

    [Test]
    public async Task The_same_step_runs_from_every_spelling_of_its_command_line()
    {
        const string input = """{"inputs": {"parameterValues": {"firstNum": 10, "randomNum": 4}}, "outputs": {"outputFile": "/gcs/test-bucket/root/1234/task/executor_output.json"}}""";
        var environment = new Dictionary<string, string> { [GcsMount.RootVariable] = _mount };
        string[][] spellings =
        [
            ["step", "--pipeline", "vertex-example-pipeline", "--step", "subtract-numbers", "--executor-input", input],
            ["step", "--executor-input", input, "--step", "subtract-numbers", "--pipeline", "vertex-example-pipeline", "--run", "{{$.pipeline_job_resource_name}}", "--task", "{{$.pipeline_task_name}}"],
            ["step", "--pipeline=vertex-example-pipeline", "--step", "subtract-numbers", $"--executor-input={input}"],
        ];

        foreach (var spelling in spellings)
        {
            if (Directory.Exists(TaskRoot))
            {
                Directory.Delete(TaskRoot, recursive: true);
            }

            var result = await ProcessResult.RunAsync("dotnet", [ExampleProgram.QuickStart.Dll, .. spelling], environment);

            Assert.That(result.Exit, Is.EqualTo(StepMode.Succeeded), string.Join(' ', spelling) + "\n" + result.Error);
            using var output = JsonDocument.Parse(File.ReadAllText(Path.Combine(TaskRoot, "executor_output.json")));
            Assert.That(output.RootElement.GetProperty("parameterValues").GetProperty("Output").GetInt32(), Is.EqualTo(6), string.Join(' ', spelling));
        }
    }

    [Test]
    public async Task A_step_command_line_without_the_executor_input_is_a_one_line_usage_error()
    {
        var result = await ProcessResult.RunAsync("dotnet", [ExampleProgram.QuickStart.Dll, "step", "--pipeline", "vertex-example-pipeline", "--step", "subtract-numbers"],
            new Dictionary<string, string> { [GcsMount.RootVariable] = _mount });

        Assert.That(result.Exit, Is.EqualTo(PipelineSdk.Hosting.PipelineApp.UsageError));
        Assert.That(result.Error.TrimEnd('\n'), Does.StartWith("error: ").And.Contain("--executor-input").And.Not.Contain("\n"));
    }

    [TestCase("step --pipeline p --step s --executor-input {} --run r --task t --task-id i", "p s {} r t i")]
    [TestCase("step --executor-input - --step s --pipeline p", "p s - _ _ _")]
    public void The_launchers_shape_of_the_step_command_line_is_read_directly(string commandLine, string expected)
    {
        var step = PipelineSdk.Hosting.StepCommandLine.TryRead(commandLine.Split(' '));

        Assert.That(step, Is.Not.Null);
        Assert.That(string.Join(' ', new[] { step!.Pipeline, step.Step, step.ExecutorInput, step.Run ?? "_", step.Task ?? "_", step.TaskId ?? "_" }), Is.EqualTo(expected));
    }

    [TestCase("step --pipeline p --step s", Description = "a required option missing: the full parser says which")]
    [TestCase("step --pipeline p --step s --executor-input {} --pipeline q", Description = "an option twice")]
    [TestCase("step --pipeline=p --step s --executor-input {}", Description = "name=value")]
    [TestCase("step --pipeline p --step s --executor-input {} --verbose x", Description = "an unknown option")]
    [TestCase("step --pipeline p --step --executor-input {}", Description = "an option where a value belongs")]
    [TestCase("step --help", Description = "help")]
    [TestCase("run --pipeline p --step s --executor-input {}", Description = "another command")]
    public void Any_other_command_line_goes_through_the_full_parser(string commandLine)
    {
        Assert.That(PipelineSdk.Hosting.StepCommandLine.TryRead(commandLine.Split(' ')), Is.Null);
    }

    [Test]
    public void The_launcher_substitutes_placeholders_as_Kubeflow_does()
    {
        const string input = """
            {
              "inputs": {"parameterValues": {"text": "hi there", "count": 3, "ratio": 0.5, "flag": true, "items": [1, "a"]},
                         "artifacts": {"data": {"artifacts": [{"uri": "gs://bucket/data.csv", "type": {"schemaTitle": "system.Dataset"}}]}}},
              "outputs": {"parameters": {"result": {"outputFile": "/tmp/out/result"}},
                          "artifacts": {"model": {"artifacts": [{"uri": "gs://bucket/model"}]}},
                          "outputFile": "/tmp/out/executor_output.json"}
            }
            """;

        var line = Launcher.Substitute(
            ["run", "{{$.inputs.parameters['text']}}", "--n={{$.inputs.parameters['count']}}", "{{$.inputs.parameters['ratio']}}", "{{$.inputs.parameters['flag']}}",
             "{{$.inputs.parameters['items']}}", "{{$.inputs.artifacts['data'].uri}}", "{{$.inputs.artifacts['data'].path}}",
             "{{$.outputs.artifacts['model'].path}}", "{{$.outputs.parameters['result'].output_file}}", "{{$}}"],
            input,
            gcsMountRoot: "/mnt/gcs");

        Assert.That(line.Take(10), Is.EqualTo(new[]
        {
            "run", "hi there", "--n=3", "0.5", "true", "[1, \"a\"]", "gs://bucket/data.csv", "/mnt/gcs/bucket/data.csv", "/mnt/gcs/bucket/model", "/tmp/out/result",
        }));
        Assert.That(line[10], Is.EqualTo(input));
    }

    private async Task<ProcessResult> Step(ExampleProgram program, string pipeline, string step, string executorInput) =>
        await ProcessResult.RunAsync("dotnet", [program.Dll, "step", "--pipeline", pipeline, "--step", step, "--executor-input", executorInput],
            new Dictionary<string, string> { [GcsMount.RootVariable] = _mount });
}
