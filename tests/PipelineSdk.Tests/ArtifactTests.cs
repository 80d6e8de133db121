using System.Text;
using System.Text.Json;
using ArtifactsApp;
using ArtifactPipelines = ArtifactsApp.Pipelines;
using PipelineSdk.Artifacts;
using PipelineSdk.Execution;
using PipelineSdk.Descriptors;
using PipelineSdk.Orchestration;
using PipelineSdk.Store;
using PipelineSdk.Tests.Shared;
using PipelineSdk.Values;

namespace PipelineSdk.Tests;

/// <summary>
/// Every kind of artifact through real runs: the in-process orchestrator with typed results, the test program as a
/// child process under both local orchestrators, and step mode with Vertex-shaped executor input.
/// </summary>
public class ArtifactTests
{
    private TempStore _store = null!;

    [SetUp]
    public void SetUp() => _store = new TempStore();

    [TearDown]
    public void TearDown() => _store.Dispose();

    [Test]
    public async Task A_run_and_its_cached_rerun_leave_no_stored_artifact_open()
    {
        // ArtifactKinds has a step returning a Stream: reading its stored copy back opens the file, and nothing would close it.
        var first = await ArtifactPipelines.ArtifactKinds.RunAsync(rows: 2, options: _store.Options());
        var rerun = await ArtifactPipelines.ArtifactKinds.RunAsync(rows: 2, options: _store.Options());

        Assert.That((first.Status, rerun.Status), Is.EqualTo((RunStatus.Completed, RunStatus.Completed)), string.Join("; ", first.Steps.Concat(rerun.Steps).Select(s => s.Error)));
        Assert.That(rerun.Steps.Select(s => s.Status), Is.All.EqualTo(StepStatus.Cached));
        Assert.That(OpenFilesUnder(Path.Combine(_store.Path, "artifacts")), Is.Empty, "files of the store this process still has open after the runs");

        // A Stream asked for from the run result is opened then, for the caller to dispose.
        using (var stream = rerun.Open)
        {
            Assert.That(OpenFilesUnder(Path.Combine(_store.Path, "artifacts")), Is.EqualTo(new[] { LocalArtifactStore.LocalPath(first["open"].Artifacts["Output"].Uri) }));
        }

        Assert.That(OpenFilesUnder(Path.Combine(_store.Path, "artifacts")), Is.Empty);
    }

    /// <summary>The files under <paramref name="folder"/> this process has open (Linux: the targets of /proc/self/fd).</summary>
    private static List<string> OpenFilesUnder(string folder) =>
        [.. Directory.EnumerateFileSystemEntries("/proc/self/fd")
            .Select(LinkTargetOf)
            .Where(target => target is not null && target.StartsWith(Path.GetFullPath(folder) + "/", StringComparison.Ordinal))
            .Select(target => target!)];

    private static string? LinkTargetOf(string fd)
    {
        try
        {
            return new FileInfo(fd).LinkTarget;
        }
        catch (IOException)
        {
            return null; // closed by another thread while listing
        }
    }

    [Test]
    public async Task Every_artifact_kind_round_trips_through_an_in_process_run_with_typed_results()
    {
        var run = await ArtifactPipelines.ArtifactKinds.RunAsync(rows: 4, options: _store.Options());

        Assert.That(run.Status, Is.EqualTo(RunStatus.Completed), string.Join("; ", run.Steps.Select(s => s.Error)));
        var data = run.MakeData;
        Assert.That(data.Uri, Does.StartWith("file://" + _store.Path));
        Assert.That(File.ReadAllLines(data.Path), Is.EqualTo(new[] { "1,10", "2,20", "3,30", "4,40" }));
        Assert.That(data.Metadata["rows"]!.GetValue<int>(), Is.EqualTo(4));
        Assert.That(run.Predict, Is.EqualTo(new Forecast("Oslo", [10, 20, 30, 40])).Using<Forecast>((a, b) => a.City == b.City && a.Temperatures.SequenceEqual(b.Temperatures)));
        var (model, metrics) = run.Train;
        Assert.That(model.IsDirectory, Is.True);
        Assert.That(File.ReadAllText(Path.Combine(model.Path, "meta", "rows.txt")), Is.EqualTo("4"));
        Assert.That(model.Metadata["framework"]!.GetValue<string>(), Is.EqualTo("handmade"));
        Assert.That(metrics.Values, Is.EqualTo(new Dictionary<string, double> { ["accuracy"] = 0.75, ["count"] = 4 }));
        Assert.That(Encoding.UTF8.GetString(run.Pack), Is.EqualTo("10 20 30 40"));
        Assert.That(run.Save.FullName, Does.StartWith(_store.Path), "a FileInfo output is the stored copy, not the step's temp file");
        Assert.That(File.ReadAllText(run.Save.FullName), Is.EqualTo("10 20 30 40!"));
        Assert.That(run.Bundle.EnumerateFiles().Select(f => f.Name).Order(), Is.EqualTo(new[] { "accuracy.txt", "weights.bin" }));
        Assert.That(run.Words.Words, Is.EqualTo(new[] { "accuracy.txt=0.75", "weights.bin=10 20 30 40!" }));
        Assert.That(run.Report.Page.ReadAllText(), Is.EqualTo("<ul><li>accuracy.txt=0.75</li><li>weights.bin=10 20 30 40!</li></ul>"));
        Assert.That(run.Report.Notes.ReadAllText(), Is.EqualTo("# 2 words, 2 classes"));

        using var store = _store.Open();
        var outputs = store.GetStepRuns(run.RunId).ToDictionary(s => s.TaskKey, s => store.GetOutputs(s.Id));
        Assert.That(outputs["make-data"]["Output"].KfpType, Is.EqualTo("system.Dataset"));
        Assert.That(outputs["train"]["Metrics"].MetadataJson, Is.EqualTo("""{"accuracy":0.75,"count":4}"""));
        Assert.That(outputs["words"]["Output"].KfpType, Is.EqualTo("system.Model"), "the materializer's schema title");
        Assert.That(outputs["train"]["Model"].ContentHash, Is.EqualTo(ArtifactFiles.Hash(model.Path)));
        using var confusion = JsonDocument.Parse(outputs["evaluate"]["Output"].MetadataJson);
        Assert.That(confusion.RootElement.GetProperty("confusionMatrix").GetProperty("annotationSpecs")[1].GetProperty("displayName").GetString(), Is.EqualTo("dog"));
        Assert.That(confusion.RootElement.GetProperty("confusionMatrix").GetProperty("rows")[1].GetProperty("row")[1].GetInt32(), Is.EqualTo(9));
        Assert.That(confusion.RootElement.GetProperty("confidenceMetrics")[1].GetProperty("recall").GetDouble(), Is.EqualTo(0.8));
    }

    [Test]
    public async Task Artifacts_are_cached_by_content_and_a_changed_input_runs_its_consumers_again()
    {
        var first = await ArtifactPipelines.ArtifactKinds.RunAsync(rows: 3, options: _store.Options());
        var same = await ArtifactPipelines.ArtifactKinds.RunAsync(rows: 3, options: _store.Options());
        var changed = await ArtifactPipelines.ArtifactKinds.RunAsync(rows: 2, options: _store.Options());
        var back = await ArtifactPipelines.ArtifactKinds.RunAsync(rows: 3, options: _store.Options());

        Assert.That(first.Steps.Select(s => s.Status), Is.All.EqualTo(StepStatus.Completed));
        Assert.That(same.Steps.Select(s => s.Status), Is.All.EqualTo(StepStatus.Cached));
        Assert.That(File.ReadAllText(same.Save.FullName), Is.EqualTo("10 20 30!"), "a cache hit reads the stored artifact back");
        Assert.That(same.Train.Metrics.Values["count"], Is.EqualTo(3), "with its metadata");
        Assert.That(changed.Steps.Select(s => s.Status), Is.All.EqualTo(StepStatus.Completed), "each step's input artifact has new content");
        Assert.That(File.ReadAllText(changed.Save.FullName), Is.EqualTo("10 20!"));
        Assert.That(back.Steps.Select(s => s.Status), Is.All.EqualTo(StepStatus.Cached), "the first run's artifacts match by content again");
    }

    [Test]
    public async Task A_step_that_returns_an_artifact_without_content_fails_with_one_line_saying_what_to_do()
    {
        var run = await ArtifactPipelines.ForgottenArtifact.RunAsync(_store.Options());

        Assert.That(run.Status, Is.EqualTo(RunStatus.Failed));
        var failed = run["forget-to-write"];
        Assert.That(failed.Status, Is.EqualTo(StepStatus.Failed));
        Assert.That(failed.Error, Does.StartWith("could not store the outputs: the returned Dataset has no content: write a file or create a folder at its Path"));
        Assert.That(failed.Error, Does.Not.Contain("\n"));
        Assert.That(run["predict"].Status, Is.EqualTo(StepStatus.NotRun));
    }

    [Test]
    public async Task The_program_gives_identical_artifacts_in_process_and_as_child_processes()
    {
        using var asProcesses = new TempStore();

        var local = await ExampleProgram.ArtifactsApp.RunAsync(_store, "run", "artifact-kinds");
        var children = await ExampleProgram.ArtifactsApp.RunAsync(asProcesses, "run", "artifact-kinds", "--orchestrator", "local-process");

        Assert.That(local.Exit, Is.EqualTo(0), local.Error + local.Output);
        Assert.That(children.Exit, Is.EqualTo(0), children.Error + children.Output);
        var expected = Artifacts(_store);
        var actual = Artifacts(asProcesses);
        Assert.That(actual, Is.EqualTo(expected));
        Assert.That(expected, Has.Count.EqualTo(12), "every output of every task is compared");
        Assert.That(expected["train/Metrics"], Does.EndWith("""{"accuracy":0.75,"count":3}"""));
        Assert.That(expected["make-data/Output"], Does.EndWith("""{"rows":3}"""));
        Assert.That(local.Output, Does.Contain("system.Dataset (15 bytes)"));
    }

    [Test]
    public async Task A_step_with_environment_variables_computes_the_same_result_in_every_orchestrator_and_only_it_sees_them()
    {
        var local = await ExampleProgram.ArtifactsApp.RunAsync(_store, "run", "greeting-pipeline");
        var children = await ExampleProgram.ArtifactsApp.RunAsync(_store, "run", "greeting-pipeline", "--orchestrator", "local-process");

        Assert.That(local.Exit, Is.EqualTo(0), local.Error + local.Output);
        Assert.That(children.Exit, Is.EqualTo(0), children.Error + children.Output);
        using var store = _store.Open();
        var runs = store.ListRuns();
        var inProcess = store.GetStepRuns(runs.Single(r => r.Orchestrator == "local").Id).ToDictionary(s => s.TaskKey);
        Assert.That(Value(store, inProcess["greet"]), Is.EqualTo("ADA!"), "the step saw its variable under the local orchestrator");
        Assert.That(Value(store, inProcess["sign"]), Is.EqualTo("ADA! (plain)"), "no other step sees it");
        var asProcesses = store.GetStepRuns(runs.Single(r => r.Orchestrator == "local-process").Id).ToDictionary(s => s.TaskKey);
        Assert.That((asProcesses["greet"].Status, Value(store, asProcesses["greet"])), Is.EqualTo((StepStatus.Cached, "ADA!")),
            "the cached result is the one local-process computes");
    }

    private static string Value(Store.MetadataStore store, Store.StepRunRecord stepRun) =>
        System.Text.Json.JsonSerializer.Deserialize<string>(File.ReadAllText(PipelineSdk.Artifacts.LocalArtifactStore.LocalPath(store.GetOutputs(stepRun.Id)["Output"].Uri)))!;

    [Test]
    public async Task Step_mode_reads_input_artifacts_under_the_gcs_mount_and_writes_metrics_metadata_like_Kubeflow()
    {
        var mount = Directory.CreateTempSubdirectory("psdk-gcs-").FullName;
        try
        {
            var inputs = Path.Combine(mount, "bucket", "root", "make-data");
            Directory.CreateDirectory(inputs);
            File.WriteAllLines(Path.Combine(inputs, "Output"), ["1,5", "2,7"]);
            File.WriteAllText(Path.Combine(inputs, "forecast.json"), """{"City":"Bergen","Temperatures":[5,7]}""");
            var result = await ProcessResult.RunAsync("dotnet", [ExampleProgram.ArtifactsApp.Dll, "step", "--pipeline", "artifact-kinds", "--step", "train", "--executor-input", """
                {
                  "inputs": {"artifacts": {
                    "data": {"artifacts": [{"name": "data", "type": {"schemaTitle": "system.Dataset"}, "uri": "gs://bucket/root/make-data/Output", "metadata": {"rows": 2}}]},
                    "forecast": {"artifacts": [{"name": "forecast", "type": {"schemaTitle": "system.Artifact"}, "uri": "gs://bucket/root/make-data/forecast.json", "metadata": {}}]}
                  }},
                  "outputs": {
                    "artifacts": {
                      "Model": {"artifacts": [{"name": "projects/p/locations/l/metadataStores/default/artifacts/1", "type": {"schemaTitle": "system.Model"}, "uri": "gs://bucket/root/train/Model", "metadata": {}}]},
                      "Metrics": {"artifacts": [{"name": "projects/p/locations/l/metadataStores/default/artifacts/2", "type": {"schemaTitle": "system.Metrics"}, "uri": "gs://bucket/root/train/Metrics", "metadata": {}}]}
                    },
                    "outputFile": "/gcs/bucket/root/train/executor_output.json"
                  }
                }
                """], new Dictionary<string, string> { [GcsMount.RootVariable] = mount });

            Assert.That(result.Exit, Is.EqualTo(StepMode.Succeeded), result.Error);
            var train = Path.Combine(mount, "bucket", "root", "train");
            Assert.That(File.ReadAllText(Path.Combine(train, "Model", "weights.txt")), Is.EqualTo("5 7"));
            Assert.That(File.ReadAllText(Path.Combine(train, "Model", "meta", "rows.txt")), Is.EqualTo("2"), "the input's metadata reached the step");
            using var output = JsonDocument.Parse(File.ReadAllText(Path.Combine(train, "executor_output.json")));
            var metrics = output.RootElement.GetProperty("artifacts").GetProperty("Metrics").GetProperty("artifacts")[0];
            Assert.That(metrics.GetProperty("name").GetString(), Is.EqualTo("projects/p/locations/l/metadataStores/default/artifacts/2"));
            Assert.That(metrics.GetProperty("uri").GetString(), Is.EqualTo("gs://bucket/root/train/Metrics"));
            Assert.That(metrics.GetProperty("metadata").GetRawText(), Is.EqualTo("""{"accuracy":0.75,"count":2}"""));
            var model = output.RootElement.GetProperty("artifacts").GetProperty("Model").GetProperty("artifacts")[0];
            Assert.That(model.GetProperty("metadata").GetProperty("framework").GetString(), Is.EqualTo("handmade"));
        }
        finally
        {
            Directory.Delete(mount, recursive: true);
        }
    }

    [Test]
    public async Task A_list_input_reads_every_artifact_of_the_executor_input_in_order_and_a_single_input_rejects_several()
    {
        var folder = Directory.CreateTempSubdirectory("psdk-list-").FullName;
        try
        {
            var first = Path.Combine(folder, "a.csv");
            File.WriteAllLines(first, ["1", "2"]);
            File.WriteAllLines(Path.Combine(folder, "c.csv"), ["1", "2", "3"]);
            var codec = ArtifactCodecs.List<Dataset>(ArtifactCodecs.Kind<Dataset>());
            var step = new StepDescriptor
            {
                Name = "count-lines",
                MethodName = "ArtifactsApp.ArtifactSteps.CountLines",
                Inputs = [new StepPort("parts", codec)],
                Outputs = [new StepPort("Output", ParameterCodecs.Int32)],
                CodeParts = [],
                CodeFingerprint = "fingerprint",
                Invoke = (inputs, _) => ValueTask.FromResult<object?[]>([ArtifactSteps.CountLines((List<Dataset>)inputs[0]!)]),
            };
            var uris = new[] { new Uri(first).AbsoluteUri, new Uri(Path.Combine(folder, "c.csv")).AbsoluteUri };
            var json = Launcher.BuildExecutorInput(step, [null], new Dictionary<string, IReadOnlyList<RuntimeArtifact>>
            {
                ["parts"] = [new RuntimeArtifact("a", uris[0], "system.Dataset", """{"part":1}"""), new RuntimeArtifact("c", uris[1], "system.Dataset", """{"part":2}""")],
            }, Path.Combine(folder, "out"), name => new Uri(Path.Combine(folder, "out", name)).AbsoluteUri);

            var input = ExecutorInput.Parse(json);
            var parts = (List<Dataset>)(await StepArtifacts.ReadAsync(codec, "inputs.artifacts.parts", input.InputArtifactLists["parts"], CancellationToken.None))!;
            var outputs = await step.Invoke([parts], CancellationToken.None);

            Assert.That(parts.Select(p => p.Uri), Is.EqualTo(uris));
            Assert.That(parts.Select(p => p.Metadata["part"]!.GetValue<int>()), Is.EqualTo(new[] { 1, 2 }));
            Assert.That(outputs[0], Is.EqualTo(5));
            Assert.That(
                async () => await StepArtifacts.ReadAsync(ArtifactCodecs.Kind<Dataset>(), "inputs.artifacts.parts", input.InputArtifactLists["parts"], CancellationToken.None),
                Throws.TypeOf<MalformedExecutorInputException>().With.Message.EqualTo("malformed executor input: inputs.artifacts.parts.artifacts: expected one artifact for Dataset, found 2"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void A_folder_hash_is_deterministic_and_changes_with_any_name_or_byte()
    {
        var root = Directory.CreateTempSubdirectory("psdk-hash-").FullName;
        try
        {
            string Tree(string name, string fileName, string content)
            {
                var path = Path.Combine(root, name);
                Directory.CreateDirectory(Path.Combine(path, "sub", "empty"));
                File.WriteAllText(Path.Combine(path, "sub", fileName), content);
                File.WriteAllText(Path.Combine(path, "top.txt"), "top");
                return path;
            }

            var original = ArtifactFiles.Hash(Tree("a", "x.txt", "1"));

            Assert.That(ArtifactFiles.Hash(Tree("b", "x.txt", "1")), Is.EqualTo(original), "the same tree elsewhere");
            Assert.That(ArtifactFiles.Hash(Tree("c", "y.txt", "1")), Is.Not.EqualTo(original), "a renamed file");
            Assert.That(ArtifactFiles.Hash(Tree("d", "x.txt", "2")), Is.Not.EqualTo(original), "a changed byte");
            Directory.Delete(Path.Combine(root, "b", "sub", "empty"));
            Assert.That(ArtifactFiles.Hash(Path.Combine(root, "b")), Is.Not.EqualTo(original), "a removed empty folder");
            Assert.That(ArtifactFiles.Hash(Path.Combine(root, "a", "top.txt")), Is.EqualTo(ContentHash.Of("top"u8)), "a file hashes as its bytes");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public void Metrics_reject_values_JSON_cannot_hold_and_classification_metrics_check_their_shapes()
    {
        var metrics = new Metrics();
        var confusion = new ClassificationMetrics();

        Assert.That(() => metrics.Log("loss", double.NaN), Throws.ArgumentException.With.Message.Contains("no NaN or infinity"));
        Assert.That(() => confusion.LogConfusionMatrix(["a", "b"], [[1, 2]]), Throws.ArgumentException.With.Message.Contains("needs 2 rows of 2 counts"));
        Assert.That(() => confusion.LogRocCurve([0, 1], [0], [1, 0]), Throws.ArgumentException.With.Message.Contains("got 2, 1 and 2"));
    }

    /// <summary>Each stored artifact's content hash and metadata, by task/output.</summary>
    private static Dictionary<string, string> Artifacts(TempStore temp)
    {
        using var store = temp.Open();
        var run = store.ListRuns().Single();
        return store.GetStepRuns(run.Id)
            .SelectMany(s => store.GetOutputs(s.Id).Values.Select(a => (Key: $"{s.TaskKey}/{a.OutputName}", Value: $"{a.KfpType} {a.ContentHash} {a.MetadataJson}")))
            .ToDictionary(p => p.Key, p => p.Value);
    }
}
