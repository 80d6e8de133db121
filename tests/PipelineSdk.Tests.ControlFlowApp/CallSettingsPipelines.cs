using System.Globalization;
using PipelineSdk;

/// <summary>
/// Settings of one call (<c>.WithEnv</c>, <c>.WithRetry</c>, <c>.WithCaching</c>) and ordering without data (<c>.After</c>):
/// steps report what they saw and leave marks in a folder, since each may run in a process of its own.
/// </summary>
public static class CallSettingsPipelines
{
    [Step]
    [Env("MODE", "default")]
    public static string Mode(string call) => call + ":" + Environment.GetEnvironmentVariable("MODE");

    /// <summary>Fails until it has been attempted <paramref name="failures"/> + 1 times, counting attempts in a file.</summary>
    [Step(EnableCache = false)]
    public static int Flaky(string folder, string name, int failures)
    {
        var counter = Path.Combine(folder, name + ".attempts");
        var attempt = (File.Exists(counter) ? int.Parse(File.ReadAllText(counter), CultureInfo.InvariantCulture) : 0) + 1;
        File.WriteAllText(counter, attempt.ToString(CultureInfo.InvariantCulture));
        return attempt <= failures ? throw new InvalidOperationException($"attempt {attempt} of '{name}' fails") : attempt;
    }

    [Step]
    public static string Stamp(string name) => name + ":" + Guid.NewGuid().ToString("N");

    /// <summary>Appends <paramref name="name"/> to the marks file, after waiting a little so a task that is not waited for would come first.</summary>
    [Step(EnableCache = false)]
    public static void Mark(string folder, string name, int delayMs)
    {
        Thread.Sleep(delayMs);
        File.AppendAllText(Path.Combine(folder, "marks"), name + "\n");
    }

    [Pipeline]
    public static string Stamped(string name) => Stamp(name);

    [Pipeline]
    public static void PerCallPipeline(string folder, string cpu = "2")
    {
        Mode("plain");
        Mode("large").WithEnv("MODE", "large").WithDisplayName("Mode (large)");
        Flaky(folder, "retried", 2).WithRetry(2);
        Flaky(folder, "once", 0);
        Flaky(folder, "sized", 0).WithResources(cpu: cpu, memory: "1G");
        Stamp("fresh").WithCaching(false);
        Stamp("kept");
        var first = StepCall.Of(() => Mark(folder, "first", 500));
        StepCall.Of(() => Mark(folder, "second", 0)).After(first);
        Stamped("inner-fresh").WithCaching(false);
        Stamped("inner-kept");
    }

    [Step(EnableCache = false)]
    public static int Gate(bool fail) => fail ? throw new InvalidOperationException("the gate is closed") : 1;

    /// <summary>Deterministic, for runs from the spec alone: a call's own environment, retries and display name, and After.</summary>
    [Pipeline]
    public static void PerCallSpecPipeline(bool fail = false)
    {
        Mode("plain");
        var large = Mode("large").WithEnv("MODE", "large").WithDisplayName("Mode (large)");
        var gate = Gate(fail).WithRetry(1);
        Mode("after-gate").After(gate, large);
    }
}
