using Microsoft.ML.Data;
using PipelineSdk.Artifacts;

namespace PipelineSdk.MLNet.Evaluation;

/// <summary>
/// ML.NET evaluation results as PipelineSdk's <see cref="Metrics"/> and <see cref="ClassificationMetrics"/> artifacts, for a
/// step that adds values of its own or a ROC curve, which ML.NET's metrics objects do not carry:
/// <c>ml.BinaryClassification.Evaluate(scored).ToClassificationMetrics(RocCurve.Compute(scored))</c>.
/// </summary>
public static class EvaluationArtifacts
{
    /// <summary>The regression metrics as <c>system.Metrics</c> (the names <see cref="RegressionMetricsMaterializer"/> uses).</summary>
    public static Metrics ToMetrics(this RegressionMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return Fill(new Metrics(), MetricsMapping.Regression(metrics));
    }

    /// <summary>The binary classification metrics as <c>system.ClassificationMetrics</c>, with the ROC curve when given.</summary>
    /// <param name="metrics">What <c>Evaluate</c> returned.</param>
    /// <param name="curve">The ROC curve (<see cref="RocCurve.Compute"/>), drawn from Kubeflow's <c>confidenceMetrics</c>.</param>
    public static ClassificationMetrics ToClassificationMetrics(this BinaryClassificationMetrics metrics, IReadOnlyList<RocPoint>? curve = null)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return Fill(new ClassificationMetrics(), MetricsMapping.Binary(metrics, curve));
    }

    /// <summary>The multiclass metrics as <c>system.ClassificationMetrics</c>.</summary>
    /// <param name="metrics">What <c>Evaluate</c> returned.</param>
    /// <param name="classNames">The classes in key order (e.g. the label's key values), for the confusion matrix; their indices when null.</param>
    public static ClassificationMetrics ToClassificationMetrics(this MulticlassClassificationMetrics metrics, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return Fill(new ClassificationMetrics(), MetricsMapping.Multiclass(metrics, classNames));
    }

    private static T Fill<T>(T artifact, System.Text.Json.Nodes.JsonObject metadata)
        where T : Artifact
    {
        foreach (var (name, value) in metadata.ToList())
        {
            metadata.Remove(name);
            artifact.Metadata[name] = value;
        }

        return artifact;
    }
}
