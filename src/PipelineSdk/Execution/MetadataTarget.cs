namespace PipelineSdk;

/// <summary>What <see cref="StepContext.LogMetadata(string, double, MetadataTarget?)"/> attaches metadata to.</summary>
public enum MetadataTargetKind
{
    /// <summary>The step run that logs it (the default).</summary>
    Step,

    /// <summary>The whole run: what <c>pipelines runs list --where</c> filters on and <c>experiments compare</c> lines up.</summary>
    Run,

    /// <summary>One of the step's output artifacts: kept with the artifact and written into the ExecutorOutput, where Vertex AI shows it.</summary>
    Artifact,
}

/// <summary>
/// Where logged metadata goes: <see cref="Step"/> (the default), <see cref="Run"/>, or <see cref="Artifact(string)"/> for one
/// of the step's artifact outputs, e.g. <c>StepContext.Current.LogMetadata(new { auc = 0.91 }, MetadataTarget.Artifact("Model"))</c>.
/// </summary>
public sealed record MetadataTarget
{
    private MetadataTarget(MetadataTargetKind kind, string? outputName)
    {
        Kind = kind;
        OutputName = outputName;
    }

    /// <summary>The step run that logs it.</summary>
    public static MetadataTarget Step { get; } = new(MetadataTargetKind.Step, null);

    /// <summary>The run the step belongs to.</summary>
    public static MetadataTarget Run { get; } = new(MetadataTargetKind.Run, null);

    /// <summary>What this target is.</summary>
    public MetadataTargetKind Kind { get; }

    /// <summary>For <see cref="MetadataTargetKind.Artifact"/>, the step output it names.</summary>
    public string? OutputName { get; }

    /// <summary>
    /// The artifact the step returns as output <paramref name="outputName"/> (<c>Output</c> for a single return value, else the
    /// tuple element's name).
    /// </summary>
    public static MetadataTarget Artifact(string outputName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputName);
        return new(MetadataTargetKind.Artifact, outputName);
    }

    /// <inheritdoc />
    public override string ToString() => Kind == MetadataTargetKind.Artifact ? $"artifact '{OutputName}'" : Kind.ToString().ToLowerInvariant();
}
