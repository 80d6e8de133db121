namespace PipelineSdk.Tests;

/// <summary>A fresh store folder per test, deleted afterwards.</summary>
internal sealed class TempStore : IDisposable
{
    public TempStore() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "psdk-tests", Guid.NewGuid().ToString("N"));

    public PipelineSdk.Orchestration.RunOptions Options(int? maxParallelism = null, bool? enableCache = null) =>
        new() { StoreDirectory = Path, MaxParallelism = maxParallelism, EnableCache = enableCache };

    public PipelineSdk.Store.MetadataStore Open() => PipelineSdk.Store.MetadataStore.Open(Path);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still hold a file; the OS temp cleaner takes it.
        }
    }
}
