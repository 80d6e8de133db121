using PipelineSdk.Artifacts;
using PipelineSdk.Values;

namespace PipelineSdk.Execution;

/// <summary>
/// How step mode reads input artifacts and writes output artifacts: at the file their URI maps to (a
/// <c>file://</c> path, or <c>gs://</c> under the Cloud Storage mount as on Vertex AI), else through a scratch
/// copy and the URI's registered handler (single files only: a folder needs a mount).
/// </summary>
internal static class StepArtifacts
{
    /// <summary>Reads an artifact input — one artifact, or all of them for a list input.</summary>
    /// <exception cref="MalformedExecutorInputException">The artifacts are missing, unreadable or not of the input's type.</exception>
    public static async Task<object?> ReadAsync(ArtifactCodec codec, string field, IReadOnlyList<RuntimeArtifact> artifacts, CancellationToken cancellationToken)
    {
        if (!codec.IsList && artifacts.Count != 1)
        {
            throw new MalformedExecutorInputException(field + ".artifacts", $"expected one artifact for {codec.TypeName}, found {artifacts.Count}");
        }

        var contents = new List<ArtifactContent>(artifacts.Count);
        for (var i = 0; i < artifacts.Count; i++)
        {
            var uri = artifacts[i].Uri;
            var itemField = $"{field}.artifacts[{i}].uri";
            try
            {
                var path = ArtifactUris.FilePath(uri) ?? await DownloadAsync(uri, cancellationToken).ConfigureAwait(false);
                if (!ArtifactFiles.Exists(path))
                {
                    throw new MalformedExecutorInputException(itemField, $"cannot read {uri}: nothing is stored there ({path})");
                }

                contents.Add(new ArtifactContent(path, uri, artifacts[i].MetadataJson));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                throw new MalformedExecutorInputException(itemField, $"cannot read {uri}: {e.Message}");
            }
        }

        try
        {
            return codec.IsList ? codec.ReadList(contents) : codec.Read(contents[0]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            throw new MalformedExecutorInputException(field, $"cannot read it as {codec.TypeName}: {e.Message}");
        }
    }

    /// <summary>Writes an output artifact where its URI says and returns its metadata as a JSON object.</summary>
    public static async Task<string> WriteAsync(ArtifactCodec codec, object? value, RuntimeArtifact artifact, CancellationToken cancellationToken)
    {
        if (ArtifactUris.FilePath(artifact.Uri) is { } path)
        {
            Delete(path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            try
            {
                return codec.Write(value, path)?.ToJsonString() ?? artifact.MetadataJson;
            }
            catch
            {
                // A half-written artifact must not pass for a whole one.
                Delete(path);
                throw;
            }
        }

        var scratch = ArtifactScratch.NewPath();
        try
        {
            var metadata = codec.Write(value, scratch);
            if (!File.Exists(scratch))
            {
                throw new IOException($"{artifact.Uri} is not reachable as a file (no Cloud Storage mount), and a {codec.TypeName} stored as a folder can only be written to a mount; run where {GcsMount.VertexRoot} is mounted or set {GcsMount.RootVariable}");
            }

            await ArtifactUris.WriteAsync(artifact.Uri, async (destination, token) =>
            {
                await using var file = File.OpenRead(scratch);
                await file.CopyToAsync(destination, token).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
            return metadata?.ToJsonString() ?? artifact.MetadataJson;
        }
        finally
        {
            ArtifactFiles.DeleteScratch(scratch);
        }
    }

    /// <summary>Closes the input streams the runtime opened for a step, once it has returned.</summary>
    public static void DisposeInputs(object?[] arguments)
    {
        foreach (var argument in arguments)
        {
            if (argument is Stream stream)
            {
                stream.Dispose();
            }
        }
    }

    private static async Task<string> DownloadAsync(string uri, CancellationToken cancellationToken)
    {
        var scratch = ArtifactScratch.NewPath();
        await using var content = await ArtifactUris.OpenReadAsync(uri, cancellationToken).ConfigureAwait(false);
        await using var file = File.Create(scratch);
        await content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
        return scratch;
    }

    private static void Delete(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
        else if (File.Exists(path))
        {
            File.Delete(path);
        }
    }
}
