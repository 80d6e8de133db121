namespace PipelineSdk.Descriptors;

/// <summary>
/// A step's settings from its attributes (<see cref="RetryAttribute"/>, <see cref="ResourcesAttribute"/>,
/// <see cref="EnvAttribute"/>, <see cref="StepAttribute.DisplayName"/>, <see cref="StepAttribute.Image"/>), as the
/// generated spec carries them. Generated code fills it in; local orchestrators honour what means something locally.
/// </summary>
public sealed record StepSettings
{
    /// <summary>No settings: no retries, no resources, no environment, the task key as display name, the program's image.</summary>
    public static StepSettings None { get; } = new();

    /// <summary>How failed attempts are retried, or <c>null</c> for no retries.</summary>
    public RetrySettings? Retry { get; init; }

    /// <summary>The compute the step's container asks for, or <c>null</c>. Only remote orchestrators act on it.</summary>
    public ResourceSettings? Resources { get; init; }

    /// <summary>Environment variables of the step's container, in declaration order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; } = [];

    /// <summary>The tasks' display name, or <c>null</c> for the task key.</summary>
    public string? DisplayName { get; init; }

    /// <summary>The container image that replaces the program's own image, or <c>null</c>.</summary>
    public string? Image { get; init; }

    /// <summary>How long one attempt may run (<see cref="StepAttribute.Timeout"/>), or <c>null</c> for no limit. The step program enforces it.</summary>
    public TimeSpan? Timeout { get; init; }
    /// <summary>For a <see cref="ContainerStepAttribute"/> step: the command it runs instead of C# code; otherwise <c>null</c>.</summary>
    public ContainerCommand? Container { get; init; }
}

/// <summary>
/// What a container step runs: the spec's <c>image</c>, <c>command</c> and <c>args</c> (with Kubeflow's placeholders, as the
/// executor carries them) and the command that stands in for <see cref="Command"/> on this machine.
/// </summary>
public sealed record ContainerCommand
{
    /// <summary>The container image.</summary>
    public required string Image { get; init; }

    /// <summary>The container's command.</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>The container's args.</summary>
    public required IReadOnlyList<string> Arguments { get; init; }

    /// <summary>The command run on this machine instead of <see cref="Command"/>, or null (the default) when the step runs only remotely.</summary>
    public IReadOnlyList<string>? LocalCommand { get; init; }
}

/// <summary>The compute a step's container asks for, as written in the attribute; every part is optional.</summary>
public sealed record ResourceSettings
{
    /// <summary>CPU limit (<c>"2"</c>, <c>"500m"</c>), or null.</summary>
    public string? Cpu { get; init; }

    /// <summary>Memory limit (<c>"8G"</c>, <c>"512Mi"</c>), or null.</summary>
    public string? Memory { get; init; }

    /// <summary>CPU request, or null.</summary>
    public string? CpuRequest { get; init; }

    /// <summary>Memory request, or null.</summary>
    public string? MemoryRequest { get; init; }

    /// <summary>Accelerator type, or null.</summary>
    public string? Accelerator { get; init; }

    /// <summary>Number of accelerators; 0 when there is no accelerator.</summary>
    public int AcceleratorCount { get; init; }
}

/// <summary>
/// Kubeflow's task retry policy: up to <see cref="MaxRetries"/> retries after the first attempt; the n-th retry
/// waits <c>Backoff × BackoffFactor^(n-1)</c>, capped at <see cref="MaxBackoff"/>.
/// </summary>
/// <param name="MaxRetries">Retries after the first attempt.</param>
/// <param name="Backoff">The wait before the first retry.</param>
/// <param name="BackoffFactor">How much longer each wait is than the one before.</param>
/// <param name="MaxBackoff">The longest single wait (Kubeflow's <c>backoffMaxDuration</c>).</param>
public sealed record RetrySettings(int MaxRetries, TimeSpan Backoff, double BackoffFactor, TimeSpan MaxBackoff)
{
    /// <summary>The wait before retry number <paramref name="retry"/> (1 for the first retry).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retry"/> is less than 1.</exception>
    public TimeSpan DelayBeforeRetry(int retry)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        var seconds = Backoff.TotalSeconds * Math.Pow(BackoffFactor, retry - 1);
        return double.IsFinite(seconds) && seconds < MaxBackoff.TotalSeconds ? TimeSpan.FromSeconds(seconds) : MaxBackoff;
    }
}
