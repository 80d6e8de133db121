using System.Text.Json.Nodes;
using PipelineSdk.Artifacts;

namespace PipelineSdk.Values;

/// <summary>Where a stored artifact's content is on this machine, and what is known about it.</summary>
/// <param name="Path">The file or folder holding the content.</param>
/// <param name="Uri">The artifact's URI (<c>file://…</c> locally, <c>gs://…</c> on Vertex AI).</param>
/// <param name="MetadataJson">Its metadata as a JSON object.</param>
public sealed record ArtifactContent(string Path, string Uri, string MetadataJson);

/// <summary>
/// A codec for Kubeflow artifacts: the value is a file or a folder (plus a metadata object) at a local path —
/// in the store's folder locally, under the <c>/gcs</c> mount on Vertex AI. Generated code picks one per
/// artifact-typed step input and output; see <see cref="ArtifactCodecs"/>.
/// </summary>
public abstract class ArtifactCodec : ValueCodec
{
    /// <inheritdoc />
    public sealed override ValueKind Kind => ValueKind.Artifact;

    /// <summary>Whether the value is a list of artifacts (an input fed by several artifacts, <c>isArtifactList</c>).</summary>
    public virtual bool IsList => false;

    /// <summary>
    /// Writes <paramref name="value"/>'s content at <paramref name="path"/>, where nothing exists yet (its parent
    /// folder does): a file or a folder. Returns the artifact's metadata, or null when it has none.
    /// </summary>
    /// <exception cref="FormatException">The value cannot be stored (e.g. null, or a file that does not exist); the message says why.</exception>
    public abstract JsonObject? Write(object? value, string path);

    /// <summary>Reads a value written by <see cref="Write"/>.</summary>
    /// <exception cref="FormatException">The content is not a value of this type.</exception>
    public abstract object? Read(ArtifactContent content);

    /// <summary>Reads the value of a list input from its artifacts, in order. Only list codecs (<see cref="IsList"/>) support it.</summary>
    /// <exception cref="NotSupportedException">The codec is not a list codec.</exception>
    public virtual object? ReadList(IReadOnlyList<ArtifactContent> contents) =>
        throw new NotSupportedException($"{TypeName} is one artifact, not a list");

    /// <summary>Whether the content is always one file whose bytes <see cref="WriteStream"/> writes (so it can be hashed as it streams).</summary>
    internal virtual bool IsSingleFile => false;

    /// <summary>For <see cref="IsSingleFile"/> codecs: writes the file's bytes to <paramref name="destination"/>.</summary>
    internal virtual void WriteStream(object? value, Stream destination) => throw new NotSupportedException();

    /// <summary>Writes the value as one file's bytes (folders cannot be; they need a path, see <see cref="Write"/>).</summary>
    /// <exception cref="IOException">The value's content is a folder.</exception>
    public sealed override void WriteTo(object? value, Stream destination)
    {
        if (IsSingleFile)
        {
            WriteStream(value, destination);
            return;
        }

        var path = ArtifactScratch.NewPath();
        try
        {
            Write(value, path);
            if (!File.Exists(path))
            {
                throw new IOException($"a {TypeName} stored as a folder cannot be written as a single stream; store it where a folder can be written (a file:// URI or a Cloud Storage mount)");
            }

            using var file = File.OpenRead(path);
            file.CopyTo(destination);
        }
        finally
        {
            ArtifactFiles.DeleteScratch(path);
        }
    }

    /// <summary>Reads the value from one file's bytes, copied to a scratch file first.</summary>
    public sealed override object? ReadFrom(Stream source)
    {
        var path = ArtifactScratch.NewPath();
        using (var file = File.Create(path))
        {
            source.CopyTo(file);
        }

        return Read(new ArtifactContent(path, new Uri(path).AbsoluteUri, "{}"));
    }

    /// <summary>Artifacts are not typed as text: always throws.</summary>
    /// <exception cref="FormatException">Always.</exception>
    public sealed override object? ParseText(string text) =>
        throw new FormatException($"{TypeName} is an artifact (a file or folder), so it cannot be given as text");
}
