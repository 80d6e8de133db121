using PipelineSdk.Values;

namespace PipelineSdk.Model;

/// <summary>A pipeline parameter (a parameter of the <c>[Pipeline]</c> method).</summary>
/// <param name="Name">The parameter name, as in C#.</param>
/// <param name="Codec">Reads and writes the value.</param>
/// <param name="DefaultJson">The default value as canonical JSON, or <c>null</c> when the parameter is required.</param>
public sealed record PipelineParameter(string Name, ValueCodec Codec, string? DefaultJson)
{
    /// <summary>Whether the parameter may be omitted.</summary>
    public bool IsOptional => DefaultJson is not null;
}

/// <summary>A task: one call of a step in the pipeline body (a task in <c>root.dag.tasks</c>).</summary>
public sealed class PipelineTask
{
    /// <summary>Creates a task; called by generated code.</summary>
    public PipelineTask(string key, StepDescriptor step, IReadOnlyList<InputBinding> inputs, IReadOnlyList<string> dependsOn, bool enableCache)
    {
        Key = key;
        Step = step;
        Inputs = inputs;
        DependsOn = dependsOn;
        EnableCache = enableCache;
    }

    /// <summary>The task key, e.g. <c>get-first-num</c> (a second call of the same step: <c>get-first-num-2</c>).</summary>
    public string Key { get; }

    /// <summary>The step this task calls.</summary>
    public StepDescriptor Step { get; }

    /// <summary>One binding per step input, in the step's input order.</summary>
    public IReadOnlyList<InputBinding> Inputs { get; }

    /// <summary>Keys of the tasks that must finish first.</summary>
    public IReadOnlyList<string> DependsOn { get; }

    /// <summary>Whether the task may reuse cached outputs (the step's setting, else the pipeline's).</summary>
    public bool EnableCache { get; }
}

/// <summary>
/// A compiled pipeline: its parameters, tasks in a topological order, and its Kubeflow v2 spec.
/// Generated for every <c>[Pipeline]</c> method; run it with the generated runner or <see cref="Hosting.PipelineApp"/>.
/// </summary>
public sealed class PipelineDescriptor
{
    private readonly Dictionary<string, PipelineTask> _tasksByKey;

    /// <summary>Creates a descriptor; called by generated code.</summary>
    public PipelineDescriptor(string name, string methodName, IReadOnlyList<PipelineParameter> parameters, IReadOnlyList<PipelineTask> tasks, string specJson)
    {
        Name = name;
        MethodName = methodName;
        Parameters = parameters;
        Tasks = tasks;
        SpecJson = specJson;
        _tasksByKey = tasks.ToDictionary(t => t.Key, StringComparer.Ordinal);
    }

    /// <summary>The pipeline name, e.g. <c>vertex-example-pipeline</c>.</summary>
    public string Name { get; }

    /// <summary>The pipeline method's fully qualified name.</summary>
    public string MethodName { get; }

    /// <summary>The pipeline's parameters, in declaration order.</summary>
    public IReadOnlyList<PipelineParameter> Parameters { get; }

    /// <summary>The tasks, each after the tasks it depends on.</summary>
    public IReadOnlyList<PipelineTask> Tasks { get; }

    /// <summary>The Kubeflow v2 PipelineSpec as JSON (also written to <c>pipelines/&lt;name&gt;.json</c> at build time).</summary>
    public string SpecJson { get; }

    /// <summary>Finds a task by key.</summary>
    public PipelineTask? FindTask(string key) => _tasksByKey.GetValueOrDefault(key);
}
