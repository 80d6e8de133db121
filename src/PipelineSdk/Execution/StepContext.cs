using System.Diagnostics.CodeAnalysis;
using PipelineSdk.Execution;
using PipelineSdk.Descriptors;
using PipelineSdk.Values;

namespace PipelineSdk;

/// <summary>
/// The step that is running, seen from inside it: <c>StepContext.Current.LogMetadata(new { accuracy = 0.93 })</c> records
/// metadata for the step run, the run (<see cref="MetadataTarget.Run"/>) or an output artifact
/// (<see cref="MetadataTarget.Artifact(string)"/>) — in this process, in a <c>local-process</c> step process and in a Vertex
/// AI container alike. Metadata is recorded when the step ends (also when it fails; an artifact's only when it is stored).
/// </summary>
/// <remarks>
/// Outside a running step (a step method called as plain C#, e.g. in a unit test) <see cref="Current"/> is a context of no run:
/// what is logged is kept in it and can be read back with <see cref="Logged(MetadataTarget?)"/>, so steps stay testable.
/// </remarks>
public sealed class StepContext
{
    /// <summary>Environment variable with the run's id, which the <c>local-process</c> orchestrator gives its step processes.</summary>
    internal const string RunIdVariable = "PIPELINES_RUN_ID";

    /// <summary>Environment variable with the task's key, which the <c>local-process</c> orchestrator gives its step processes.</summary>
    internal const string TaskKeyVariable = "PIPELINES_TASK_KEY";

    private static readonly AsyncLocal<StepContext?> Active = new();
    private readonly StepDescriptor? _step;

    private StepContext(string? runId, string? taskKey, StepDescriptor? step, LoggedMetadata metadata)
    {
        RunId = runId;
        TaskKey = taskKey;
        _step = step;
        Metadata = metadata;
    }

    /// <summary>The step that runs on this thread (and the tasks it awaits), or a context of no run outside a step.</summary>
    public static StepContext Current => Active.Value ??= new StepContext(null, null, null, new LoggedMetadata());

    /// <summary>The run's id, when it is known here (null in a context of no run, and in a step process that was not told it).</summary>
    public string? RunId { get; }

    /// <summary>The task's key in the run (e.g. <c>train-model</c>, or <c>train-model[2]</c> in a loop), when known.</summary>
    public string? TaskKey { get; }

    /// <summary>The step's name, or null outside a step.</summary>
    public string? StepName => _step?.Name;

    internal LoggedMetadata Metadata { get; }

    /// <summary>Makes a context current for the step that is about to be called on this async flow.</summary>
    internal static void Enter(string? runId, string? taskKey, StepDescriptor step, LoggedMetadata metadata) =>
        Active.Value = new StepContext(runId, taskKey, step, metadata);

    /// <summary>Logs one number.</summary>
    /// <exception cref="ArgumentException">The key is empty, the number is not finite, or the target names no artifact output of this step.</exception>
    public void LogMetadata(string key, double value, MetadataTarget? target = null) => Log(key, value, target);

    /// <summary>Logs one whole number.</summary>
    /// <exception cref="ArgumentException">The key is empty, or the target names no artifact output of this step.</exception>
    public void LogMetadata(string key, long value, MetadataTarget? target = null) => Log(key, value, target);

    /// <summary>Logs one string.</summary>
    /// <exception cref="ArgumentException">The key is empty, or the target names no artifact output of this step.</exception>
    public void LogMetadata(string key, string value, MetadataTarget? target = null) => Log(key, value, target);

    /// <summary>Logs one boolean.</summary>
    /// <exception cref="ArgumentException">The key is empty, or the target names no artifact output of this step.</exception>
    public void LogMetadata(string key, bool value, MetadataTarget? target = null) => Log(key, value, target);

    /// <summary>Logs one URI (kept as its text), e.g. where a report or a dashboard lives.</summary>
    /// <exception cref="ArgumentException">The key is empty, or the target names no artifact output of this step.</exception>
    public void LogMetadata(string key, Uri value, MetadataTarget? target = null) => Log(key, value, target);

    /// <summary>Logs one table.</summary>
    /// <exception cref="ArgumentException">The key is empty, or the target names no artifact output of this step.</exception>
    public void LogMetadata(string key, MetadataTable value, MetadataTarget? target = null) => Log(key, value, target);

    /// <summary>Logs a list (of numbers, strings, booleans, URIs or tables).</summary>
    /// <exception cref="ArgumentException">The key is empty, an item is of a type metadata cannot hold, or the target names no artifact output of this step.</exception>
    public void LogMetadata<TItem>(string key, IEnumerable<TItem> values, MetadataTarget? target = null) => Log(key, values, target);

    /// <summary>
    /// Logs each public property of <paramref name="values"/> (an anonymous object such as <c>new { accuracy = 0.93, model =
    /// "lightgbm" }</c>) or each entry of a string-keyed dictionary, as a key and its value.
    /// </summary>
    /// <exception cref="ArgumentException">A value is of a type metadata cannot hold, or the target names no artifact output of this step.</exception>
    public void LogMetadata<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(T values, MetadataTarget? target = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values is System.Collections.IDictionary dictionary)
        {
            foreach (System.Collections.DictionaryEntry entry in dictionary)
            {
                Log(entry.Key as string ?? throw new ArgumentException($"metadata keys are strings, not {entry.Key.GetType().Name}", nameof(values)), entry.Value, target);
            }

            return;
        }

        if (values is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            foreach (var (key, value) in pairs)
            {
                Log(key, value, target);
            }

            return;
        }

        foreach (var property in typeof(T).GetProperties().Where(p => p.GetIndexParameters().Length == 0))
        {
            Log(property.Name, property.GetValue(values), target);
        }
    }

    /// <summary>What was logged so far for <paramref name="target"/> (default: the step run), as a JSON object.</summary>
    public string Logged(MetadataTarget? target = null)
    {
        target ??= MetadataTarget.Step;
        return target.Kind switch
        {
            MetadataTargetKind.Run => Metadata.RunJson(),
            MetadataTargetKind.Step => Metadata.StepJson(),
            _ => Metadata.ArtifactMetadata(target.OutputName!)?.ToJsonString() ?? "{}",
        };
    }

    private void Log(string key, object? value, MetadataTarget? target)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        target ??= MetadataTarget.Step;
        if (target.Kind == MetadataTargetKind.Artifact && _step is not null
            && !_step.Outputs.Any(o => o.Name == target.OutputName && o.Codec.Kind == ValueKind.Artifact))
        {
            var artifacts = _step.Outputs.Where(o => o.Codec.Kind == ValueKind.Artifact).Select(o => $"'{o.Name}'").ToList();
            throw new ArgumentException($"step '{_step.Name}' has no artifact output '{target.OutputName}' to log metadata for; "
                + (artifacts.Count == 0 ? "it returns no artifact, so log for MetadataTarget.Step or MetadataTarget.Run" : $"its artifact outputs are {string.Join(", ", artifacts)}"));
        }

        Metadata.Set(target, key, MetadataValues.ToNode(value, $"metadata '{key}'"));
    }
}
