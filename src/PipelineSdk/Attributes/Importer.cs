using System.Text.Json.Nodes;
using PipelineSdk.Artifacts;

namespace PipelineSdk;

/// <summary>Brings an artifact that already exists into a pipeline by its URI (KFP's <c>dsl.importer</c>).</summary>
public static class Importer
{
    /// <summary>
    /// In a <c>[Pipeline]</c> body, an importer task (<c>importer</c>, <c>importer-2</c>, ...) whose output is the artifact at
    /// <paramref name="uri"/>, taken by later steps like any step output. Vertex AI and Kubeflow import it without running a
    /// container; the local orchestrators read a local path or <c>file://</c> URI where it is, and a <c>gs://</c> URI through the
    /// Cloud Storage client (or mount). Called as plain C#, it returns the artifact at that URI (a <c>gs://</c> URI as a path under
    /// the Cloud Storage mount).
    /// </summary>
    /// <typeparam name="T">The artifact's type: <see cref="Artifact"/>, <see cref="Dataset"/>, <see cref="Model"/>, <see cref="Metrics"/>,
    /// <see cref="ClassificationMetrics"/>, <see cref="Html"/> or <see cref="Markdown"/> (its schema title is the importer's <c>typeSchema</c>).</typeparam>
    /// <param name="uri">A constant, a <c>string</c> pipeline parameter or a string step output: <c>gs://bucket/path</c>, a <c>file://</c> URI or a path.</param>
    /// <param name="reimport">
    /// False (the default): a URI imported before with the same content, type and metadata is the same artifact, as Kubeflow
    /// reuses its record; true: every run records a new artifact.
    /// </param>
    /// <param name="metadata">The artifact's metadata, constants only (e.g. <c>new Dictionary&lt;string, object&gt; { ["source"] = "crm" }</c>).</param>
    public static T Import<T>(string uri, bool reimport = false, IReadOnlyDictionary<string, object>? metadata = null)
        where T : Artifact, new()
    {
        ArgumentException.ThrowIfNullOrEmpty(uri);
        var artifact = new T();
        var path = ArtifactUris.FilePath(uri) ?? Path.GetFullPath(uri.StartsWith("gs://", StringComparison.Ordinal) ? Execution.GcsMount.LocalPath(uri) : uri);
        var values = new JsonObject();
        foreach (var (key, value) in metadata ?? new Dictionary<string, object>())
        {
            values[key] = value switch
            {
                string text => text,
                bool flag => flag,
                int number => number,
                long number => number,
                double number => number,
                _ => value?.ToString(),
            };
        }

        artifact.Bind(path, uri, values);
        return artifact;
    }
}
