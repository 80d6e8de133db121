using System.Diagnostics;
using System.Reflection;
using PipelineSdk.Store;

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

internal sealed record ProcessResult(int Exit, string Output, string Error)
{
    public static async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["COLUMNS"] = "200";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return new ProcessResult(process.ExitCode, await output, await error);
    }
}
