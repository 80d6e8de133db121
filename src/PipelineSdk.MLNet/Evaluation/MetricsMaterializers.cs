using System.Text.Json.Nodes;
using Microsoft.ML.Data;
using PipelineSdk.Values;

namespace PipelineSdk.MLNet.Evaluation;

/// <summary>
/// Stores ML.NET evaluation results the way Kubeflow stores metrics: the values in the artifact's metadata (which Vertex AI
/// and the dashboard show), kept as a JSON file too. They are step outputs: ML.NET cannot rebuild its metrics objects (they
/// have no public constructor), so they are registered as step outputs only: a later step that needs a value takes it as a
/// <c>double</c> output of the same step. A run's typed result holds them with their scalar values (not the confusion
/// matrix, which stays in the artifact's metadata).
/// </summary>
/// <typeparam name="T">The ML.NET metrics type.</typeparam>
public abstract class MetricsMaterializer<T> : ArtifactMaterializer<T>
    where T : class
{
    /// <inheritdoc />
    public sealed override void Write(T value, string path) => File.WriteAllText(path, MetadataOf(value).ToJsonString());

    /// <summary>The metrics with the scalar values the artifact stores (see <see cref="StoredMetrics"/>).</summary>
    /// <exception cref="FormatException">The file is not the JSON object <see cref="Write"/> writes.</exception>
    public sealed override T Read(string path)
    {
        JsonObject metadata;
        try
        {
            metadata = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new FormatException($"{path} holds no JSON object");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new FormatException($"{path} is not stored {typeof(T).Name} ({e.Message})", e);
        }

        return StoredMetrics.Rebuild<T>(metadata, Properties);
    }

    /// <inheritdoc />
    public sealed override JsonObject? Metadata(T value, string path) => MetadataOf(value);

    /// <summary>The ML.NET property behind each stored scalar value, by its name in the metadata.</summary>
    private protected abstract IReadOnlyDictionary<string, string> Properties { get; }

    /// <summary>The metrics as Kubeflow metadata.</summary>
    private protected abstract JsonObject Map(T value);

    private JsonObject MetadataOf(T value) => StoredMetrics.Of(value) ?? Map(value);
}

/// <summary><see cref="RegressionMetrics"/> as <c>system.Metrics</c>: meanAbsoluteError, meanSquaredError, rootMeanSquaredError, lossFunction, rSquared.</summary>
public sealed class RegressionMetricsMaterializer : MetricsMaterializer<RegressionMetrics>
{
    private protected override IReadOnlyDictionary<string, string> Properties => MetricsMapping.RegressionProperties;

    private protected override JsonObject Map(RegressionMetrics value) => MetricsMapping.Regression(value);
}

/// <summary><see cref="BinaryClassificationMetrics"/> as <c>system.ClassificationMetrics</c>: the scalar values and the confusion matrix.</summary>
public sealed class BinaryClassificationMetricsMaterializer : MetricsMaterializer<BinaryClassificationMetrics>
{
    private protected override IReadOnlyDictionary<string, string> Properties => MetricsMapping.BinaryProperties;

    private protected override JsonObject Map(BinaryClassificationMetrics value) => MetricsMapping.Binary(value);
}

/// <summary><see cref="CalibratedBinaryClassificationMetrics"/> as <c>system.ClassificationMetrics</c>: the scalar values (log loss too) and the confusion matrix.</summary>
public sealed class CalibratedBinaryClassificationMetricsMaterializer : MetricsMaterializer<CalibratedBinaryClassificationMetrics>
{
    private protected override IReadOnlyDictionary<string, string> Properties => MetricsMapping.CalibratedProperties;

    private protected override JsonObject Map(CalibratedBinaryClassificationMetrics value) => MetricsMapping.Binary(value);
}

/// <summary><see cref="MulticlassClassificationMetrics"/> as <c>system.ClassificationMetrics</c>: micro and macro accuracy, log loss and the confusion matrix.</summary>
public sealed class MulticlassClassificationMetricsMaterializer : MetricsMaterializer<MulticlassClassificationMetrics>
{
    private protected override IReadOnlyDictionary<string, string> Properties => MetricsMapping.MulticlassProperties;

    private protected override JsonObject Map(MulticlassClassificationMetrics value) => MetricsMapping.Multiclass(value);
}
