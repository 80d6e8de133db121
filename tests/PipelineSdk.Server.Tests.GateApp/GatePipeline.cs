using PipelineSdk;

/// <summary>A pipeline that stops in its middle step until a file exists, so a test can act while the run is going.</summary>
public static class GatePipeline
{
    /// <summary>The first step: done at once.</summary>
    [Step(EnableCache = false)]
    public static int Before() => 1;

    /// <summary>Waits until <paramref name="gate"/> exists, then passes <paramref name="value"/> on.</summary>
    [Step(EnableCache = false)]
    public static int AtGate(int value, string gate)
    {
        while (!File.Exists(gate))
        {
            Thread.Sleep(50);
        }

        return value + 1;
    }

    /// <summary>The last step.</summary>
    [Step(EnableCache = false)]
    public static int After(int value) => value * 10;

    /// <summary>Before, then the gate, then after.</summary>
    [Pipeline]
    public static void Gated(string gate)
    {
        var before = Before();
        var passed = AtGate(before, gate);
        After(passed);
    }
}
