using System.Collections.Concurrent;

namespace PipelineSdk.Tests;

/// <summary>Pipelines the runtime tests run; they record what the steps saw in static probes.</summary>
public static class TestPipelines
{
    public static readonly ConcurrentQueue<string> Started = new();
    public static readonly ConcurrentDictionary<string, int> Calls = new();
    private static int s_running;
    private static int s_maxRunning;

    public static bool BoomShouldFail { get; set; }

    public static int MaxRunning => s_maxRunning;

    public static void Reset()
    {
        Started.Clear();
        Calls.Clear();
        s_running = 0;
        s_maxRunning = 0;
        BoomShouldFail = false;
    }

    private static void Enter(string name)
    {
        Started.Enqueue(name);
        Calls.AddOrUpdate(name, 1, (_, n) => n + 1);
        var running = Interlocked.Increment(ref s_running);
        int max;
        while (running > (max = Volatile.Read(ref s_maxRunning)) && Interlocked.CompareExchange(ref s_maxRunning, running, max) != max)
        {
        }
    }

    private static void Leave() => Interlocked.Decrement(ref s_running);

    [Step]
    public static int First()
    {
        Enter(nameof(First));
        Leave();
        return 1;
    }

    [Step]
    public static int Second(int value)
    {
        Enter(nameof(Second));
        Leave();
        return value + 1;
    }

    [Step]
    public static string Third(int value)
    {
        Enter(nameof(Third));
        Leave();
        return $"third:{value}";
    }

    [Pipeline]
    public static void ChainPipeline()
    {
        var first = First();
        var second = Second(first);
        Third(second);
    }

    /// <summary>A step that only returns once another step is running at the same time.</summary>
    [Step(EnableCache = false)]
    public static int MeetLeft() => Meet(nameof(MeetLeft), 2);

    [Step(EnableCache = false)]
    public static int MeetRight() => Meet(nameof(MeetRight), 3);

    [Step(EnableCache = false)]
    public static int Join(int left, int right) => left * right;

    [Pipeline]
    public static void RendezvousPipeline()
    {
        var left = MeetLeft();
        var right = MeetRight();
        Join(left, right);
    }

    public static Barrier Rendezvous { get; set; } = new(2);

    private static int Meet(string name, int value)
    {
        Enter(name);
        try
        {
            if (!Rendezvous.SignalAndWait(Shared.ProcessResult.HangLimit))
            {
                throw new TimeoutException($"{name} never met its partner: steps did not run in parallel");
            }
        }
        finally
        {
            Leave();
        }

        return value;
    }

    [Step(EnableCache = false)]
    public static int Slow(int id)
    {
        Enter(nameof(Slow));
        Thread.Sleep(20);
        Leave();
        return id;
    }

    [Pipeline]
    public static void WidePipeline()
    {
        Slow(1);
        Slow(2);
        Slow(3);
        Slow(4);
    }

    [Step]
    public static int Stable() => Count(nameof(Stable), 7);

    [Step]
    public static int Boom(int value)
    {
        Count(nameof(Boom), 0);
        return BoomShouldFail ? throw new InvalidOperationException("boom on purpose\nsecond line") : value * 10;
    }

    [Step]
    public static int AfterBoom(int value) => Count(nameof(AfterBoom), value + 1);

    [Step]
    public static int Independent() => Count(nameof(Independent), 99);

    [Pipeline]
    public static void FailingPipeline()
    {
        var stable = Stable();
        var boomed = Boom(stable);
        AfterBoom(boomed);
        Independent();
    }

    [Step]
    public static string Describe(int count, string label, double ratio, List<string> tags) =>
        Count(nameof(Describe), $"{label}:{count}:{ratio.ToString(System.Globalization.CultureInfo.InvariantCulture)}:{string.Join('|', tags)}");

    [Step]
    public static List<string> Tags(Dictionary<string, int> weights) =>
        [.. weights.OrderBy(w => w.Key, StringComparer.Ordinal).Select(w => $"{w.Key}={w.Value}")];

    [Pipeline]
    public static void ParametersPipeline(Dictionary<string, int> weights, int count = 3, string label = "run", double ratio = 0.5)
    {
        var tags = Tags(weights);
        Describe(count, label, ratio, tags);
        Describe(1, "constant", 2, tags);
    }

    private static T Count<T>(string name, T result)
    {
        Calls.AddOrUpdate(name, 1, (_, n) => n + 1);
        return result;
    }
}
