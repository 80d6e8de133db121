using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;

namespace PipelineSdk.Gcp.Tests.Images;

/// <summary>An image read back from a registry over plain HTTP: its manifest, its config, and its layers unpacked into a folder.</summary>
internal sealed class RegistryImage : IDisposable
{
    private readonly RegistryServer _registry;
    private readonly string _repository;

    private RegistryImage(RegistryServer registry, string repository, JsonDocument manifest, JsonDocument config)
    {
        _registry = registry;
        _repository = repository;
        Manifest = manifest;
        ConfigDocument = config;
    }

    public JsonDocument Manifest { get; }

    public JsonDocument ConfigDocument { get; }

    /// <summary>The image config's <c>config</c> object: Entrypoint, WorkingDir, Env, ...</summary>
    public JsonElement Config => ConfigDocument.RootElement.GetProperty("config");

    public IReadOnlyList<string> LayerDigests => [.. Manifest.RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()!)];

    public static async Task<RegistryImage> ReadAsync(RegistryServer registry, string repository, string tag)
    {
        var manifest = await registry.GetJsonAsync($"/v2/{repository}/manifests/{tag}", "application/vnd.oci.image.manifest.v1+json");
        var configDigest = manifest.RootElement.GetProperty("config").GetProperty("digest").GetString();
        var config = await registry.GetJsonAsync($"/v2/{repository}/blobs/{configDigest}");
        return new RegistryImage(registry, repository, manifest, config);
    }

    /// <summary>Unpacks the given layers (all by default) in order into <paramref name="root"/>, as a container runtime would.</summary>
    public async Task UnpackAsync(string root, IEnumerable<string>? layers = null)
    {
        using var http = new HttpClient();
        foreach (var digest in layers ?? LayerDigests)
        {
            await using var blob = await http.GetStreamAsync($"{_registry.Url}/v2/{_repository}/blobs/{digest}");
            await using var gzip = new GZipStream(blob, CompressionMode.Decompress);
            await using var reader = new TarReader(gzip);
            while (await reader.GetNextEntryAsync() is { } entry)
            {
                var name = entry.Name.TrimStart('.', '/');
                if (name.Length == 0 || Path.GetFileName(name.TrimEnd('/')).StartsWith(".wh.", StringComparison.Ordinal))
                {
                    continue;
                }

                var path = Path.GetFullPath(Path.Combine(root, name));
                Assert.That(path, Does.StartWith(Path.GetFullPath(root)), "layer entries stay inside the image");
                Directory.CreateDirectory(Path.GetDirectoryName(path.TrimEnd('/'))!);
                switch (entry.EntryType)
                {
                    case TarEntryType.Directory:
                        Directory.CreateDirectory(path);
                        if (!OperatingSystem.IsWindows())
                        {
                            File.SetUnixFileMode(path, entry.Mode);
                        }

                        break;
                    case TarEntryType.SymbolicLink:
                        File.CreateSymbolicLink(path.TrimEnd('/'), entry.LinkName);
                        break;
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                        await entry.ExtractToFileAsync(path, overwrite: true);
                        break;
                }
            }
        }
    }

    public void Dispose()
    {
        Manifest.Dispose();
        ConfigDocument.Dispose();
    }
}
