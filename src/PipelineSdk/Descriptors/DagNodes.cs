using PipelineSdk.Values;

namespace PipelineSdk.Descriptors;

/// <summary>
/// A node of a pipeline's DAG: a step call (<see cref="PipelineTask"/>), or a block of the pipeline body that
/// Kubeflow runs as a sub-DAG — a condition, a loop, an exit handler, or a call of another pipeline.
/// </summary>
/// <remarks>Built with object initializers, as generated code does: a new optional member breaks no existing code.</remarks>
public abstract class DagNode
{
    /// <summary>The task key in its DAG, e.g. <c>train</c> or <c>for-loop-2</c>.</summary>
    public required string Key { get; init; }

    /// <summary>Keys of the sibling nodes that must finish first (none by default).</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = [];
}

/// <summary>One branch of an <c>if</c>: its nodes run only when <see cref="Condition"/> holds (<c>triggerPolicy.condition</c>).</summary>
public sealed class ConditionNode : DagNode
{
    /// <summary>When the branch runs; for an <c>else if</c> or <c>else</c>, it includes the negations of the branches before.</summary>
    public required Condition Condition { get; init; }

    /// <summary>The branch's nodes.</summary>
    public required IReadOnlyList<DagNode> Nodes { get; init; }
}

/// <summary>An <c>if</c> with <c>else if</c> or <c>else</c> branches (<c>condition-branches-N</c>): at most one branch runs.</summary>
public sealed class BranchesNode : DagNode
{
    /// <summary>The branches in source order.</summary>
    public required IReadOnlyList<ConditionNode> Branches { get; init; }
}

/// <summary>A <c>foreach</c> (a ParallelFor): its nodes run once per item, iterations in parallel up to a limit.</summary>
public sealed class LoopNode : DagNode
{
    /// <summary>The list iterated over.</summary>
    public required InputBinding Items { get; init; }

    /// <summary>Reads one item (used for constant item lists).</summary>
    public required ValueCodec ItemCodec { get; init; }

    /// <summary>At most this many iterations run at once; null (the default) for no limit (<c>iteratorPolicy.parallelismLimit</c>).</summary>
    public int? ParallelismLimit { get; init; }

    /// <summary>The loop body's nodes.</summary>
    public required IReadOnlyList<DagNode> Nodes { get; init; }
}

/// <summary>The <c>try</c> block of a try/finally (an exit handler): the step in <c>finally</c> runs after it, whatever happened.</summary>
public sealed class ExitHandlerNode : DagNode
{
    /// <summary>The guarded nodes.</summary>
    public required IReadOnlyList<DagNode> Nodes { get; init; }
}

/// <summary>A call of another pipeline: its DAG runs with its own parameters, and its returned value is the call's <c>Output</c>.</summary>
public sealed class SubPipelineNode : DagNode
{
    /// <summary>The called pipeline's name.</summary>
    public required string PipelineName { get; init; }

    /// <summary>The called pipeline's parameters.</summary>
    public required IReadOnlyList<PipelineParameter> Parameters { get; init; }

    /// <summary>One binding per parameter, by name.</summary>
    public IReadOnlyList<InputBinding> Inputs { get; init; } = [];

    /// <summary>The called pipeline's nodes; their keys are its own.</summary>
    public required IReadOnlyList<DagNode> Nodes { get; init; }

    /// <summary>Where the returned value comes from inside the called pipeline; null (the default) when it returns nothing.</summary>
    public InputBinding? Output { get; init; }

    /// <summary>Reads the returned value (builds it, for a list collected by a loop).</summary>
    public ValueCodec? OutputCodec { get; init; }
}
