namespace PipelineSdk.Generators.Model;

// Cached with the step model: immutable and structurally equatable, like everything in Models.cs.

/// <summary>A step's <c>[Retry]</c>: retries after the first attempt and the backoff between them, in whole seconds.</summary>
internal sealed record RetryModel(int MaxRetries, int BackoffSeconds, double BackoffFactor, int MaxBackoffSeconds);

/// <summary>A step's <c>[Resources]</c>, as written (validated); <see cref="AcceleratorCount"/> is 0 without an accelerator.</summary>
internal sealed record ResourcesModel(string? Cpu, string? Memory, string? CpuRequest, string? MemoryRequest, string? Accelerator, int AcceleratorCount)
{
    /// <summary>The accelerator count as a pipeline channel placeholder, when a pipeline parameter gives it.</summary>
    public string? AcceleratorCountPlaceholder { get; init; }
}

/// <summary>One <c>[Env(name, value)]</c>.</summary>
internal sealed record EnvVarModel(string Name, string Value);

/// <summary>The settings of a step from its attributes, all optional.</summary>
internal sealed record StepSettingsModel(RetryModel? Retry, ResourcesModel? Resources, EquatableArray<EnvVarModel> Environment, string? DisplayName, string? Image)
{
    public static readonly StepSettingsModel None = new(null, null, EquatableArray<EnvVarModel>.Empty, null, null);

    /// <summary>How long one attempt may run, in whole seconds (<c>[Step(Timeout = "30m")]</c>); null for no limit.</summary>
    public int? TimeoutSeconds { get; init; }
    /// <summary>For a <c>[ContainerStep]</c>: what it runs instead of this program.</summary>
    public ContainerModel? Container { get; init; }

    public bool IsNone => Equals(None);
}
