namespace PipelineSdk.Tests;

/// <summary>Pipelines whose steps carry settings; the steps count their attempts in static probes.</summary>
public static class SettingsPipelines
{
    private static int s_attempts;

    /// <summary>How many attempts of <see cref="Flaky"/> fail before one succeeds.</summary>
    public static int FailuresBeforeSuccess { get; set; }

    public static int Attempts => Volatile.Read(ref s_attempts);

    public static void Reset(int failuresBeforeSuccess)
    {
        s_attempts = 0;
        FailuresBeforeSuccess = failuresBeforeSuccess;
    }

    [Step(EnableCache = false, DisplayName = "A flaky download")]
    [Retry(3, BackoffSeconds = 0)]
    public static int Flaky()
    {
        var attempt = Interlocked.Increment(ref s_attempts);
        return attempt <= FailuresBeforeSuccess ? throw new InvalidOperationException($"attempt {attempt} failed") : attempt;
    }

    [Step(EnableCache = false)]
    public static int AfterFlaky(int attempts) => attempts * 10;

    [Pipeline]
    public static void FlakyPipeline()
    {
        var attempts = Flaky();
        AfterFlaky(attempts);
    }
}
