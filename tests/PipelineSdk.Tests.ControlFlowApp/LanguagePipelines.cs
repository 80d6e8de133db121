using System.Globalization;
using PipelineSdk;

/// <summary>A job of a loop over records written in the pipeline body.</summary>
public sealed record SweepJob(string Name, int Count);

/// <summary>
/// Issue 15's constructs as a program: constant collections as arguments and defaults, loops over constant records,
/// anonymous objects and dictionaries with their fields passed on, OneOf outputs of branches and loops over artifact
/// lists. Compiled into PipelineSdk.Tests too, for typed in-process runs.
/// </summary>
public static class LanguagePipelines
{
    [Step]
    public static int SumAll(List<int> values, Dictionary<string, int> weights) => values.Sum() + weights.Values.Sum();

    [Step]
    public static string Label(string name, int count) => string.Create(CultureInfo.InvariantCulture, $"{name}:{count}");

    [Step]
    public static List<Dictionary<string, string>> Rows() => [new() { ["name"] = "r1" }, new() { ["name"] = "r2" }];

    [Step]
    public static string Tagged(List<string> tags, Dictionary<string, int> limits, double[] factors) =>
        string.Join("+", tags) + "/" + string.Join(",", limits.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.Key}={l.Value}")))
        + "/" + string.Join(",", factors.Select(f => f.ToString("R", CultureInfo.InvariantCulture)));

    /// <summary>Lists and dictionaries as constants and defaults; loops over records, anonymous objects and dictionaries.</summary>
    [Pipeline]
    public static string ConstantCollectionsPipeline([Default("[\"a\", \"b\"]")] List<string> tags, [Default("{\"x\": 1, \"y\": 2}")] Dictionary<string, int> limits)
    {
        var sum = SumAll([1, 2, 3], new Dictionary<string, int> { ["a"] = 10, ["b"] = 20 });
        Label("sum", sum);
        foreach (var job in new[] { new SweepJob("x", 1), new SweepJob("y", 2) })
        {
            Label(job.Name, job.Count);
        }

        foreach (var row in new[] { new { Name = "anonymous", Count = 3 } })
        {
            Label(row.Name, row.Count);
        }

        foreach (var weights in new[] { new Dictionary<string, int> { ["w"] = 5 }, new Dictionary<string, int> { ["w"] = 6 } })
        {
            Label("weight", weights["w"]);
        }

        foreach (var row in Rows())
        {
            Label(row["name"], 0);
        }

        return Tagged(tags, limits, new[] { 0.5, 2.0 });
    }

    [Step]
    public static string Shout(string text) => text.ToUpperInvariant();

    [Step]
    public static string Whisper(string text) => text.ToLowerInvariant();

    [Step]
    public static string Repeat(string text, int times) => string.Concat(Enumerable.Repeat(text, times));

    [Step]
    public static PipelineSdk.Artifacts.Dataset Written(string text)
    {
        var data = new PipelineSdk.Artifacts.Dataset();
        File.WriteAllText(data.Path, text);
        return data;
    }

    [Step]
    public static string ReadBack(PipelineSdk.Artifacts.Dataset data) => File.ReadAllText(data.Path);

    /// <summary>A value from whichever branch ran (KFP's dsl.OneOf), used after the branches and returned.</summary>
    [Pipeline]
    public static string OneOfPipeline(int loudness = 2, string text = "Hello")
    {
        string said;
        if (loudness > 2)
        {
            said = Shout(text);
        }
        else if (loudness == 2)
        {
            said = Repeat(text, 2);
        }
        else
        {
            said = Whisper(text);
        }

        PipelineSdk.Artifacts.Dataset kept;
        if (loudness >= 2)
        {
            kept = Written(said);
        }
        else
        {
            kept = Written(text);
        }

        ReadBack(kept);
        return said;
    }

    /// <summary>A called pipeline whose returned value is a OneOf.</summary>
    [Pipeline]
    public static string OuterOneOfPipeline(int loudness = 3)
    {
        var said = OneOfPipeline(loudness, "Inner");
        return Repeat(said, 1);
    }

    [Step]
    public static int Length(PipelineSdk.Artifacts.Dataset data) => File.ReadAllText(data.Path).Length;

    [Step]
    public static int Total(List<int> lengths) => lengths.Sum();

    /// <summary>Loops over what earlier loops collected: an artifact list (artifactIterator) and a parameter list.</summary>
    [Pipeline]
    public static int ArtifactLoopPipeline([Default("[\"Hello\", \",\", \" \", \"world!\"]")] List<string> texts)
    {
        var datasets = new List<PipelineSdk.Artifacts.Dataset>();
        foreach (var text in texts)
        {
            datasets.Add(Written(text));
        }

        var lengths = new List<int>();
        foreach (var data in datasets.WithParallelism(2))
        {
            lengths.Add(Length(data));
        }

        foreach (var length in lengths)
        {
            Repeat("ab", length);
        }

        return Total(lengths);
    }
}
