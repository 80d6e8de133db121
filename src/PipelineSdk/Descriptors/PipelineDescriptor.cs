using System.Reflection;
using PipelineSdk.Values;

namespace PipelineSdk.Descriptors;

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
public sealed class PipelineTask : DagNode
{
    /// <summary>
    /// For the step of a <c>finally</c> block: the key of its try block's exit handler, which it runs after whatever
    /// happened there (<c>ALL_UPSTREAM_TASKS_COMPLETED</c>); otherwise null (the default).
    /// </summary>
    public string? ExitHandlerOf { get; init; }

    /// <summary>The step this task calls.</summary>
    public required StepDescriptor Step { get; init; }

    /// <summary>One binding per step input, in the step's input order (none by default).</summary>
    public IReadOnlyList<InputBinding> Inputs { get; init; } = [];

    /// <summary>Whether the task may reuse cached outputs (the step's setting, else the pipeline's).</summary>
    public required bool EnableCache { get; init; }
}

/// <summary>
/// A compiled pipeline: its parameters, tasks in a topological order, and its Kubeflow v2 spec.
/// Generated for every <c>[Pipeline]</c> method; run it with the generated runner or <see cref="Hosting.PipelineApp"/>.
/// </summary>
/// <remarks>
/// Built with an object initializer, as generated code does, so a new optional member breaks no existing code. The spec is
/// given either as <see cref="SpecJson"/> or as the <see cref="SpecAssembly"/> that carries it.
/// </remarks>
public sealed class PipelineDescriptor
{
    private string? _specJson;
    private IReadOnlyList<PipelineTask>? _tasks;
    private Dictionary<string, PipelineTask>? _tasksByKey;
    private HashSet<PipelineTask>? _loopedTasks;

    /// <summary>The root DAG: step calls and blocks (conditions, loops, exit handlers, called pipelines).</summary>
    public required IReadOnlyList<DagNode> Nodes { get; init; }

    /// <summary>Where the pipeline's returned value comes from; null (the default) when it returns nothing.</summary>
    public InputBinding? Output { get; init; }

    /// <summary>Reads the returned value (builds it, for a list collected by a loop).</summary>
    public ValueCodec? OutputCodec { get; init; }

    /// <summary>The pipeline name, e.g. <c>vertex-example-pipeline</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The pipeline method's fully qualified name.</summary>
    public required string MethodName { get; init; }

    /// <summary>The pipeline's parameters, in declaration order.</summary>
    public required IReadOnlyList<PipelineParameter> Parameters { get; init; }

    /// <summary>Every step call, in blocks and called pipelines too, each after the tasks it depends on.</summary>
    public IReadOnlyList<PipelineTask> Tasks => _tasks ??= [.. StepTasks(Nodes)];

    /// <summary>
    /// The Kubeflow v2 PipelineSpec as JSON (also written to <c>pipelines/&lt;name&gt;.json</c> at build time). Unless given,
    /// it is read from <see cref="SpecAssembly"/> when first needed.
    /// </summary>
    /// <exception cref="InvalidOperationException">Neither the spec nor <see cref="SpecAssembly"/> was given.</exception>
    public string SpecJson
    {
        get => _specJson ??= PipelineSpecAttribute.Read(
            SpecAssembly ?? throw new InvalidOperationException($"Pipeline '{Name}' was built with neither {nameof(SpecJson)} nor {nameof(SpecAssembly)}."),
            Name);
        init => _specJson = value;
    }

    /// <summary>
    /// The assembly whose <see cref="PipelineSpecAttribute"/> with the pipeline's name holds <see cref="SpecJson"/>; set by
    /// generated code (the attribute is the spec's only copy in the assembly), null when the spec is given as JSON.
    /// </summary>
    public Assembly? SpecAssembly { get; init; }

    /// <summary>
    /// The experiment the pipeline's runs are recorded in (<c>[Pipeline(Experiment = "churn")]</c>), unless a run names
    /// another (<c>--experiment</c>, <see cref="Orchestration.RunOptions.Experiment"/>); null for none.
    /// </summary>
    public string? Experiment { get; init; }

    /// <summary>Whether <paramref name="task"/> runs once per item of a loop around it.</summary>
    public bool RunsInLoop(PipelineTask task) => (_loopedTasks ??= [.. LoopedTasks(Nodes)]).Contains(task);

    /// <summary>Finds a task by key.</summary>
    public PipelineTask? FindTask(string key) =>
        (_tasksByKey ??= Tasks.GroupBy(t => t.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal))
        .GetValueOrDefault(key);

    private static IEnumerable<PipelineTask> LoopedTasks(IEnumerable<DagNode> nodes) => nodes.SelectMany(node => node switch
    {
        LoopNode loop => StepTasks(loop.Nodes),
        ConditionNode condition => LoopedTasks(condition.Nodes),
        BranchesNode branches => LoopedTasks(branches.Branches),
        ExitHandlerNode guarded => LoopedTasks(guarded.Nodes),
        SubPipelineNode call => LoopedTasks(call.Nodes),
        _ => [],
    });

    private static IEnumerable<PipelineTask> StepTasks(IEnumerable<DagNode> nodes) => nodes.SelectMany(node => node switch
    {
        PipelineTask task => [task],
        ConditionNode condition => StepTasks(condition.Nodes),
        BranchesNode branches => StepTasks(branches.Branches),
        LoopNode loop => StepTasks(loop.Nodes),
        ExitHandlerNode guarded => StepTasks(guarded.Nodes),
        SubPipelineNode call => StepTasks(call.Nodes),
        _ => [],
    });
}
