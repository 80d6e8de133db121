using System.Diagnostics;

namespace PipelineSdk.Tests.Shared;

/// <summary>A finished child process: exit code and everything it printed.</summary>
internal sealed record ProcessResult(int Exit, string Output, string Error)
{
    /// <summary>
    /// How long a child may run before it counts as hung. Far above what any healthy run needs on a loaded
    /// 2-core machine (an AOT publish or a pack can take many minutes there): it only stops a test from
    /// waiting forever.
    /// </summary>
    public static readonly TimeSpan HangLimit = TimeSpan.FromMinutes(30);

    /// <summary>
    /// A start of <c>dotnet</c> with <paramref name="args"/> for a program the test interrupts with SIGINT, as Ctrl+C does:
    /// through coreutils' <c>env --default-signal=INT</c>, because a test run started as a background job of a
    /// non-interactive shell ignores SIGINT, its children inherit that, and the program would never see the interrupt.
    /// </summary>
    public static ProcessStartInfo InterruptibleDotnet(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (IEnumerable<string>)["--default-signal=INT", "dotnet", .. args])
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    /// <summary>Runs <paramref name="fileName"/> to its end; throws <see cref="TimeoutException"/> naming the command if it hangs.</summary>
    public static async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null, string? standardInput = null)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = standardInput is not null, UseShellExecute = false };
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
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
            process.StandardInput.Close();
        }

        using var hang = new CancellationTokenSource(HangLimit);
        try
        {
            await process.WaitForExitAsync(hang.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"hung: `{fileName} {string.Join(' ', start.ArgumentList)}` (in {workingDirectory ?? Directory.GetCurrentDirectory()}) ran longer than {HangLimit.TotalMinutes} minutes and was killed");
        }

        return new ProcessResult(process.ExitCode, await output, await error);
    }
}
