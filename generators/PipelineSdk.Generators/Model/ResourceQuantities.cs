using System.Globalization;

namespace PipelineSdk.Generators.Model;

/// <summary>CPU and memory quantities converted the way the KFP compiler converts them for the numeric resource fields.</summary>
internal static class ResourceQuantities
{
    /// <summary>Whether a setting is a KFP placeholder for a pipeline channel, whose value is known only at run time.</summary>
    public static bool IsPlaceholder(string value) => value.StartsWith("{{$.", System.StringComparison.Ordinal);

    /// <summary>Cores: <c>"500m"</c> is 0.5, <c>"2"</c> is 2.</summary>
    public static double Cores(string cpu) =>
        cpu.EndsWith("m", System.StringComparison.Ordinal)
            ? double.Parse(cpu.Substring(0, cpu.Length - 1), CultureInfo.InvariantCulture) / 1000
            : double.Parse(cpu, CultureInfo.InvariantCulture);

    /// <summary>Gigabytes (10^9 bytes, as KFP's <c>memoryLimit</c>): <c>"8G"</c> is 8, <c>"256Mi"</c> is 0.268435456.</summary>
    public static double Gigabytes(string memory)
    {
        var digits = 0;
        while (digits < memory.Length && char.IsDigit(memory[digits]))
        {
            digits++;
        }

        var number = double.Parse(memory.Substring(0, digits), CultureInfo.InvariantCulture);
        var unit = memory.Substring(digits) switch
        {
            "E" => 1e18,
            "Ei" => System.Math.Pow(2, 60),
            "P" => 1e15,
            "Pi" => System.Math.Pow(2, 50),
            "T" => 1e12,
            "Ti" => System.Math.Pow(2, 40),
            "G" => 1e9,
            "Gi" => System.Math.Pow(2, 30),
            "M" => 1e6,
            "Mi" => System.Math.Pow(2, 20),
            "K" => 1e3,
            "Ki" => System.Math.Pow(2, 10),
            _ => 1.0,
        };
        return number * unit / 1e9;
    }
}
