using System.Reflection;
using PipelineSdk.Store;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Tests;

/// <summary>An example program built by this solution, run as a real child process.</summary>
internal sealed record ExampleProgram(string Name)
{
    public static readonly ExampleProgram QuickStart = new("QuickStart");
    public static readonly ExampleProgram LinearRegression = new("LinearRegression");

    public string Directory => Path.Combine(Metadata("ExamplesDirectory"), Name, Metadata("OutputSubdirectory"));

    public string Dll => Path.Combine(Directory, Name + ".dll");

    public Task<ProcessResult> RunAsync(TempStore store, params string[] args) =>
        ProcessResult.RunAsync("dotnet", [Dll, .. args], new Dictionary<string, string> { [StoreLocation.HomeVariable] = store.Path });

    private static string Metadata(string key) =>
        typeof(ExampleProgram).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
