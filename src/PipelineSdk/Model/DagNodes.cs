using PipelineSdk.Values;

namespace PipelineSdk.Model;

/// <summary>
/// A node of a pipeline's DAG: a step call (<see cref="PipelineTask"/>), or a block of the pipeline body that
/// Kubeflow runs as a sub-DAG — a condition, a loop, an exit handler, or a call of another pipeline.
/// </summary>
public abstract class DagNode
{
    /// <summary>Creates a node; called by generated code.</summary>
    protected DagNode(string key, IReadOnlyList<string> dependsOn)
    {
        Key = key;
        DependsOn = dependsOn;
    }

    /// <summary>The task key in its DAG, e.g. <c>train</c> or <c>for-loop-2</c>.</summary>
    public string Key { get; }

    /// <summary>Keys of the sibling nodes that must finish first.</summary>
    public IReadOnlyList<string> DependsOn { get; }
}

/// <summary>One branch of an <c>if</c>: its nodes run only when <see cref="Condition"/> holds (<c>triggerPolicy.condition</c>).</summary>
public sealed class ConditionNode : DagNode
{
    /// <summary>Creates a branch; called by generated code.</summary>
    public ConditionNode(string key, IReadOnlyList<string> dependsOn, Condition condition, IReadOnlyList<DagNode> nodes)
        : base(key, dependsOn)
    {
        Condition = condition;
        Nodes = nodes;
    }

    /// <summary>When the branch runs; for an <c>else if</c> or <c>else</c>, it includes the negations of the branches before.</summary>
    public Condition Condition { get; }

    /// <summary>The branch's nodes.</summary>
    public IReadOnlyList<DagNode> Nodes { get; }
}

/// <summary>An <c>if</c> with <c>else if</c> or <c>else</c> branches (<c>condition-branches-N</c>): at most one branch runs.</summary>
public sealed class BranchesNode : DagNode
{
    /// <summary>Creates the group; called by generated code.</summary>
    public BranchesNode(string key, IReadOnlyList<string> dependsOn, IReadOnlyList<ConditionNode> branches)
        : base(key, dependsOn)
    {
        Branches = branches;
    }

    /// <summary>The branches in source order.</summary>
    public IReadOnlyList<ConditionNode> Branches { get; }
}

/// <summary>A <c>foreach</c> (a ParallelFor): its nodes run once per item, iterations in parallel up to a limit.</summary>
public sealed class LoopNode : DagNode
{
    /// <summary>Creates a loop; called by generated code.</summary>
    public LoopNode(string key, IReadOnlyList<string> dependsOn, InputBinding items, ValueCodec itemCodec, int? parallelismLimit, IReadOnlyList<DagNode> nodes)
        : base(key, dependsOn)
    {
        Items = items;
        ItemCodec = itemCodec;
        ParallelismLimit = parallelismLimit;
        Nodes = nodes;
    }

    /// <summary>The list iterated over.</summary>
    public InputBinding Items { get; }

    /// <summary>Reads one item (used for constant item lists).</summary>
    public ValueCodec ItemCodec { get; }

    /// <summary>At most this many iterations run at once; null for no limit (<c>iteratorPolicy.parallelismLimit</c>).</summary>
    public int? ParallelismLimit { get; }

    /// <summary>The loop body's nodes.</summary>
    public IReadOnlyList<DagNode> Nodes { get; }
}

/// <summary>The <c>try</c> block of a try/finally (an exit handler): the step in <c>finally</c> runs after it, whatever happened.</summary>
public sealed class ExitHandlerNode : DagNode
{
    /// <summary>Creates the group; called by generated code.</summary>
    public ExitHandlerNode(string key, IReadOnlyList<string> dependsOn, IReadOnlyList<DagNode> nodes)
        : base(key, dependsOn)
    {
        Nodes = nodes;
    }

    /// <summary>The guarded nodes.</summary>
    public IReadOnlyList<DagNode> Nodes { get; }
}

/// <summary>A call of another pipeline: its DAG runs with its own parameters, and its returned value is the call's <c>Output</c>.</summary>
public sealed class SubPipelineNode : DagNode
{
    /// <summary>Creates the call; called by generated code.</summary>
    public SubPipelineNode(string key, IReadOnlyList<string> dependsOn, string pipelineName, IReadOnlyList<PipelineParameter> parameters, IReadOnlyList<InputBinding> inputs, IReadOnlyList<DagNode> nodes, InputBinding? output, ValueCodec? outputCodec = null)
        : base(key, dependsOn)
    {
        OutputCodec = outputCodec;
        PipelineName = pipelineName;
        Parameters = parameters;
        Inputs = inputs;
        Nodes = nodes;
        Output = output;
    }

    /// <summary>The called pipeline's name.</summary>
    public string PipelineName { get; }

    /// <summary>The called pipeline's parameters.</summary>
    public IReadOnlyList<PipelineParameter> Parameters { get; }

    /// <summary>One binding per parameter, by name.</summary>
    public IReadOnlyList<InputBinding> Inputs { get; }

    /// <summary>The called pipeline's nodes; their keys are its own.</summary>
    public IReadOnlyList<DagNode> Nodes { get; }

    /// <summary>Where the returned value comes from inside the called pipeline; null when it returns nothing.</summary>
    public InputBinding? Output { get; }

    /// <summary>Reads the returned value (builds it, for a list collected by a loop).</summary>
    public ValueCodec? OutputCodec { get; }
}
