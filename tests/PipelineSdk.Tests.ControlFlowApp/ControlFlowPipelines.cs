using System.Globalization;
using PipelineSdk;
using PipelineSdk.Artifacts;

/// <summary>
/// The control-flow scenarios of tests/PipelineSdk.Tests/ControlFlowPipelines.cs as a program: every step returns what
/// it did (no shared memory between processes), failures are asked for by a parameter, and artifacts cross loops,
/// branches and called pipelines.
/// </summary>
public static class ControlFlowPipelines
{
    [Step(EnableCache = false)]
    public static string Say(string text) => text;

    [Step]
    public static int Roll(int value) => value;

    [Step]
    public static double Score(int roll) => roll / 10.0;

    /// <summary>A plain if, an if/else if/else, and a condition on a parameter nested in a branch.</summary>
    [Pipeline]
    public static void BranchPipeline(int value = 4, double threshold = 0.3, bool loud = false)
    {
        var roll = Roll(value);
        if (roll > 3)
        {
            Say("big");
        }

        if (roll < 3)
        {
            Say("low");
        }
        else if (roll > 5 || loud)
        {
            Say("high");
        }
        else
        {
            Say("middle");
            if (Score(roll) >= threshold)
            {
                Say("scored");
            }
        }
    }

    [Step]
    public static List<int> Items(int count) => [.. Enumerable.Range(1, count)];

    [Step]
    public static int Square(int item) => item * item;

    [Step]
    public static int Sum(List<int> values) => values.Sum();

    [Step]
    public static string Join(List<int> values) => string.Join(",", values);

    /// <summary>A loop over a step output with a limit, its outputs collected for the steps after it, and a returned value.</summary>
    [Pipeline]
    public static int LoopPipeline(int count = 6)
    {
        var squares = new List<int>();
        foreach (var item in Items(count).WithParallelism(2))
        {
            squares.Add(Square(item));
        }

        Join(squares);
        return Sum(squares);
    }

    [Step]
    public static int Prepare() => 5;

    [Step(EnableCache = false)]
    public static int Work(int input, bool fail) => fail ? throw new InvalidOperationException("the work broke") : input + 1;

    [Step(EnableCache = false)]
    public static string Notify(string channel, TaskFinalStatus status) => $"{channel}: {status.State}";

    /// <summary>An exit handler whose finally step sees the guarded block's final state.</summary>
    [Pipeline]
    public static void GuardedPipeline(bool fail = false)
    {
        var prepared = Prepare();
        try
        {
            var once = Work(prepared, fail);
            Work(once, false);
        }
        finally
        {
            Notify("#ops", TaskFinalStatus.Current);
        }
    }

    [Pipeline]
    public static List<int> SquaresOf(int count)
    {
        var squares = new List<int>();
        foreach (var item in Items(count))
        {
            squares.Add(Square(item));
        }

        return squares;
    }

    /// <summary>A called pipeline whose output is a list collected by its loop.</summary>
    [Pipeline]
    public static int SumOfSquares(int count = 3) => Sum(SquaresOf(count));

    [Step]
    public static int Load(int rows) => rows * 2;

    [Step]
    public static double Fit(int data, double rate) => data * rate;

    [Pipeline]
    public static double TrainOnce(int rows, double rate = 0.5)
    {
        var data = Load(rows);
        return Fit(data, rate);
    }

    [Step]
    public static string Publish(double score) => string.Create(CultureInfo.InvariantCulture, $"published {score}");

    /// <summary>A called pipeline with a default, then the same pipeline called per loop item.</summary>
    [Pipeline]
    public static void NestedPipeline(int rows = 10)
    {
        var score = TrainOnce(rows);
        Publish(score);
        foreach (var rate in new[] { 1.0, 2.0 })
        {
            Publish(TrainOnce(rows, rate));
        }
    }

    [Step]
    public static Dataset MakeRows(int rows)
    {
        var data = new Dataset();
        File.WriteAllLines(data.Path, Enumerable.Range(1, rows).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        data.Metadata["rows"] = rows;
        return data;
    }

    [Step]
    public static Dataset Take(Dataset data, int count)
    {
        var part = new Dataset();
        File.WriteAllLines(part.Path, File.ReadLines(data.Path).Take(count));
        return part;
    }

    [Step]
    public static int CountRows(Dataset data) => File.ReadLines(data.Path).Count();

    [Step]
    public static Dataset Concat(List<Dataset> parts)
    {
        var all = new Dataset();
        File.WriteAllLines(all.Path, parts.SelectMany(p => File.ReadLines(p.Path)));
        return all;
    }

    [Step]
    public static Markdown Describe(Dataset data, int rows)
    {
        var text = new Markdown();
        text.WriteAllText($"# {rows} rows\n\n{string.Join(" ", File.ReadLines(data.Path))}\n");
        return text;
    }

    /// <summary>A called pipeline returning an artifact.</summary>
    [Pipeline]
    public static Dataset RowsOf(int rows) => MakeRows(rows);

    /// <summary>Artifacts out of a called pipeline, into and collected out of a loop, and into a branch.</summary>
    [Pipeline]
    public static void ArtifactFlowPipeline(int rows = 5, int least = 3)
    {
        var data = RowsOf(rows);
        var parts = new List<Dataset>();
        foreach (var count in new[] { 1, 2, 4 }.WithParallelism(2))
        {
            parts.Add(Take(data, count));
        }

        var all = Concat(parts);
        var counted = CountRows(all);
        if (counted >= least)
        {
            Describe(all, counted);
        }
    }
}
