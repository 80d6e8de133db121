using System.Text.Json.Nodes;

namespace PipelineSdk.Artifacts;

/// <summary>
/// A Kubeflow artifact (<c>system.Artifact</c>): a file or a folder plus a JSON metadata object. A step that
/// returns one creates it with <c>new Artifact()</c> and writes a file or creates a folder at <see cref="Path"/>,
/// or wraps an existing file or folder with <c>new Artifact(path)</c>; the runtime copies it into the artifact
/// store. A step that takes one reads the stored file or folder at <see cref="Path"/>.
/// </summary>
/// <remarks>The subclasses <see cref="Dataset"/>, <see cref="Model"/>, <see cref="Metrics"/>,
/// <see cref="ClassificationMetrics"/>, <see cref="Html"/> and <see cref="Markdown"/> carry Kubeflow's other schema titles.</remarks>
public class Artifact
{
    private string? _path;

    /// <summary>A new artifact: write its content at <see cref="Path"/> (a fresh location in a scratch folder).</summary>
    public Artifact()
    {
    }

    /// <summary>An artifact whose content is the existing file or folder at <paramref name="path"/>.</summary>
    /// <param name="path">A file or folder; relative paths are resolved against the current directory.</param>
    public Artifact(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _path = System.IO.Path.GetFullPath(path);
    }

    /// <summary>The Kubeflow schema title, e.g. <c>system.Dataset</c>.</summary>
    public virtual string SchemaTitle => "system.Artifact";

    /// <summary>
    /// Where the content is on this machine: for a new artifact, a path in a scratch folder where nothing exists
    /// yet (its parent folder does) — write a file there or create a folder; for an input, the stored content
    /// (on Vertex AI, under the <c>/gcs</c> mount).
    /// </summary>
    public string Path => _path ??= ArtifactScratch.NewPath();

    /// <summary>The artifact's URI once stored (<c>file://…</c> locally, <c>gs://…</c> on Vertex AI); null for a new artifact.</summary>
    public string? Uri { get; private set; }

    /// <summary>The metadata Kubeflow stores with the artifact and Vertex AI shows, e.g. <c>Metadata["framework"] = "ml.net"</c>.</summary>
    public JsonObject Metadata { get; private set; } = [];

    /// <summary>Whether the content is a folder.</summary>
    public bool IsDirectory => Directory.Exists(Path);

    /// <summary>Writes <paramref name="text"/> as the artifact's content (a UTF-8 file at <see cref="Path"/>).</summary>
    public void WriteAllText(string text) => File.WriteAllText(Path, text);

    /// <summary>Reads the artifact's content as UTF-8 text.</summary>
    /// <exception cref="IOException">The content is a folder or missing.</exception>
    public string ReadAllText() => File.ReadAllText(Path);

    /// <summary>
    /// Whether an artifact with nothing at <see cref="Path"/> is complete: true for metrics, whose values live in
    /// <see cref="Metadata"/> (the store then keeps the metadata as the content).
    /// </summary>
    internal virtual bool ContentIsMetadata => false;

    internal void Bind(string path, string uri, JsonObject metadata)
    {
        _path = path;
        Uri = uri;
        Metadata = metadata;
    }

    /// <inheritdoc />
    public override string ToString() => Uri ?? Path;
}

/// <summary>A data set (<c>system.Dataset</c>): a file or folder of data.</summary>
public sealed class Dataset : Artifact
{
    /// <summary>A new data set: write it at <see cref="Artifact.Path"/>.</summary>
    public Dataset()
    {
    }

    /// <summary>A data set whose content is the existing file or folder at <paramref name="path"/>.</summary>
    public Dataset(string path)
        : base(path)
    {
    }

    /// <inheritdoc />
    public override string SchemaTitle => "system.Dataset";
}

/// <summary>A trained model (<c>system.Model</c>): a file or folder.</summary>
public sealed class Model : Artifact
{
    /// <summary>A new model: save it at <see cref="Artifact.Path"/>.</summary>
    public Model()
    {
    }

    /// <summary>A model whose content is the existing file or folder at <paramref name="path"/>.</summary>
    public Model(string path)
        : base(path)
    {
    }

    /// <inheritdoc />
    public override string SchemaTitle => "system.Model";
}

/// <summary>An HTML page (<c>system.HTML</c>) that the Vertex AI console renders.</summary>
public sealed class Html : Artifact
{
    /// <summary>A new page: write it at <see cref="Artifact.Path"/> or with <see cref="Artifact.WriteAllText"/>.</summary>
    public Html()
    {
    }

    /// <summary>A page whose content is the existing file at <paramref name="path"/>.</summary>
    public Html(string path)
        : base(path)
    {
    }

    /// <inheritdoc />
    public override string SchemaTitle => "system.HTML";
}

/// <summary>A Markdown document (<c>system.Markdown</c>) that the Vertex AI console renders.</summary>
public sealed class Markdown : Artifact
{
    /// <summary>A new document: write it at <see cref="Artifact.Path"/> or with <see cref="Artifact.WriteAllText"/>.</summary>
    public Markdown()
    {
    }

    /// <summary>A document whose content is the existing file at <paramref name="path"/>.</summary>
    public Markdown(string path)
        : base(path)
    {
    }

    /// <inheritdoc />
    public override string SchemaTitle => "system.Markdown";
}

/// <summary>
/// Scalar metrics (<c>system.Metrics</c>). As in Kubeflow, each <see cref="Log"/> sets one metadata entry, so
/// Vertex AI shows the values in its metrics view; locally the store keeps them as the artifact's content too.
/// </summary>
public sealed class Metrics : Artifact
{
    /// <summary>New, empty metrics.</summary>
    public Metrics()
    {
    }

    /// <inheritdoc />
    public override string SchemaTitle => "system.Metrics";

    /// <summary>The logged values by name.</summary>
    public IReadOnlyDictionary<string, double> Values =>
        Metadata.Where(p => p.Value is JsonValue value && value.TryGetValue<double>(out _))
            .ToDictionary(p => p.Key, p => p.Value!.GetValue<double>(), StringComparer.Ordinal);

    /// <summary>Logs metric <paramref name="name"/>; a second call with the same name replaces the value.</summary>
    /// <exception cref="ArgumentException">The value is NaN or infinite (JSON has no such numbers).</exception>
    public void Log(string name, double value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!double.IsFinite(value))
        {
            throw new ArgumentException($"metric '{name}' is {value}; Kubeflow metrics are JSON numbers, which have no NaN or infinity", nameof(value));
        }

        Metadata[name] = value;
    }

    internal override bool ContentIsMetadata => true;
}

/// <summary>
/// Classification metrics (<c>system.ClassificationMetrics</c>): a confusion matrix and ROC points, written
/// into the metadata in the shape Kubeflow's SDK writes and the Vertex AI console draws
/// (<c>confusionMatrix</c> and <c>confidenceMetrics</c>).
/// </summary>
public sealed class ClassificationMetrics : Artifact
{
    /// <summary>New, empty classification metrics.</summary>
    public ClassificationMetrics()
    {
    }

    /// <inheritdoc />
    public override string SchemaTitle => "system.ClassificationMetrics";

    /// <summary>Adds one point of the ROC curve (<c>confidenceMetrics</c>).</summary>
    public void LogRocDataPoint(double falsePositiveRate, double truePositiveRate, double threshold)
    {
        if (Metadata["confidenceMetrics"] is not JsonArray points)
        {
            points = [];
            Metadata["confidenceMetrics"] = points;
        }

        points.Add((JsonNode)new JsonObject
        {
            ["confidenceThreshold"] = threshold,
            ["falsePositiveRate"] = falsePositiveRate,
            ["recall"] = truePositiveRate,
        });
    }

    /// <summary>Adds the points of a ROC curve; the three lists have one entry per point.</summary>
    /// <exception cref="ArgumentException">The lists differ in length.</exception>
    public void LogRocCurve(IReadOnlyList<double> falsePositiveRates, IReadOnlyList<double> truePositiveRates, IReadOnlyList<double> thresholds)
    {
        if (falsePositiveRates.Count != truePositiveRates.Count || falsePositiveRates.Count != thresholds.Count)
        {
            throw new ArgumentException($"a ROC curve needs as many true positive rates and thresholds as false positive rates; got {falsePositiveRates.Count}, {truePositiveRates.Count} and {thresholds.Count}");
        }

        for (var i = 0; i < thresholds.Count; i++)
        {
            LogRocDataPoint(falsePositiveRates[i], truePositiveRates[i], thresholds[i]);
        }
    }

    /// <summary>Sets the confusion matrix: <paramref name="matrix"/>[actual][predicted] counts over <paramref name="categories"/>.</summary>
    /// <exception cref="ArgumentException">The matrix is not square over the categories.</exception>
    public void LogConfusionMatrix(IReadOnlyList<string> categories, IReadOnlyList<IReadOnlyList<int>> matrix)
    {
        if (matrix.Count != categories.Count || matrix.Any(row => row.Count != categories.Count))
        {
            throw new ArgumentException($"a confusion matrix over {categories.Count} categories needs {categories.Count} rows of {categories.Count} counts");
        }

        Metadata["confusionMatrix"] = new JsonObject
        {
            ["annotationSpecs"] = new JsonArray([.. categories.Select(c => (JsonNode)new JsonObject { ["displayName"] = c })]),
            ["rows"] = new JsonArray([.. matrix.Select(row => (JsonNode)new JsonObject { ["row"] = new JsonArray([.. row.Select(count => (JsonNode)count)]) })]),
        };
    }

    internal override bool ContentIsMetadata => true;
}

/// <summary>The scratch folder where new artifacts get their <see cref="Artifact.Path"/> before they are stored.</summary>
internal static class ArtifactScratch
{
    public static string Root { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pipelinesdk-artifacts");

    public static string NewPath()
    {
        var folder = System.IO.Path.Combine(Root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return System.IO.Path.Combine(folder, "content");
    }

    public static bool Contains(string path) =>
        path.StartsWith(Root + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
