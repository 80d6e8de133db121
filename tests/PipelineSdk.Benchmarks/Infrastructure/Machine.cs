using System.Runtime.InteropServices;
using BenchmarkDotNet.Running;

namespace PipelineSdk.Benchmarks.Infrastructure;

/// <summary>What the report says about the machine it ran on.</summary>
public static class Machine
{
    public static string Describe()
    {
        var cpu = ReadLine("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();
        var memory = ReadLine("/proc/meminfo", "MemTotal") is { } total && long.TryParse(total.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], out var kib)
            ? $"{kib / 1024.0 / 1024.0:0} GiB"
            : "unknown memory";
        var bdn = typeof(BenchmarkRunner).Assembly.GetName().Version;
        return $"{cpu}, {Environment.ProcessorCount} cores, {memory}; {RuntimeInformation.OSDescription}; {RuntimeInformation.FrameworkDescription}; "
            + $"BenchmarkDotNet {bdn?.ToString(3)}; load average at start {LoadAverage()}";
    }

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string? ReadLine(string file, string key) =>
        File.Exists(file)
            ? File.ReadLines(file).Where(l => l.StartsWith(key, StringComparison.Ordinal)).Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()).FirstOrDefault()
            : null;
}
