namespace PipelineSdk;

/// <summary>
/// Retries a failed step, waiting between attempts with exponential backoff: the first retry waits
/// <see cref="BackoffSeconds"/>, each later one <see cref="BackoffFactor"/> times longer, and no retry starts once
/// <see cref="MaxBackoffSeconds"/> have passed since the first attempt started (Kubeflow's <c>retryPolicy</c>,
/// as <c>task.set_retry(...)</c> writes it). Vertex AI honours it; the <c>local</c> and <c>local-process</c>
/// orchestrators retry the same way.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class RetryAttribute : Attribute
{
    /// <summary>Retries the step up to <paramref name="maxRetries"/> times after its first failed attempt.</summary>
    /// <param name="maxRetries">How many retries after the first attempt (0 or more).</param>
    public RetryAttribute(int maxRetries)
    {
        MaxRetries = maxRetries;
    }

    /// <summary>How many retries after the first attempt.</summary>
    public int MaxRetries { get; }

    /// <summary>Seconds to wait before the first retry (0 or more). Defaults to 0: retry at once.</summary>
    public int BackoffSeconds { get; set; }

    /// <summary>How much longer each wait is than the one before (1 or more). Defaults to 2.</summary>
    public double BackoffFactor { get; set; } = 2;

    /// <summary>
    /// Seconds after the first attempt started during which retries may start (1 to 3600, Kubeflow's limit).
    /// It also caps each single wait. Defaults to 3600.
    /// </summary>
    public int MaxBackoffSeconds { get; set; } = 3600;
}
