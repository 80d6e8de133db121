using System.Security.Cryptography;
using System.Text;

namespace PipelineSdk.Gcp.Images;

/// <summary>
/// The image tag: a SHA-256 over every published file (path, size, content), the base image and the AOT choice.
/// Builds are deterministic, so unchanged code gives the same tag and the registry already has it.
/// </summary>
internal static class BuildHash
{
    /// <summary>Hex digits of the hash kept in the tag (64 bits: collisions are not a practical concern per repository).</summary>
    public const int TagLength = 16;

    public static async Task<string> ComputeTagAsync(string publishDirectory, string baseImage, bool nativeAot, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, $"pipelinesdk-image/1\nbase={baseImage}\naot={(nativeAot ? "true" : "false")}\nrid={ImagePublisher.RuntimeIdentifier}\n");
        var files = Directory.EnumerateFiles(publishDirectory, "*", SearchOption.AllDirectories)
            .Select(path => (Path: path, Relative: Path.GetRelativePath(publishDirectory, path).Replace('\\', '/')))
            .OrderBy(f => f.Relative, StringComparer.Ordinal);
        foreach (var (path, relative) in files)
        {
            await using var stream = File.OpenRead(path);
            var content = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
            Append(hash, $"{relative}\0{stream.Length}\0{content}\n");
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..TagLength];
    }

    private static void Append(IncrementalHash hash, string text) => hash.AppendData(Encoding.UTF8.GetBytes(text));
}
