using System.Text.Json.Nodes;

namespace PipelineSdk.Values;

/// <summary>
/// Stores values of <typeparamref name="T"/> as artifacts — e.g. an ML.NET model — so steps can take and
/// return them. Register the materializer with <c>[assembly: PipelineSdkMaterializer(typeof(…))]</c> in the
/// program or in a library the program references; the generator then accepts <typeparamref name="T"/> in
/// steps. It needs a public parameterless constructor and must not keep state between calls.
/// </summary>
/// <typeparam name="T">The type it stores.</typeparam>
public abstract class ArtifactMaterializer<T>
{
    /// <summary>Writes <paramref name="value"/> at <paramref name="path"/>, where nothing exists yet: a file, or a folder it creates.</summary>
    public abstract void Write(T value, string path);

    /// <summary>Reads a value written by <see cref="Write"/> from the file or folder at <paramref name="path"/>.</summary>
    public abstract T Read(string path);

    /// <summary>
    /// The metadata stored with the artifact, after <see cref="Write"/> (e.g. a data set's schema, or metric values, which
    /// Kubeflow and Vertex AI read from the metadata); none unless overridden.
    /// </summary>
    /// <param name="value">The value just written.</param>
    /// <param name="path">Where <see cref="Write"/> wrote it.</param>
    public virtual JsonObject? Metadata(T value, string path) => null;
}
