using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using PipelineSdk.MLNet.Evaluation;

namespace PipelineSdk.MLNet.Tests;

/// <summary>ML.NET's evaluation results, mapped to Kubeflow's metrics metadata, checked value by value against ML.NET's own numbers.</summary>
public class MetricsMappingTests
{
    private static readonly MLContext Ml = new(seed: 1);

    [Test]
    public void Regression_metrics_become_named_Kubeflow_metrics()
    {
        var scored = Ml.Data.LoadFromEnumerable(new[] { new Scored(1, 1.5f), new Scored(2, 2), new Scored(3, 2), new Scored(4, 5) });
        var metrics = Ml.Regression.Evaluate(scored, labelColumnName: "Label", scoreColumnName: "Score");

        var artifact = metrics.ToMetrics();

        Assert.That(artifact.Values, Is.EqualTo(new Dictionary<string, double>
        {
            ["meanAbsoluteError"] = 0.625,
            ["meanSquaredError"] = (0.25 + 0 + 1 + 1) / 4,
            ["rootMeanSquaredError"] = Math.Sqrt(0.5625),
            ["lossFunction"] = 0.5625,
            ["rSquared"] = metrics.RSquared,
        }));
        Assert.That(metrics.RSquared, Is.EqualTo(1 - (2.25 / 5)).Within(1e-12));
    }

    [Test]
    public void Binary_metrics_carry_the_confusion_matrix_actual_by_predicted_and_the_ROC_curve()
    {
        // Scores of 4 positives and 4 negatives; the threshold 0.5 predicts 3 positives right and 1 negative wrong.
        var rows = new[] { (true, 0.9f), (true, 0.8f), (true, 0.6f), (true, 0.3f), (false, 0.7f), (false, 0.4f), (false, 0.2f), (false, 0.1f) };
        var scored = Ml.Data.LoadFromEnumerable(rows.Select(r => new ScoredBinary(r.Item1, r.Item2 - 0.5f, r.Item2, r.Item2 >= 0.5f)));
        var metrics = Ml.BinaryClassification.Evaluate(scored);

        var artifact = metrics.ToClassificationMetrics(RocCurve.Compute(scored));

        Assert.That(artifact.Metadata["accuracy"]!.GetValue<double>(), Is.EqualTo(0.75));
        Assert.That(artifact.Metadata["positiveRecall"]!.GetValue<double>(), Is.EqualTo(0.75));
        Assert.That(artifact.Metadata["logLoss"]!.GetValue<double>(), Is.EqualTo(metrics.LogLoss));
        Assert.That(artifact.Metadata["confusionMatrix"]!.ToJsonString(), Is.EqualTo(
            """{"annotationSpecs":[{"displayName":"positive"},{"displayName":"negative"}],"rows":[{"row":[3,1]},{"row":[1,3]}]}"""));
        var roc = ((JsonArray)artifact.Metadata["confidenceMetrics"]!).Select(p => (p!["confidenceThreshold"]!.GetValue<double>(), p["falsePositiveRate"]!.GetValue<double>(), p["recall"]!.GetValue<double>())).ToList();
        Assert.That(roc, Has.Count.EqualTo(9), "the start and one point per distinct score");
        Assert.That(roc[0], Is.EqualTo((1.0, 0.0, 0.0)));
        Assert.That(roc[4], Is.EqualTo(((double)0.6f, 0.25, 0.75)), "above 0.6: three positives and the negative at 0.7");
        Assert.That(roc[^1], Is.EqualTo(((double)0.1f, 1.0, 1.0)));
        var auc = roc.Zip(roc.Skip(1), (a, b) => (b.Item2 - a.Item2) * (a.Item3 + b.Item3) / 2).Sum();
        Assert.That(auc, Is.EqualTo(metrics.AreaUnderRocCurve).Within(1e-9), "the curve's area is ML.NET's AUC");
    }

    [Test]
    public void Multiclass_metrics_name_their_classes_when_told_and_leave_out_what_JSON_cannot_hold()
    {
        var data = Ml.Data.LoadFromEnumerable(Enumerable.Range(0, 30).Select(i => new Labelled(i % 3 == 0 ? "cat" : i % 3 == 1 ? "dog" : "fox", i % 3 + ((i % 5) * 0.1f))));
        var pipeline = Ml.Transforms.Conversion.MapValueToKey("Label", nameof(Labelled.Animal))
            .Append(Ml.Transforms.Concatenate("Features", nameof(Labelled.Size)))
            .Append(Ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy());
        var metrics = Ml.MulticlassClassification.Evaluate(pipeline.Fit(data).Transform(data));

        var artifact = metrics.ToClassificationMetrics(["cat", "dog", "fox"]);

        Assert.That(artifact.Metadata["microAccuracy"]!.GetValue<double>(), Is.EqualTo(metrics.MicroAccuracy));
        Assert.That(artifact.Metadata["macroAccuracy"]!.GetValue<double>(), Is.EqualTo(metrics.MacroAccuracy));
        var matrix = artifact.Metadata["confusionMatrix"]!;
        Assert.That(matrix["annotationSpecs"]!.AsArray().Select(s => s!["displayName"]!.GetValue<string>()), Is.EqualTo(new[] { "cat", "dog", "fox" }));
        Assert.That(matrix["rows"]!.AsArray().Select(r => r!["row"]!.AsArray().Sum(c => c!.GetValue<long>())), Is.EqualTo(new[] { 10L, 10L, 10L }), "each row counts one actual class");
        Assert.That(metrics.ConfusionMatrix.Counts.Select(r => r.Sum()), Is.EqualTo(new[] { 10.0, 10.0, 10.0 }));
        Assert.That(artifact.Metadata.Select(p => p.Value).OfType<JsonValue>().Select(v => v.GetValue<double>()), Is.All.Matches<double>(double.IsFinite));
    }

    private sealed record Scored(float Label, float Score);

    private sealed record ScoredBinary(bool Label, float Score, float Probability, bool PredictedLabel);

    private sealed record Labelled(string Animal, float Size);
}
