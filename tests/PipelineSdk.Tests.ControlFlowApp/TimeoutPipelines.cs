using System.Globalization;
using PipelineSdk;

/// <summary>Step timeouts (<c>[Step(Timeout = ...)]</c>, <c>.WithTimeout(...)</c>): steps that sleep without looking at their cancellation token.</summary>
public static class TimeoutPipelines
{
    /// <summary>Sleeps, counting its attempts in a file: each retry gets the whole timeout again.</summary>
    [Step(Timeout = "1s", EnableCache = false)]
    [Retry(1)]
    public static int Sleepy(string folder, int milliseconds) => Nap(folder, "sleepy", milliseconds);

    [Step(EnableCache = false)]
    public static int Nap(string folder, string name, int milliseconds)
    {
        var counter = Path.Combine(folder, name + ".attempts");
        var attempt = (File.Exists(counter) ? int.Parse(File.ReadAllText(counter), CultureInfo.InvariantCulture) : 0) + 1;
        File.WriteAllText(counter, attempt.ToString(CultureInfo.InvariantCulture));
        Thread.Sleep(milliseconds);
        return attempt;
    }

    [Pipeline]
    public static void TimeoutPipeline(string folder, int milliseconds = 600_000)
    {
        Sleepy(folder, milliseconds);
        Nap(folder, "slow", milliseconds).WithTimeout("1s");
        Nap(folder, "fast", 10);
    }
}
