using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.ML.Data;

namespace PipelineSdk.MLNet.Evaluation;

/// <summary>
/// ML.NET's evaluation results as the metadata Kubeflow's SDK writes: scalar values by name (what <c>system.Metrics</c>
/// holds) and, for classifiers, <c>confusionMatrix</c> (<c>annotationSpecs</c> + <c>rows</c>, actual by predicted) and
/// <c>confidenceMetrics</c> (ROC points) — what Vertex AI and the dashboard draw. Values JSON cannot hold (NaN, such as
/// an F1 score with no positive prediction) are left out.
/// </summary>
internal static class MetricsMapping
{
    /// <summary>The stored name of each regression value, with its ML.NET property.</summary>
    public static readonly IReadOnlyDictionary<string, string> RegressionProperties = new Dictionary<string, string>
    {
        ["meanAbsoluteError"] = nameof(RegressionMetrics.MeanAbsoluteError),
        ["meanSquaredError"] = nameof(RegressionMetrics.MeanSquaredError),
        ["rootMeanSquaredError"] = nameof(RegressionMetrics.RootMeanSquaredError),
        ["lossFunction"] = nameof(RegressionMetrics.LossFunction),
        ["rSquared"] = nameof(RegressionMetrics.RSquared),
    };

    /// <summary>The stored name of each binary classification value, with its ML.NET property.</summary>
    public static readonly IReadOnlyDictionary<string, string> BinaryProperties = new Dictionary<string, string>
    {
        ["accuracy"] = nameof(BinaryClassificationMetrics.Accuracy),
        ["areaUnderRocCurve"] = nameof(BinaryClassificationMetrics.AreaUnderRocCurve),
        ["areaUnderPrecisionRecallCurve"] = nameof(BinaryClassificationMetrics.AreaUnderPrecisionRecallCurve),
        ["f1Score"] = nameof(BinaryClassificationMetrics.F1Score),
        ["positivePrecision"] = nameof(BinaryClassificationMetrics.PositivePrecision),
        ["positiveRecall"] = nameof(BinaryClassificationMetrics.PositiveRecall),
        ["negativePrecision"] = nameof(BinaryClassificationMetrics.NegativePrecision),
        ["negativeRecall"] = nameof(BinaryClassificationMetrics.NegativeRecall),
    };

    /// <summary>The stored name of each calibrated binary classification value, with its ML.NET property.</summary>
    public static readonly IReadOnlyDictionary<string, string> CalibratedProperties = new Dictionary<string, string>(BinaryProperties.ToDictionary())
    {
        ["logLoss"] = nameof(CalibratedBinaryClassificationMetrics.LogLoss),
        ["logLossReduction"] = nameof(CalibratedBinaryClassificationMetrics.LogLossReduction),
        ["entropy"] = nameof(CalibratedBinaryClassificationMetrics.Entropy),
    };

    /// <summary>The stored name of each multiclass value, with its ML.NET property.</summary>
    public static readonly IReadOnlyDictionary<string, string> MulticlassProperties = new Dictionary<string, string>
    {
        ["microAccuracy"] = nameof(MulticlassClassificationMetrics.MicroAccuracy),
        ["macroAccuracy"] = nameof(MulticlassClassificationMetrics.MacroAccuracy),
        ["logLoss"] = nameof(MulticlassClassificationMetrics.LogLoss),
        ["logLossReduction"] = nameof(MulticlassClassificationMetrics.LogLossReduction),
        ["topKPredictionCount"] = nameof(MulticlassClassificationMetrics.TopKPredictionCount),
        ["topKAccuracy"] = nameof(MulticlassClassificationMetrics.TopKAccuracy),
    };

    public static JsonObject Regression(RegressionMetrics metrics) => Scalars(
        RegressionProperties,
        metrics.MeanAbsoluteError, metrics.MeanSquaredError, metrics.RootMeanSquaredError, metrics.LossFunction, metrics.RSquared);

    public static JsonObject Binary(BinaryClassificationMetrics metrics, IReadOnlyList<RocPoint>? curve = null)
    {
        var metadata = Scalars(
            BinaryProperties,
            metrics.Accuracy, metrics.AreaUnderRocCurve, metrics.AreaUnderPrecisionRecallCurve, metrics.F1Score,
            metrics.PositivePrecision, metrics.PositiveRecall, metrics.NegativePrecision, metrics.NegativeRecall);
        if (metrics is CalibratedBinaryClassificationMetrics calibrated)
        {
            Add(metadata, "logLoss", calibrated.LogLoss);
            Add(metadata, "logLossReduction", calibrated.LogLossReduction);
            Add(metadata, "entropy", calibrated.Entropy);
        }

        if (metrics.ConfusionMatrix is { } matrix)
        {
            metadata["confusionMatrix"] = ConfusionMatrix(matrix, binary: true);
        }

        if (curve is not null)
        {
            metadata["confidenceMetrics"] = RocCurve(curve);
        }

        return metadata;
    }

    public static JsonObject Multiclass(MulticlassClassificationMetrics metrics, IReadOnlyList<string>? classNames = null)
    {
        var metadata = Scalars(
            MulticlassProperties,
            metrics.MicroAccuracy, metrics.MacroAccuracy, metrics.LogLoss, metrics.LogLossReduction);
        if (metrics.TopKPredictionCount > 0)
        {
            metadata["topKPredictionCount"] = metrics.TopKPredictionCount;
            Add(metadata, "topKAccuracy", metrics.TopKAccuracy);
        }

        if (metrics.ConfusionMatrix is { } matrix)
        {
            metadata["confusionMatrix"] = ConfusionMatrix(matrix, binary: false, classNames);
        }

        return metadata;
    }

    /// <summary>
    /// Kubeflow's confusion matrix: ML.NET's counts are actual by predicted, as Kubeflow's rows are. ML.NET does not expose
    /// class names, so a binary classifier's classes are "positive" and "negative" (its order), and a multiclass
    /// classifier's are the class indices unless <paramref name="classNames"/> names them.
    /// </summary>
    public static JsonObject ConfusionMatrix(Microsoft.ML.Data.ConfusionMatrix matrix, bool binary, IReadOnlyList<string>? classNames = null)
    {
        var classes = matrix.NumberOfClasses;
        var names = binary ? ["positive", "negative"]
            : classNames is { } given && given.Count == classes ? given
            : Enumerable.Range(0, classes).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();
        return new JsonObject
        {
            ["annotationSpecs"] = new JsonArray([.. names.Select(n => (JsonNode)new JsonObject { ["displayName"] = n })]),
            ["rows"] = new JsonArray([.. matrix.Counts.Select(row =>
                (JsonNode)new JsonObject { ["row"] = new JsonArray([.. row.Select(count => (JsonNode)(long)Math.Round(count))]) })]),
        };
    }

    /// <summary>Kubeflow's ROC points (<c>confidenceMetrics</c>), in the curve's order (falling threshold).</summary>
    public static JsonArray RocCurve(IReadOnlyList<RocPoint> curve) =>
        [.. curve.Select(p => (JsonNode)new JsonObject
        {
            ["confidenceThreshold"] = p.Threshold,
            ["falsePositiveRate"] = p.FalsePositiveRate,
            ["recall"] = p.TruePositiveRate,
        })];

    /// <summary>The values, named in the order of <paramref name="names"/>.</summary>
    private static JsonObject Scalars(IReadOnlyDictionary<string, string> names, params double[] values)
    {
        var metadata = new JsonObject();
        foreach (var (name, value) in names.Keys.Zip(values))
        {
            Add(metadata, name, value);
        }

        return metadata;
    }

    private static void Add(JsonObject metadata, string name, double value)
    {
        if (double.IsFinite(value))
        {
            metadata[name] = value;
        }
    }
}
