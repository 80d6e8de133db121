using PipelineSdk;

/// <summary>
/// A pipeline whose second step holds until the test lets it go (or kills the program): crash-recovery tests kill the
/// program at a known moment with it. The held step writes its process id beside the gate file.
/// </summary>
public static class HoldPipeline
{
    /// <summary>The file whose existence lets the held step finish.</summary>
    public const string GateVariable = "HOLD_GATE";

    [Step(EnableCache = false)]
    public static int Before() => 1;

    [Step(EnableCache = false)]
    public static int Held(int value)
    {
        var gate = Environment.GetEnvironmentVariable(GateVariable) ?? throw new InvalidOperationException($"set {GateVariable}");
        File.WriteAllText(gate + ".pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        while (!File.Exists(gate))
        {
            Thread.Sleep(50);
        }

        return value + 1;
    }

    [Pipeline]
    public static void HoldingPipeline()
    {
        var value = Before();
        Held(value);
    }
}
