using System.Reflection;
using PipelineSdk.Store;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Tests;

/// <summary>An example program built by this solution, run as a real child process.</summary>
internal sealed record ExampleProgram(string Name, string? ProjectFolder = null)
{
    public static readonly ExampleProgram QuickStart = new("QuickStart");
    public static readonly ExampleProgram LinearRegression = new("LinearRegression");
    public static readonly ExampleProgram TrainAndDeploy = new("TrainAndDeploy");

    /// <summary>The test program whose pipeline passes every kind of artifact (tests/PipelineSdk.Tests.ArtifactsApp).</summary>
    public static readonly ExampleProgram ArtifactsApp = new("ArtifactsApp", Path.Combine(Metadata("TestsDirectory"), "PipelineSdk.Tests.ArtifactsApp"));

    /// <summary>The test program whose pipelines use control flow and per-call settings (tests/PipelineSdk.Tests.ControlFlowApp).</summary>
    public static readonly ExampleProgram ControlFlowApp = new("ControlFlowApp", Path.Combine(Metadata("TestsDirectory"), "PipelineSdk.Tests.ControlFlowApp"));

    /// <summary>The test program with named outputs, a production-model input and promotion from a step (tests/PipelineSdk.Tests.RegistryApp).</summary>
    public static readonly ExampleProgram RegistryApp = new("RegistryApp", Path.Combine(Metadata("TestsDirectory"), "PipelineSdk.Tests.RegistryApp"));

    public string Directory => Path.Combine(ProjectFolder ?? Path.Combine(Metadata("ExamplesDirectory"), Name), Metadata("OutputSubdirectory"));

    public string Dll => Path.Combine(Directory, Name + ".dll");

    public Task<ProcessResult> RunAsync(TempStore store, params string[] args) =>
        ProcessResult.RunAsync("dotnet", [Dll, .. args], new Dictionary<string, string> { [StoreLocation.HomeVariable] = store.Path });

    private static string Metadata(string key) =>
        typeof(ExampleProgram).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
