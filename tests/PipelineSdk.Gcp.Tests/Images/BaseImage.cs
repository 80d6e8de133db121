using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Gcp.Tests.Images;

/// <summary>
/// A .NET runtime base image made offline from this machine: one layer with the .NET runtime in /usr/share/dotnet
/// (plus /usr/bin/dotnet) and the shared libraries it loads, found with ldd — enough to chroot into and run
/// <c>dotnet app.dll</c> — pushed with plain registry HTTP calls (blob uploads, then an OCI manifest).
/// </summary>
internal static partial class BaseImage
{
    public const string Repository = "base/dotnet";
    public const string Tag = "10.0";

    private static readonly string DotnetRoot = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(RuntimeEnvironment.GetRuntimeDirectory().TrimEnd('/')))!)!;

    /// <summary>Builds the layer and pushes the image as <c>base/dotnet:10.0</c> (and any extra tags); returns the layer's digest.</summary>
    public static async Task<string> PushAsync(string registryUrl, params string[] extraTags)
    {
        var (layer, diffId) = await BuildLayerAsync();
        using var http = new HttpClient { BaseAddress = new Uri(registryUrl) };
        var layerDigest = await UploadBlobAsync(http, layer);
        var config = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["config"] = new Dictionary<string, object>
            {
                ["Env"] = new[]
                {
                    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    "DOTNET_ROOT=/usr/share/dotnet",
                    // No ICU in the image.
                    "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1",
                },
            },
            ["rootfs"] = new Dictionary<string, object> { ["type"] = "layers", ["diff_ids"] = new[] { diffId } },
        }));
        var configDigest = await UploadBlobAsync(http, config);
        var manifest = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = new Dictionary<string, object> { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = configDigest, ["size"] = config.Length },
            ["layers"] = new[] { new Dictionary<string, object> { ["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip", ["digest"] = layerDigest, ["size"] = layer.Length } },
        }));
        foreach (var tag in extraTags.Prepend(Tag))
        {
            using var content = new ByteArrayContent(manifest) { Headers = { ContentType = new MediaTypeHeaderValue("application/vnd.oci.image.manifest.v1+json") } };
            using var put = await http.PutAsync($"/v2/{Repository}/manifests/{tag}", content);
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.Created), await put.Content.ReadAsStringAsync());
        }

        return layerDigest;
    }

    private static async Task<(byte[] Layer, string DiffId)> BuildLayerAsync()
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        AddTree(Path.Combine(DotnetRoot, "host"), entries);
        foreach (var runtime in Directory.GetDirectories(Path.Combine(DotnetRoot, "shared", "Microsoft.NETCore.App")))
        {
            AddTree(runtime, entries);
        }

        var dotnet = Path.Combine(DotnetRoot, "dotnet");
        AddPath(dotnet, entries);
        var binaries = entries.Keys.Where(k => k.EndsWith(".so", StringComparison.Ordinal)).Select(k => "/" + k).Append(dotnet).ToList();
        foreach (var library in await SharedLibrariesAsync(binaries))
        {
            AddPath(library, entries);
        }

        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var directory in new[] { "tmp", "proc", "dev" })
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, directory + "/") { Mode = directory == "tmp" ? (UnixFileMode)0b1_111_111_111 : (UnixFileMode)0b111_101_101 });
            }

            writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "usr/bin/dotnet") { LinkName = Path.GetRelativePath("/usr/bin", dotnet) });
            foreach (var (name, path) in entries)
            {
                writer.WriteEntry(path, name);
            }
        }

        var raw = tar.ToArray();
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(raw);
        }

        return (compressed.ToArray(), "sha256:" + Convert.ToHexStringLower(SHA256.HashData(raw)));
    }

    /// <summary>The files <paramref name="binaries"/> load, as ldd resolves them, and libssl/libcrypto, which .NET opens on demand.</summary>
    private static async Task<IReadOnlyList<string>> SharedLibrariesAsync(IReadOnlyList<string> binaries)
    {
        var ldd = await ProcessResult.RunAsync("ldd", binaries);
        var libraries = LddLine().Matches(ldd.Output).Select(m => m.Groups["path"].Value).Distinct().ToList();
        Assert.That(libraries, Is.Not.Empty, ldd.Output + ldd.Error);
        var directory = Path.GetDirectoryName(libraries.First(l => Path.GetFileName(l).StartsWith("libc.so", StringComparison.Ordinal)))!;
        libraries.AddRange(new[] { "libssl.so.3", "libcrypto.so.3" }.Select(name => Path.Combine(directory, name)).Where(File.Exists));
        return libraries;
    }

    /// <summary>Adds every file and symlink under <paramref name="directory"/>.</summary>
    private static void AddTree(string directory, IDictionary<string, string> entries)
    {
        foreach (var path in Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories).Where(p => !Directory.Exists(p) || new DirectoryInfo(p).LinkTarget is not null))
        {
            entries[path.TrimStart('/')] = path;
        }
    }

    /// <summary>Adds a file at its path, and every symlink met on the way (Debian's /lib -> usr/lib, /lib64/ld-linux...), so the path resolves in the image as here.</summary>
    private static void AddPath(string path, IDictionary<string, string> entries)
    {
        var current = "/";
        var parts = new Queue<string>(path.Split('/', StringSplitOptions.RemoveEmptyEntries));
        while (parts.TryDequeue(out var part))
        {
            var next = Path.Combine(current, part);
            var target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                current = next;
                continue;
            }

            entries[next.TrimStart('/')] = next;
            var resolved = Path.GetFullPath(target, current);
            parts = new Queue<string>(resolved.Split('/', StringSplitOptions.RemoveEmptyEntries).Concat(parts));
            current = "/";
        }

        entries[current.TrimStart('/')] = current;
    }

    private static async Task<string> UploadBlobAsync(HttpClient http, byte[] blob)
    {
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(blob));
        using var start = await http.PostAsync($"/v2/{Repository}/blobs/uploads/", null);
        Assert.That(start.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await start.Content.ReadAsStringAsync());
        var location = new Uri(http.BaseAddress!, start.Headers.Location!);
        var separator = location.Query.Length > 0 ? "&" : "?";
        using var content = new ByteArrayContent(blob) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } };
        using var put = await http.PutAsync($"{location}{separator}digest={Uri.EscapeDataString(digest)}", content);
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.Created), await put.Content.ReadAsStringAsync());
        return digest;
    }

    [GeneratedRegex("(?:=> )?(?<path>/\\S+) \\(0x[0-9a-f]+\\)")]
    private static partial Regex LddLine();
}
