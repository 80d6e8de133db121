using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using PipelineSdk.Artifacts;
using PipelineSdk.Benchmarks.Infrastructure;
using PipelineSdk.Values;

namespace PipelineSdk.Benchmarks.Artifacts;

/// <summary>
/// Issue 9, target 4. A 1 GiB byte stream written through <see cref="LocalArtifactStore"/> (which hashes it with
/// SHA-256 on the way to disk) against a plain stream copy of the same file with the same buffer size (the
/// baseline) and <see cref="File.Copy(string, string, bool)"/>; and read back through the store against a plain
/// read. Allocated bytes per operation show whether anything buffers the whole content.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class ArtifactBenchmarks
{
    private const int BufferSize = 64 * 1024;

    private string _source = null!;
    private string _copy = null!;
    private LocalArtifactStore _writeStore = null!;
    private string _storedUri = null!;
    private int _runs;

    public static IEnumerable<int> SizesMiB => Suite.Smoke ? [4] : [1024];

    [ParamsSource(nameof(SizesMiB))]
    public int SizeMiB { get; set; }

    public long SizeBytes => SizeMiB * 1024L * 1024L;

    [GlobalSetup]
    public void Setup()
    {
        var directory = Path.Combine(Suite.Temp, "artifacts");
        Directory.CreateDirectory(directory);
        _source = Path.Combine(directory, "source.bin");
        _copy = Path.Combine(directory, "copy.bin");
        var block = new byte[1024 * 1024];
        new Random(9).NextBytes(block);
        using (var file = new FileStream(_source, FileMode.Create, FileAccess.Write, FileShare.None, BufferSize))
        {
            for (var i = 0; i < SizeMiB; i++)
            {
                block[0] = (byte)i;
                file.Write(block);
            }
        }

        _writeStore = new LocalArtifactStore(Path.Combine(directory, "store"));
        using var input = OpenSource();
        var stored = new LocalArtifactStore(Path.Combine(directory, "read-store")).Write("read", "produce", "data", ArtifactCodecs.Stream, input);
        if (stored.Size != SizeBytes)
        {
            throw new InvalidOperationException($"The store wrote {stored.Size} bytes of {SizeBytes}.");
        }

        _storedUri = stored.Uri;
    }

    [IterationCleanup]
    public void DeleteCopies()
    {
        File.Delete(_copy);
        if (Directory.Exists(_writeStore.Root))
        {
            Directory.Delete(_writeStore.Root, recursive: true);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(Path.GetDirectoryName(_source)!, recursive: true);

    [BenchmarkCategory("write"), Benchmark(Baseline = true, Description = "plain stream copy to a file")]
    public long PlainStreamCopy()
    {
        using var input = OpenSource();
        using var output = new FileStream(_copy, FileMode.Create, FileAccess.Write, FileShare.None, BufferSize);
        input.CopyTo(output, BufferSize);
        return output.Length;
    }

    [BenchmarkCategory("write"), Benchmark(Description = "File.Copy")]
    public long FileCopy()
    {
        File.Copy(_source, _copy, overwrite: true);
        return SizeBytes;
    }

    [BenchmarkCategory("write"), Benchmark(Description = "LocalArtifactStore.Write (hashes)")]
    public long ArtifactStoreWrite()
    {
        using var input = OpenSource();
        return _writeStore.Write($"run-{++_runs}", "produce", "data", ArtifactCodecs.Stream, input).Size;
    }

    [BenchmarkCategory("read"), Benchmark(Baseline = true, Description = "plain read of the file")]
    public long PlainRead()
    {
        using var input = OpenSource();
        input.CopyTo(Stream.Null, BufferSize);
        return input.Length;
    }

    [BenchmarkCategory("read"), Benchmark(Description = "LocalArtifactStore.Read")]
    public long ArtifactStoreRead()
    {
        // A Stream input is the stored file opened for reading; the step (here: the benchmark) reads it to the end.
        using var stored = (Stream)LocalArtifactStore.Read(_storedUri, ArtifactCodecs.Stream)!;
        stored.CopyTo(Stream.Null, BufferSize);
        return stored.Length;
    }

    private FileStream OpenSource() => new(_source, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize);
}
