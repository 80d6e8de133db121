using System.Reflection;
using PipelineSdk.Store;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.MLNet.Tests;

/// <summary>A fresh store folder per test, deleted afterwards.</summary>
internal sealed class TempStore : IDisposable
{
    public TempStore() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "psdk-mlnet-tests", Guid.NewGuid().ToString("N"));

    public PipelineSdk.Orchestration.RunOptions Options() => new() { StoreDirectory = Path };

    public MetadataStore Open() => MetadataStore.Open(Path);

    /// <summary>The stored outputs of the store's only run, as "task.output" → (content hash, metadata JSON, schema title).</summary>
    public Dictionary<string, (string Hash, string Metadata, string KfpType)> Outputs()
    {
        using var store = Open();
        var run = store.ListRuns().Single();
        return store.GetStepRuns(run.Id)
            .SelectMany(step => store.GetOutputs(step.Id).Values.Select(a => ($"{step.TaskKey}.{a.OutputName}", (a.ContentHash, a.MetadataJson, a.KfpType))))
            .ToDictionary(p => p.Item1, p => p.Item2);
    }

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

/// <summary>A program built by this solution, run as a real child process.</summary>
internal sealed record TestProgram(string Name, string ProjectFolder)
{
    public static readonly TestProgram Kinds = new("MLNetKindsApp", System.IO.Path.Combine(Metadata("TestsDirectory"), "PipelineSdk.MLNet.Tests.App"));

    public static readonly TestProgram Churn = new("ChurnClassification", System.IO.Path.Combine(Metadata("ExamplesDirectory"), "ChurnClassification"));

    public string Dll => System.IO.Path.Combine(ProjectFolder, Metadata("OutputSubdirectory"), Name + ".dll");

    public Task<ProcessResult> RunAsync(TempStore store, params string[] args) =>
        ProcessResult.RunAsync("dotnet", [Dll, .. args], new Dictionary<string, string> { [StoreLocation.HomeVariable] = store.Path });

    private static string Metadata(string key) =>
        typeof(TestProgram).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
