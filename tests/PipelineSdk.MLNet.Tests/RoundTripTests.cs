using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetKindsApp;
using Parquet;
using PipelineSdk.Orchestration;
using PipelineSdk.Store;
using PipelineSdk.MLNet.Models;

namespace PipelineSdk.MLNet.Tests;

/// <summary>
/// Every ML.NET type through real runs: the in-process orchestrator with typed results, and the test program and the
/// ChurnClassification example as child processes under both local orchestrators — the local-process one runs each step
/// as its own process through the executor contract, as a Vertex AI container does.
/// </summary>
public class RoundTripTests
{
    [Test]
    public async Task Every_type_round_trips_in_process_with_typed_results_and_the_values_a_consumer_reads_are_the_ones_written()
    {
        using var temp = new TempStore();

        var run = await Pipelines.MlNetKinds.RunAsync(rows: 60, options: temp.Options());

        Assert.That(run.Status, Is.EqualTo(RunStatus.Completed), string.Join("; ", run.Steps.Select(s => s.Error)));
        var written = Describe(MLNetKinds.MakeTable(60));
        Assert.That(run.Describe, Is.EqualTo(written), "the Parquet round trip keeps every value of every column type");
        Assert.That(run.MakeTable.GetRowCount(), Is.EqualTo(60));
        Assert.That(run.ModelInputs, Is.EqualTo("A:Single,B:Single,Y:Single,Weight:Double,Index:Int32,Ticks:Int64,Positive:Boolean,Name:String,Class:String"),
            "the model artifact carries its input schema to the step that loads it");
        Assert.That(run.EvaluateRegression.RSquared, Is.GreaterThan(0.9), "the model read back from its zip predicts as trained");
        Assert.That(run.TrainRegression.InputSchema()!.Select(c => c.Name), Does.Contain("Weight"));
        Assert.That(run.EvaluateRegression.Metrics.RSquared, Is.EqualTo(run.EvaluateRegression.RSquared), "metrics read back keep their values");

        var outputs = temp.Outputs();
        Assert.That(outputs["make-table.Output"].KfpType, Is.EqualTo("system.Dataset"));
        Assert.That(outputs["train-regression.Output"].KfpType, Is.EqualTo("system.Model"));
        Assert.That(outputs["evaluate-regression.Metrics"].KfpType, Is.EqualTo("system.Metrics"));
        Assert.That(outputs["evaluate-multiclass.Output"].KfpType, Is.EqualTo("system.ClassificationMetrics"));
        using var schema = JsonDocument.Parse(outputs["make-table.Output"].Metadata);
        Assert.That(schema.RootElement.GetProperty("format").GetString(), Is.EqualTo("parquet"));
        Assert.That(schema.RootElement.GetProperty("rows").GetInt64(), Is.EqualTo(60));
        Assert.That(schema.RootElement.GetProperty("schema").EnumerateArray().Select(c => $"{c.GetProperty("name").GetString()}:{c.GetProperty("type").GetString()}"),
            Is.EqualTo(new[] { "A:Single", "B:Single", "Y:Single", "Weight:Double", "Index:Int32", "Ticks:Int64", "Positive:Boolean", "Name:String", "Class:String" }));
    }

    [Test]
    public async Task A_data_set_is_a_Parquet_file_other_tools_read_and_a_model_is_an_MLNet_zip_with_its_schema()
    {
        using var temp = new TempStore();
        var run = await Pipelines.MlNetKinds.RunAsync(rows: 12, options: temp.Options());
        Assert.That(run.Status, Is.EqualTo(RunStatus.Completed), string.Join("; ", run.Steps.Select(s => s.Error)));

        using var store = temp.Open();
        var steps = store.GetStepRuns(run.RunId).ToDictionary(s => s.TaskKey);
        var table = Artifacts.LocalArtifactStore.LocalPath(store.GetOutputs(steps["make-table"].Id)["Output"].Uri);
        await using (var reader = await ParquetReader.CreateAsync(table))
        {
            Assert.That(reader.Schema.GetDataFields().Select(f => f.Name), Is.EqualTo(new[] { "A", "B", "Y", "Weight", "Index", "Ticks", "Positive", "Name", "Class" }));
            using var group = reader.OpenRowGroupReader(0);
            var names = new string[group.RowCount];
            await group.ReadAsync(reader.Schema.GetDataFields()[7], names);
            Assert.That(names[11], Is.EqualTo("row 11, \"quoted\" é"));
        }

        var model = Artifacts.LocalArtifactStore.LocalPath(store.GetOutputs(steps["train-regression"].Id)["Output"].Uri);
        var loaded = new MLContext().Model.Load(model, out var inputSchema);
        Assert.That(inputSchema.Select(c => c.Name), Does.Contain("A").And.Contain("B"), "MLContext.Model.Load gives the input schema back");
        Assert.That(loaded.GetOutputSchema(inputSchema).GetColumnOrNull("Score"), Is.Not.Null);
    }

    [Test]
    public async Task The_local_process_orchestrator_stores_exactly_what_the_in_process_one_stores()
    {
        var (expected, actual) = await RunUnderBothOrchestrators(TestProgram.Kinds);

        Assert.That(actual.Keys, Is.EquivalentTo(expected.Keys));
        Assert.That(actual.Where(p => expected[p.Key] != p.Value).Select(p => p.Key), Is.Empty, "outputs whose content or metadata differ");
        Assert.That(expected.Keys, Does.Contain("evaluate-binary.Output").And.Contain("evaluate-calibrated.Output").And.Contain("evaluate-multiclass.Output"));
    }

    [Test]
    public async Task The_churn_example_trains_in_a_loop_and_logs_the_confusion_matrix_and_ROC_curve_the_same_under_both_orchestrators()
    {
        var (expected, actual) = await RunUnderBothOrchestrators(TestProgram.Churn);

        Assert.That(actual, Is.EquivalentTo(expected), "the same data, models and metrics, byte for byte");
        Assert.That(expected.Keys.Count(k => k.StartsWith("train-fast-tree[", StringComparison.Ordinal)), Is.EqualTo(3), "one model per number of leaves");

        using var report = JsonDocument.Parse(expected["report-best.Output"].Metadata);
        var matrix = report.RootElement.GetProperty("confusionMatrix");
        Assert.That(matrix.GetProperty("annotationSpecs").EnumerateArray().Select(s => s.GetProperty("displayName").GetString()), Is.EqualTo(new[] { "positive", "negative" }));
        var rows = matrix.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("row").EnumerateArray().Select(c => c.GetInt64()).ToArray()).ToArray();
        var positives = rows[0].Sum();
        Assert.That(rows[0][0] / (double)positives, Is.EqualTo(report.RootElement.GetProperty("positiveRecall").GetDouble()).Within(1e-9),
            "row 0 is the actual positives, column 0 the predicted positives, as Kubeflow draws them");
        Assert.That(rows.Sum(r => r.Sum()), Is.EqualTo(300), "the hold-out quarter of 1200 customers");
        var roc = report.RootElement.GetProperty("confidenceMetrics").EnumerateArray().ToList();
        Assert.That(roc.Count, Is.GreaterThan(10));
        Assert.That(roc.First().GetProperty("recall").GetDouble(), Is.Zero);
        Assert.That(roc.Last().GetProperty("falsePositiveRate").GetDouble(), Is.EqualTo(1.0));
        Assert.That(roc.Select(p => p.GetProperty("confidenceThreshold").GetDouble()), Is.Ordered.Descending);
    }

    private static string Describe(IDataView data) => MLNetKinds.Describe(data);

    /// <summary>Runs <paramref name="program"/> in process and as one child process per step; the stored outputs of each.</summary>
    private static async Task<(Dictionary<string, (string Hash, string Metadata, string KfpType)> InProcess, Dictionary<string, (string Hash, string Metadata, string KfpType)> AsProcesses)> RunUnderBothOrchestrators(TestProgram program)
    {
        using var inProcess = new TempStore();
        using var asProcesses = new TempStore();

        var local = await program.RunAsync(inProcess);
        var children = await program.RunAsync(asProcesses, "--orchestrator", "local-process");

        Assert.That(local.Exit, Is.EqualTo(0), local.Error + local.Output);
        Assert.That(children.Exit, Is.EqualTo(0), children.Error + children.Output);
        return (inProcess.Outputs(), asProcesses.Outputs());
    }
}
