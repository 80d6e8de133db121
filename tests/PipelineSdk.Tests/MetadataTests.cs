using System.Text.Json;
using PipelineSdk.Orchestration;
using PipelineSdk.Store;

namespace PipelineSdk.Tests;

/// <summary>
/// <see cref="StepContext.LogMetadata(string, double, MetadataTarget?)"/>: what a step logs reaches its step run, its run and its
/// artifacts the same way in this process and in step processes, and experiments group runs.
/// </summary>
public class MetadataTests
{
    [Test]
    public async Task What_a_step_logs_is_recorded_for_its_step_run_its_run_and_its_artifact()
    {
        using var temp = new TempStore();

        var result = await PipelineRunner.RunAsync(Descriptors.PipelineRegistry.Find("logging-pipeline")!, null, temp.Options());

        Assert.That(result.Status, Is.EqualTo(RunStatus.Completed));
        using var store = temp.Open();
        var run = store.GetRun(result.RunId)!;
        Assert.That(run.Experiment, Is.EqualTo("logging"), "[Pipeline(Experiment)] names the run's experiment");
        Assert.That(run.MetadataJson, Is.EqualTo("""{"reached":"before the failure","rows":4,"source":"generated"}"""));
        var step = store.GetStepRuns(run.Id).Single(s => s.TaskKey == "log-everything");
        Assert.That(step.MetadataJson, Is.EqualTo("""{"ok":true,"ratio":0.25,"tags":["a","b"]}"""));
        var artifact = store.GetOutputs(step.Id)["Output"];
        Assert.That(artifact.MetadataJson, Is.EqualTo("""{"rows":40,"checksum":"abc"}"""), "a logged key replaces the artifact's own; its other keys stay");
    }

    [Test]
    public async Task A_failed_step_keeps_what_it_logged_and_a_run_option_overrides_the_experiment()
    {
        using var temp = new TempStore();

        var result = await PipelineRunner.RunAsync(Descriptors.PipelineRegistry.Find("logging-pipeline")!, new Dictionary<string, object?> { ["fail"] = true },
            temp.Options() with { Experiment = "tuning" });

        Assert.That(result.Status, Is.EqualTo(RunStatus.Failed));
        using var store = temp.Open();
        var run = store.GetRun(result.RunId)!;
        Assert.That(run.Experiment, Is.EqualTo("tuning"));
        Assert.That(JsonDocument.Parse(run.MetadataJson).RootElement.GetProperty("reached").GetString(), Is.EqualTo("before the failure"));
    }

    [Test]
    public async Task Logging_for_an_output_the_step_does_not_have_fails_the_step_with_one_line_naming_it()
    {
        using var temp = new TempStore();

        var result = await PipelineRunner.RunAsync(Descriptors.PipelineRegistry.Find("mislogging-pipeline")!, null, temp.Options());

        Assert.That(result.Status, Is.EqualTo(RunStatus.Failed));
        Assert.That(result.Steps.Single().Error, Is.EqualTo("ArgumentException: step 'log-for-a-missing-artifact' has no artifact output 'Model' to log metadata for; it returns no artifact, so log for MetadataTarget.Step or MetadataTarget.Run"));
    }

    [Test]
    public void An_invalid_experiment_name_is_refused_before_anything_runs()
    {
        using var temp = new TempStore();

        var error = Assert.ThrowsAsync<ArgumentException>(() => PipelineRunner.RunAsync(Descriptors.PipelineRegistry.Find("logging-pipeline")!, null, temp.Options() with { Experiment = "Churn Model" }));

        Assert.That(error!.Message, Does.StartWith("experiment 'Churn Model' may use only lower-case letters"));
        using var store = temp.Open();
        Assert.That(store.ListRuns(), Is.Empty);
    }

    [Test]
    public void Outside_a_run_a_step_logs_into_a_context_of_no_run_so_it_stays_testable()
    {
        var data = Task.Run(() =>
        {
            var produced = MetadataPipelines.LogEverything(3);
            return (produced, StepContext.Current);
        }).Result;

        Assert.That(data.Current.RunId, Is.Null);
        Assert.That(data.Current.Logged(), Is.EqualTo("""{"ratio":0.25,"ok":true,"tags":["a","b"]}"""));
        Assert.That(data.Current.Logged(MetadataTarget.Run), Is.EqualTo("""{"rows":3,"source":"generated"}"""));
        Assert.That(data.Current.Logged(MetadataTarget.Artifact("Output")), Is.EqualTo("""{"checksum":"abc","rows":30}"""));
        File.Delete(data.produced.Path);
    }

    [Test]
    public void Values_metadata_cannot_hold_are_refused_with_what_it_can()
    {
        var context = Task.Run(() => StepContext.Current).Result;

        Assert.That(() => context.LogMetadata("loss", double.NaN), Throws.ArgumentException.With.Message.EqualTo("metadata 'loss' is NaN, which JSON cannot hold; log a finite number, or a string"));
        Assert.That(() => context.LogMetadata(new { stream = Stream.Null }), Throws.ArgumentException.With.Message.StartsWith("metadata 'stream' is a NullStream, which metadata cannot hold; log numbers, strings"));
        Assert.That(() => context.LogMetadata(" ", 1), Throws.ArgumentException);
        Assert.That(() => new MetadataTable("a", "b").AddRow(1), Throws.ArgumentException.With.Message.StartsWith("the row has 1 values and the table 2 columns (a, b)"));
    }

    [Test]
    public async Task Step_processes_record_what_steps_in_this_process_record()
    {
        using var inProcess = new TempStore();
        using var asProcesses = new TempStore();

        var local = await ExampleProgram.ArtifactsApp.RunAsync(inProcess, "run", "scored-pipeline");
        var children = await ExampleProgram.ArtifactsApp.RunAsync(asProcesses, "run", "scored-pipeline", "--orchestrator", "local-process");

        Assert.That(local.Exit, Is.EqualTo(0), local.Error);
        Assert.That(children.Exit, Is.EqualTo(0), children.Error);
        var expected = Recorded(inProcess);
        Assert.That(Recorded(asProcesses), Is.EqualTo(expected));
        Assert.That(expected, Does.Contain("run scored {\"accuracy\":0.75,\"trainer\":\"sgd\"}"));
        Assert.That(expected, Does.Contain("train-scored.Model {\"framework\":\"hand-written\",\"task\":\"train-scored\"}"), "the step knows its task in a step process too");
        Assert.That(expected, Does.Contain("train-scored {\"epochs\":3,\"per-class\":{\"columns\":[\"class\",\"recall\"],\"rows\":[[\"a\",0.9],[\"b\",0.8]]},\"report\":\"https://example.com/reports/1\"}"));
    }

    [Test]
    public async Task A_step_in_a_container_writes_logged_artifact_metadata_into_the_ExecutorOutput_and_the_rest_beside_it()
    {
        var mount = Directory.CreateTempSubdirectory("psdk-gcs-").FullName;
        try
        {
            var result = await Tests.Shared.ProcessResult.RunAsync("dotnet", [ExampleProgram.ArtifactsApp.Dll, "step", "--pipeline", "scored-pipeline", "--step", "train-scored", "--executor-input", """
                {
                  "inputs": {"parameterValues": {"learningRate": 0.25}},
                  "outputs": {
                    "artifacts": {
                      "Model": {"artifacts": [{"name": "projects/p/locations/l/metadataStores/default/artifacts/1", "uri": "gs://bucket/root/task/Model", "type": {"schemaTitle": "system.Model"}}]},
                      "Metrics": {"artifacts": [{"uri": "gs://bucket/root/task/Metrics", "type": {"schemaTitle": "system.Metrics"}}]}
                    },
                    "outputFile": "/gcs/bucket/root/task/executor_output.json"
                  }
                }
                """], new Dictionary<string, string> { [Execution.GcsMount.RootVariable] = mount });

            Assert.That(result.Exit, Is.EqualTo(0), result.Error);
            var task = Path.Combine(mount, "bucket", "root", "task");
            using var output = JsonDocument.Parse(File.ReadAllText(Path.Combine(task, "executor_output.json")));
            Assert.That(output.RootElement.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "parameterValues", "artifacts" }), "only Kubeflow's fields: its launcher rejects others");
            var artifacts = output.RootElement.GetProperty("artifacts");
            Assert.That(artifacts.GetProperty("Model").GetProperty("artifacts")[0].GetProperty("metadata").GetRawText(), Is.EqualTo("""{"framework":"hand-written","task":null}"""),
                "Vertex AI shows the artifact's metadata from here");
            Assert.That(artifacts.GetProperty("Metrics").GetProperty("artifacts")[0].GetProperty("metadata").GetProperty("accuracy").GetDouble(), Is.EqualTo(0.75));
            using var beside = JsonDocument.Parse(File.ReadAllText(Path.Combine(task, Execution.LoggedMetadata.FileName)));
            Assert.That(beside.RootElement.GetProperty("run").GetRawText(), Is.EqualTo("""{"accuracy":0.75,"trainer":"sgd"}"""));
            Assert.That(beside.RootElement.GetProperty("step").GetProperty("epochs").GetInt32(), Is.EqualTo(3));
        }
        finally
        {
            Directory.Delete(mount, recursive: true);
        }
    }

    /// <summary>Every metadata record of the store's only run, one line each, in a stable order.</summary>
    private static List<string> Recorded(TempStore temp)
    {
        using var store = temp.Open();
        var run = store.ListRuns().Single();
        var lines = new List<string> { $"run {run.Experiment} {run.MetadataJson}" };
        foreach (var step in store.GetStepRuns(run.Id).OrderBy(s => s.TaskKey, StringComparer.Ordinal))
        {
            lines.Add($"{step.TaskKey} {step.MetadataJson}");
            lines.AddRange(store.GetOutputs(step.Id).Values.OrderBy(a => a.OutputName, StringComparer.Ordinal).Select(a => $"{step.TaskKey}.{a.OutputName} {a.MetadataJson}"));
        }

        return lines;
    }

    [TestCase("accuracy>0.9", "accuracy", ">", "0.9")]
    [TestCase(" accuracy >= 0.9 ", "accuracy", ">=", "0.9")]
    [TestCase("model='light gbm'", "model", "=", "light gbm")]
    [TestCase("loss<=1e-3", "loss", "<=", "1e-3")]
    [TestCase("stage!=prod", "stage", "!=", "prod")]
    public void Conditions_parse_key_operator_and_value(string text, string key, string op, string value)
    {
        var condition = MetadataCondition.Parse(text);

        Assert.That((condition.Key, condition.Operator, condition.Value), Is.EqualTo((key, op, value)));
    }

    [TestCase("accuracy", "has no operator")]
    [TestCase(">0.9", "has no key before '>'")]
    [TestCase("accuracy>", "has no value after '>'")]
    [TestCase("accuracy>>0.9", "has more than one operator")]
    public void Malformed_conditions_say_what_is_wrong_and_show_the_form(string text, string problem)
    {
        var error = Assert.Throws<FormatException>(() => MetadataCondition.Parse(text))!;

        Assert.That(error.Message, Is.EqualTo($"'{text}' {problem}; write KEY OP VALUE with OP one of > >= < <= = != (e.g. accuracy>0.9 or model=lightgbm)"));
    }

    [TestCase("""{"accuracy":0.95}""", "accuracy>0.9", true)]
    [TestCase("""{"accuracy":0.95}""", "accuracy<=0.9", false)]
    [TestCase("""{"accuracy":10}""", "accuracy>9", true)]
    [TestCase("""{"model":"lightgbm"}""", "model=lightgbm", true)]
    [TestCase("""{"model":"lightgbm"}""", "model>fasttree", true)]
    [TestCase("""{"ok":true}""", "ok=true", true)]
    [TestCase("""{"table":{"columns":["a"],"rows":[]}}""", "table=x", false)]
    [TestCase("""{}""", "model!=x", false)]
    public void Conditions_compare_numbers_as_numbers_and_the_rest_as_text(string metadata, string condition, bool matches)
    {
        Assert.That(MetadataCondition.Parse(condition).Matches(metadata), Is.EqualTo(matches));
    }
}
