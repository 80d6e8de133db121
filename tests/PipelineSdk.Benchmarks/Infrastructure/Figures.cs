using System.Globalization;
using BenchmarkDotNet.Reports;

namespace PipelineSdk.Benchmarks.Infrastructure;

/// <summary>One measured benchmark case: which method with which parameters, and its median and allocations.</summary>
public sealed record Figure(
    Type Class,
    string Method,
    string Description,
    bool IsBaseline,
    string Category,
    IReadOnlyDictionary<string, string> Parameters,
    double? MedianNanoseconds,
    double? MinNanoseconds,
    double? MaxNanoseconds,
    long? AllocatedBytes)
{
    public string ParameterKey => string.Join(", ", Parameters.Select(p => $"{p.Key}={p.Value}"));

    public int IntParameter(string name) => int.Parse(Parameters[name], CultureInfo.InvariantCulture);
}

/// <summary>The figures of one run of the suite, and the ratios between them.</summary>
public sealed class Figures
{
    private readonly List<Figure> _all = [];

    public IReadOnlyList<Figure> All => _all;

    public void Add(Summary summary)
    {
        foreach (var benchmark in summary.BenchmarksCases)
        {
            var report = summary[benchmark];
            var parameters = benchmark.Parameters.Items.ToDictionary(p => p.Name, p => Convert.ToString(p.Value, CultureInfo.InvariantCulture) ?? "", StringComparer.Ordinal);
            _all.Add(new Figure(
                benchmark.Descriptor.Type,
                benchmark.Descriptor.WorkloadMethod.Name,
                benchmark.Descriptor.WorkloadMethodDisplayInfo.Trim('\''),
                benchmark.Descriptor.Baseline,
                benchmark.Descriptor.Categories.FirstOrDefault() ?? "",
                parameters,
                report?.ResultStatistics?.Median,
                report?.ResultStatistics?.Min,
                report?.ResultStatistics?.Max,
                report?.GcStats.GetBytesAllocatedPerOperation(benchmark)));
        }
    }

    public IEnumerable<Figure> Of<T>() => _all.Where(f => f.Class == typeof(T));

    /// <summary>The figure of <typeparamref name="T"/>.<paramref name="method"/> whose parameters include <paramref name="parameters"/>.</summary>
    public Figure? Find<T>(string method, params (string Name, object Value)[] parameters) =>
        Of<T>().FirstOrDefault(f => f.Method == method && parameters.All(p =>
            f.Parameters.TryGetValue(p.Name, out var value) && value == Convert.ToString(p.Value, CultureInfo.InvariantCulture)));

    /// <summary>The baseline measured in the same run with the same parameters and category.</summary>
    public Figure? BaselineOf(Figure figure) =>
        _all.FirstOrDefault(f => f.Class == figure.Class && f.IsBaseline && f.Category == figure.Category && f.ParameterKey == figure.ParameterKey);

    /// <summary><paramref name="figure"/>'s median over its baseline's.</summary>
    public double? Ratio(Figure? figure) => figure is null ? null : Ratio(figure, BaselineOf(figure));

    public static double? Ratio(Figure? figure, Figure? baseline) =>
        figure?.MedianNanoseconds is { } time && baseline?.MedianNanoseconds is { } reference && reference > 0 ? time / reference : null;

    /// <summary>
    /// How far the ratio could move within the noise of this run: from the figure's fastest over the baseline's
    /// slowest iteration to its slowest over the baseline's fastest.
    /// </summary>
    public (double Low, double High)? RatioRange(Figure? figure)
    {
        var baseline = figure is null ? null : BaselineOf(figure);
        return figure is { MinNanoseconds: { } min, MaxNanoseconds: { } max } && baseline is { MinNanoseconds: { } baseMin and > 0, MaxNanoseconds: { } baseMax and > 0 }
            ? (min / baseMax, max / baseMin)
            : null;
    }
}
