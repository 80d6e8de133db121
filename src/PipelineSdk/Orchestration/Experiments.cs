using PipelineSdk.Descriptors;

namespace PipelineSdk.Orchestration;

/// <summary>Which experiment a run is recorded in, and which names an experiment may have (those Vertex AI accepts).</summary>
public static class Experiments
{
    /// <summary>The longest experiment name (Vertex AI's limit on a metadata context id).</summary>
    public const int MaxNameLength = 128;

    /// <summary>The experiment of a run of <paramref name="pipeline"/>: the run's choice, else the pipeline's attribute, else none.</summary>
    /// <exception cref="ArgumentException">The name is not one an experiment can have; the message says why.</exception>
    public static string? Of(PipelineDescriptor pipeline, RunOptions options)
    {
        var name = options.Experiment ?? pipeline.Experiment;
        return name is null || Problem(name) is not { } problem ? name : throw new ArgumentException($"experiment '{name}' {problem}");
    }

    /// <summary>Why <paramref name="name"/> cannot name an experiment, or null when it can.</summary>
    public static string? Problem(string name)
    {
        if (name.Length == 0 || name.Length > MaxNameLength)
        {
            return $"must have 1 to {MaxNameLength} characters";
        }

        return name[0] is (>= 'a' and <= 'z') or (>= '0' and <= '9') && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
            ? null
            : "may use only lower-case letters, digits and '-', and must start with a letter or digit (e.g. churn-model)";
    }
}
