using System.Reflection;
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
public sealed class PipelineTask : DagNode
{
    /// <summary>Creates a task; called by generated code.</summary>
    public PipelineTask(string key, StepDescriptor step, IReadOnlyList<InputBinding> inputs, IReadOnlyList<string> dependsOn, bool enableCache, string? exitHandlerOf = null)
        : base(key, dependsOn)
    {
        Step = step;
        Inputs = inputs;
        EnableCache = enableCache;
        ExitHandlerOf = exitHandlerOf;
    }

    /// <summary>
    /// For the step of a <c>finally</c> block: the key of its try block's exit handler, which it runs after whatever
    /// happened there (<c>ALL_UPSTREAM_TASKS_COMPLETED</c>); otherwise null.
    /// </summary>
    public string? ExitHandlerOf { get; }

    /// <summary>The step this task calls.</summary>
    public StepDescriptor Step { get; }

    /// <summary>One binding per step input, in the step's input order.</summary>
    public IReadOnlyList<InputBinding> Inputs { get; }

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
    private readonly HashSet<PipelineTask> _loopedTasks;
    private readonly Assembly? _specAssembly;
    private string? _specJson;

    /// <summary>Creates the descriptor of a pipeline whose body is a plain list of step calls.</summary>
    public PipelineDescriptor(string name, string methodName, IReadOnlyList<PipelineParameter> parameters, IReadOnlyList<PipelineTask> tasks, string specJson)
        : this(name, methodName, parameters, tasks, specJson, output: null)
    {
    }

    /// <summary>Creates a descriptor with its spec given as JSON.</summary>
    public PipelineDescriptor(string name, string methodName, IReadOnlyList<PipelineParameter> parameters, IReadOnlyList<DagNode> nodes, string specJson, InputBinding? output, ValueCodec? outputCodec = null)
        : this(name, methodName, parameters, nodes, output, outputCodec)
    {
        _specJson = specJson;
    }

    /// <summary>
    /// Creates a descriptor whose spec is the <see cref="PipelineSpecAttribute"/> of <paramref name="specAssembly"/> with the
    /// pipeline's name, read when first needed; called by generated code (the attribute is the spec's only copy in the assembly).
    /// </summary>
    public PipelineDescriptor(string name, string methodName, IReadOnlyList<PipelineParameter> parameters, IReadOnlyList<DagNode> nodes, Assembly specAssembly, InputBinding? output, ValueCodec? outputCodec = null)
        : this(name, methodName, parameters, nodes, output, outputCodec)
    {
        _specAssembly = specAssembly;
    }

    private PipelineDescriptor(string name, string methodName, IReadOnlyList<PipelineParameter> parameters, IReadOnlyList<DagNode> nodes, InputBinding? output, ValueCodec? outputCodec)
    {
        OutputCodec = outputCodec;
        Name = name;
        MethodName = methodName;
        Parameters = parameters;
        Nodes = nodes;
        Output = output;
        Tasks = [.. StepTasks(nodes)];
        _tasksByKey = Tasks.GroupBy(t => t.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        _loopedTasks = [.. LoopedTasks(nodes)];
    }

    /// <summary>The root DAG: step calls and blocks (conditions, loops, exit handlers, called pipelines).</summary>
    public IReadOnlyList<DagNode> Nodes { get; }

    /// <summary>Where the pipeline's returned value comes from; null when it returns nothing.</summary>
    public InputBinding? Output { get; }

    /// <summary>Reads the returned value (builds it, for a list collected by a loop).</summary>
    public ValueCodec? OutputCodec { get; }

    /// <summary>The pipeline name, e.g. <c>vertex-example-pipeline</c>.</summary>
    public string Name { get; }

    /// <summary>The pipeline method's fully qualified name.</summary>
    public string MethodName { get; }

    /// <summary>The pipeline's parameters, in declaration order.</summary>
    public IReadOnlyList<PipelineParameter> Parameters { get; }

    /// <summary>Every step call, in blocks and called pipelines too, each after the tasks it depends on.</summary>
    public IReadOnlyList<PipelineTask> Tasks { get; }

    /// <summary>The Kubeflow v2 PipelineSpec as JSON (also written to <c>pipelines/&lt;name&gt;.json</c> at build time).</summary>
    public string SpecJson => _specJson ??= PipelineSpecAttribute.Read(_specAssembly!, Name);

    /// <summary>
    /// The experiment the pipeline's runs are recorded in (<c>[Pipeline(Experiment = "churn")]</c>), unless a run names
    /// another (<c>--experiment</c>, <see cref="Orchestration.RunOptions.Experiment"/>); null for none.
    /// </summary>
    public string? Experiment { get; init; }

    /// <summary>Whether <paramref name="task"/> runs once per item of a loop around it.</summary>
    public bool RunsInLoop(PipelineTask task) => _loopedTasks.Contains(task);

    /// <summary>Finds a task by key.</summary>
    public PipelineTask? FindTask(string key) => _tasksByKey.GetValueOrDefault(key);

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
