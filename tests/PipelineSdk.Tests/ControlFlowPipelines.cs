using System.Collections.Concurrent;

namespace PipelineSdk.Tests;

/// <summary>Pipelines with conditions, loops, exit handlers and nested pipelines; steps record what they saw.</summary>
public static class ControlFlowPipelines
{
    public static readonly ConcurrentQueue<string> Said = new();
    public static readonly ConcurrentQueue<TaskFinalStatus> Statuses = new();
    public static readonly ConcurrentQueue<int> Returned = new();
    private static int s_running;
    private static int s_maxRunning;

    public static int MaxRunning => s_maxRunning;

    /// <summary>Set by the last item of <see cref="OrderedPipeline"/>; the first item waits for it, so it finishes last.</summary>
    public static ManualResetEventSlim LastItemDone { get; private set; } = new();

    public static bool FailWork { get; set; }

    public static void Reset()
    {
        Said.Clear();
        Statuses.Clear();
        Returned.Clear();
        s_running = 0;
        s_maxRunning = 0;
        LastItemDone = new ManualResetEventSlim();
        FailWork = false;
    }

    [Step(EnableCache = false)]
    public static void Say(string text) => Said.Enqueue(text);

    [Step]
    public static int Roll(int value) => value;

    [Step]
    public static double Score(int roll) => roll / 10.0;

    // Conditions: plain if, if/else if/else, and a condition on a parameter nested in a branch.
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

    [Step(EnableCache = false)]
    public static int Square(int item)
    {
        var running = Interlocked.Increment(ref s_running);
        int max;
        while (running > (max = Volatile.Read(ref s_maxRunning)) && Interlocked.CompareExchange(ref s_maxRunning, running, max) != max)
        {
        }

        Thread.Sleep(20);
        Interlocked.Decrement(ref s_running);
        return item * item;
    }

    [Step]
    public static int Sum(List<int> values) => values.Sum();

    [Step]
    public static string Join(List<int> values) => string.Join(",", values);

    // A loop over a step output with a limit, its outputs collected for the step after it, and a returned value.
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

    [Step(EnableCache = false)]
    public static int Ordered(int item, int last)
    {
        if (item == 1)
        {
            // Unchecked, a hung last item would let item 1 finish first after all and hide the ordering under test.
            if (!LastItemDone.Wait(Shared.ProcessResult.HangLimit))
            {
                throw new TimeoutException($"hung: item 1 of OrderedPipeline waited {Shared.ProcessResult.HangLimit.TotalMinutes} minutes for the last item ({last}) to finish");
            }
        }

        Returned.Enqueue(item);
        if (item == last)
        {
            LastItemDone.Set();
        }

        return item * 10;
    }

    // Iterations finish in reverse order; the collected list must still be in iteration order.
    [Pipeline]
    public static string OrderedPipeline()
    {
        var tens = new List<int>();
        foreach (var item in new[] { 1, 2, 3 })
        {
            tens.Add(Ordered(item, 3));
        }

        return Join(tens);
    }

    [Step]
    public static int Prepare() => 5;

    [Step(EnableCache = false)]
    public static int Work(int input) => FailWork ? throw new InvalidOperationException("the work broke") : input + 1;

    [Step(EnableCache = false)]
    public static void Notify(string channel, TaskFinalStatus status) => Statuses.Enqueue(status);

    [Pipeline]
    public static void GuardedPipeline()
    {
        var prepared = Prepare();
        try
        {
            var once = Work(prepared);
            Work(once);
        }
        finally
        {
            Notify("#ops", TaskFinalStatus.Current);
        }
    }

    // KFP's own example: the exit task takes no status, and still runs after a failure.
    [Pipeline]
    public static void PlainExitPipeline()
    {
        var prepared = Prepare();
        try
        {
            Work(prepared);
        }
        finally
        {
            Say("exit");
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
    public static string Publish(double score) => $"published {score}";

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
}
