using System.ComponentModel;
using System.Diagnostics;

namespace PipelineSdk.Gcp.Images;

/// <summary>A finished child process: its exit code and the lines it printed, standard output and error interleaved.</summary>
internal sealed record ChildProcessResult(int ExitCode, IReadOnlyList<string> Lines, string StandardOutput);

/// <summary>Runs a program to completion, handing each line it prints to a callback as it comes.</summary>
internal static class ChildProcess
{
    /// <exception cref="Win32Exception">The program could not be started (e.g. it is not installed).</exception>
    public static async Task<ChildProcessResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment,
        string? standardInput,
        Action<string>? onLine,
        CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        var lines = new List<string>();
        var output = new System.Text.StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Receive(e.Data, toOutput: true);
        process.ErrorDataReceived += (_, e) => Receive(e.Data, toOutput: false);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput).ConfigureAwait(false);
            process.StandardInput.Close();
        }

        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        lock (lines)
        {
            return new ChildProcessResult(process.ExitCode, [.. lines], output.ToString());
        }

        void Receive(string? line, bool toOutput)
        {
            if (line is null)
            {
                return;
            }

            lock (lines)
            {
                lines.Add(line);
                if (toOutput)
                {
                    output.AppendLine(line);
                }
            }

            onLine?.Invoke(line);
        }
    }
}
