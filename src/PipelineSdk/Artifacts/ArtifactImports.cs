using PipelineSdk.Execution;
using PipelineSdk.Stacks;

namespace PipelineSdk.Artifacts;

/// <summary>The content of an imported artifact on this machine: where it is, its URI as recorded, its size and hash.</summary>
/// <param name="Uri">The URI recorded for the artifact: a <c>file://</c> URI for a local path, otherwise the URI as given.</param>
/// <param name="Path">Where its file or folder is on this machine.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="ContentHash">Its SHA-256 (a folder's tree hash).</param>
internal sealed record ImportedContent(string Uri, string Path, long Size, string ContentHash);

/// <summary>An importer could not reach what it imports; the message is one line that names the URI.</summary>
internal sealed class ImportFailedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Finds what an importer task imports, for the local orchestrators. A local path or <c>file://</c> URI is used where it
/// is (never copied); a <c>gs://</c> URI is a file under the Cloud Storage mount when one is present, else it is downloaded
/// through the artifact store's client into <c>gcs/&lt;bucket&gt;/&lt;path&gt;</c> of the store folder — the folder that stands
/// for the mount in <c>local-process</c> step processes, so they read it at its <c>gs://</c> URI like a Vertex AI container does.
/// </summary>
internal static class ArtifactImports
{
    public static async Task<ImportedContent> LocateAsync(string uri, string storeDirectory, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(uri))
        {
            throw new ImportFailedException("the importer was given an empty URI; pass a gs:// URI, a file:// URI or a path");
        }

        var hasScheme = uri.Contains("://", StringComparison.Ordinal);
        if (!hasScheme || uri.StartsWith("file://", StringComparison.Ordinal))
        {
            var path = System.IO.Path.GetFullPath(hasScheme ? GcsMount.LocalPath(uri) : uri);
            if (!ArtifactFiles.Exists(path))
            {
                throw new ImportFailedException($"nothing to import at {path}: no such file or folder (fix the importer's URI, or create it)");
            }

            return Hashed(new Uri(path).AbsoluteUri, path);
        }

        if (ArtifactUris.FilePath(uri) is { } mounted)
        {
            return ArtifactFiles.Exists(mounted)
                ? Hashed(uri, mounted)
                : throw new ImportFailedException($"nothing to import at {uri}: {mounted} does not exist under the mount");
        }

        var copy = LocalCopyPath(uri, storeDirectory);
        await DownloadAsync(uri, copy, cancellationToken).ConfigureAwait(false);
        return Hashed(uri, copy);
    }

    /// <summary>Where a downloaded copy of <paramref name="uri"/> is kept: under the store's stand-in for the mount of its scheme.</summary>
    private static string LocalCopyPath(string uri, string storeDirectory)
    {
        var separator = uri.IndexOf("://", StringComparison.Ordinal);
        var scheme = uri[..separator];
        var rest = uri[(separator + 3)..].TrimEnd('/');
        var root = System.IO.Path.GetFullPath(System.IO.Path.Combine(storeDirectory, scheme == "gs" ? "gcs" : System.IO.Path.Combine("imports", scheme)));
        var path = System.IO.Path.GetFullPath(System.IO.Path.Combine(root, rest));
        // A URI with `..` in it must not write outside the folder.
        return path.StartsWith(root + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal) && rest.Length > 0
            ? path
            : throw new ImportFailedException($"cannot import {uri}: it names no object (give gs://bucket/path/to/object)");
    }

    private static async Task DownloadAsync(string uri, string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var partial = path + LocalArtifactStore.PartialMarker + Guid.NewGuid().ToString("N")[..8];
        try
        {
            await using (var source = await ArtifactUris.OpenReadAsync(uri, cancellationToken).ConfigureAwait(false))
            await using (var target = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
            {
                await source.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
            }

            File.Move(partial, path, overwrite: true);
        }
        catch (FileNotFoundException e)
        {
            throw new ImportFailedException($"nothing to import at {uri}: no such object (a folder can only be imported where the bucket is mounted; set {GcsMount.RootVariable})", e);
        }
        catch (StackException e)
        {
            throw new ImportFailedException(e.Message, e);
        }
        catch (IOException e)
        {
            throw new ImportFailedException($"could not import {uri}: {StepMode.FirstLine(e.Message)}", e);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    private static ImportedContent Hashed(string uri, string path) => new(uri, path, ArtifactFiles.Size(path), ArtifactFiles.Hash(path));
}
