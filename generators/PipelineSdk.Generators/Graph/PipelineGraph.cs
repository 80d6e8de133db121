using System.Collections.Generic;
using System.Linq;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Graph;

/// <summary>A component: one step method (an executor) or one called pipeline (a DAG), however many times it is called.</summary>
/// <param name="Name">The name without prefix, e.g. <c>get-first-num</c>.</param>
/// <param name="Step">The step, or the called pipeline's interface.</param>
/// <param name="Dag">For a called pipeline: its DAG; null for a step.</param>
internal sealed record ComponentNode(string Name, StepModel Step, DagGraph? Dag)
{
    public string Key => "comp-" + Name;

    public string ExecutorLabel => "exec-" + Name;
}

/// <summary>A task: one call, with its key, component and the sibling tasks or groups it waits for.</summary>
/// <param name="ResultProperty">The property of the typed run result that reads its outputs; null when there is none.</param>
/// <param name="Scope">The scope the task is in (index in the pipeline's scopes).</param>
/// <param name="Guards">For the step of a finally block: the scope of its try block; otherwise -1.</param>
internal sealed record TaskNode(string Key, int Component, EquatableArray<ArgumentModel> Arguments, EquatableArray<string> DependsOn, bool EnableCache, string? ResultProperty, int Scope, int Guards)
{
    /// <summary>Pipeline parameters the task's settings read when it starts (see <see cref="CallModel.SettingInputs"/>).</summary>
    public EquatableArray<ArgumentModel> SettingInputs { get; init; } = EquatableArray<ArgumentModel>.Empty;
}

/// <summary>A block of the body as a task of its enclosing DAG (<c>condition-2</c>, <c>for-loop-1</c>, ...).</summary>
/// <param name="ComponentName">Its DAG component's name without prefix: the key, made unique across the whole spec (a called pipeline has blocks of its own).</param>
internal sealed record GroupNode(string Key, EquatableArray<string> DependsOn, string ComponentName);

/// <summary>One pipeline's DAG — the root, or a pipeline called by another — with every Kubeflow name assigned.</summary>
/// <param name="Groups">One per scope; the root's entry is unused.</param>
internal sealed record DagGraph(PipelineModel Pipeline, EquatableArray<TaskNode> Tasks, EquatableArray<GroupNode> Groups)
{
    public ScopeModel Scope(int index) => Pipeline.Scopes[index];

    /// <summary>
    /// Where a value consumed in <paramref name="consumer"/> comes from, seen from there: the scope the value lives in (the
    /// producer's, the loop's for a loop item, the loop's parent for collected outputs, the root for parameters and
    /// constants) and the producing task or group key when it is one.
    /// </summary>
    public (int Scope, string? Producer) Origin(ArgumentModel value) => value.Source switch
    {
        ArgumentSource.TaskOutput => (Tasks[value.Call].Scope, Tasks[value.Call].Key),
        ArgumentSource.Collected => (Scope(Tasks[value.Call].Scope).Parent, Groups[Tasks[value.Call].Scope].Key),
        ArgumentSource.LoopItem => (value.Scope, null),
        ArgumentSource.FinalStatus => (Scope(value.Scope).Parent, Groups[value.Scope].Key),
        ArgumentSource.OneOf => (Scope(Pipeline.OneOfs[value.OneOf].Group).Parent, Groups[Pipeline.OneOfs[value.OneOf].Group].Key),
        _ => (0, null),
    };

    /// <summary>
    /// The scopes a value crosses on its way from where it lives to <paramref name="consumer"/>: each declares it as an input
    /// (a <c>pipelinechannel--</c> parameter or artifact). Innermost first.
    /// </summary>
    public List<int> Crossed(int consumer, ArgumentModel value)
    {
        var crossed = new List<int>();
        if (value.Source is ArgumentSource.Constant or ArgumentSource.FinalStatus)
        {
            return crossed;
        }

        var origin = Origin(value).Scope;
        for (var s = consumer; s != origin && s > 0; s = Scope(s).Parent)
        {
            crossed.Add(s);
        }

        return crossed;
    }

    /// <summary>The key of the task or group in <paramref name="consumer"/>'s chain that sits next to the producer and must wait for it.</summary>
    public string? Waiter(int consumer, ArgumentModel value, string? consumerTask)
    {
        var (origin, producer) = Origin(value);
        if (producer is null)
        {
            return null;
        }

        if (consumer == origin)
        {
            return consumerTask;
        }

        var s = consumer;
        while (s > 0 && Scope(s).Parent != origin)
        {
            s = Scope(s).Parent;
        }

        return s > 0 ? Groups[s].Key : null;
    }
}

/// <summary>The pipeline as a graph with every Kubeflow name assigned. Built by pure code, no Roslyn types.</summary>
/// <param name="Components">Every component of the spec: the root's steps and those of called pipelines, and the called pipelines.</param>
internal sealed record PipelineGraph(PipelineModel Pipeline, EquatableArray<ComponentNode> Components, DagGraph Root)
{
    public bool CanEmit => !Pipeline.HasErrors && Tasks.Count > 0;

    /// <summary>The root pipeline's tasks, in every scope.</summary>
    public EquatableArray<TaskNode> Tasks => Root.Tasks;
}

/// <summary>Assigns component and task keys the way the KFP compiler does and derives dependencies.</summary>
internal static class PipelineGraphBuilder
{
    public static PipelineGraph Build(PipelineModel pipeline)
    {
        if (pipeline.HasErrors || pipeline.Calls.Count == 0)
        {
            return new PipelineGraph(pipeline, EquatableArray<ComponentNode>.Empty, new DagGraph(pipeline, EquatableArray<TaskNode>.Empty, EquatableArray<GroupNode>.Empty));
        }

        var naming = new TaskNames();
        var dags = new Dictionary<int, DagGraph>();
        var root = BuildDag(pipeline, naming, dags);
        var components = naming.Components.Select((c, i) => new ComponentNode(c.Name, c.Step, dags.TryGetValue(i, out var dag) ? dag : null));
        return new PipelineGraph(pipeline, components.ToEquatableArray(), root);
    }

    /// <summary>
    /// Builds one pipeline's DAG; components are shared by the whole spec, so a step called anywhere has one.
    /// <paramref name="dags"/> holds the DAG of each called pipeline's component (by component index).
    /// </summary>
    private static DagGraph BuildDag(PipelineModel pipeline, TaskNames naming, Dictionary<int, DagGraph> dags)
    {
        var groupKeys = GroupKeys(pipeline.Scopes);
        var names = naming.Assign(pipeline.Calls, new HashSet<string>(groupKeys.Where(k => k.Length > 0)));
        for (var i = 0; i < pipeline.Calls.Count; i++)
        {
            if (pipeline.Calls[i].Pipeline is { } inner && !dags.ContainsKey(names.ComponentOfCall[i]))
            {
                dags[names.ComponentOfCall[i]] = BuildDag(inner, naming, dags);
            }
        }

        var groupComponents = groupKeys.Select(k => k.Length == 0 ? "" : naming.UniqueComponentName(k)).ToList();

        // Keys first, dependencies after: a dependency may point at a group or a later-named task.
        var tasks = pipeline.Calls.Select((call, i) => new TaskNode(
            names.TaskKeys[i], names.ComponentOfCall[i], call.Arguments, EquatableArray<string>.Empty,
            call.Step.EnableCache ?? pipeline.EnableCache ?? true,
            IsInLoop(pipeline.Scopes, call.Scope) ? null : names.ResultProperties[i], call.Scope, call.Guards) { SettingInputs = call.SettingInputs }).ToList();
        var groups = groupKeys.Select((k, i) => new GroupNode(k, EquatableArray<string>.Empty, groupComponents[i])).ToList();
        var shell = new DagGraph(pipeline, tasks.ToEquatableArray(), groups.ToEquatableArray());

        var waits = new Dictionary<string, SortedSet<string>>();
        void Wait(string? waiter, string? producer)
        {
            if (waiter is not null && producer is not null && waiter != producer)
            {
                if (!waits.TryGetValue(waiter, out var set))
                {
                    waits[waiter] = set = new SortedSet<string>(System.StringComparer.Ordinal);
                }

                set.Add(producer);
            }
        }

        foreach (var (consumer, value, task) in Consumptions(shell))
        {
            Wait(shell.Waiter(consumer, value, task), shell.Origin(value).Producer);
        }

        // `.After(...)`: ordering without data, waited for like a consumed output.
        for (var i = 0; i < pipeline.Calls.Count; i++)
        {
            foreach (var producer in pipeline.Calls[i].After)
            {
                var value = ArgumentModel.TaskOutput("", producer, null);
                Wait(shell.Waiter(tasks[i].Scope, value, tasks[i].Key), shell.Origin(value).Producer);
            }
        }

        // The step of a finally block waits for the whole try block, whatever its outcome.
        foreach (var task in tasks.Where(t => t.Guards >= 0))
        {
            Wait(task.Key, groups[task.Guards].Key);
        }

        EquatableArray<string> DependsOn(string key) => waits.TryGetValue(key, out var set) ? set.ToEquatableArray() : EquatableArray<string>.Empty;
        return new DagGraph(
            pipeline,
            tasks.Select(t => t with { DependsOn = DependsOn(t.Key) }).ToEquatableArray(),
            groups.Select(g => g with { DependsOn = g.Key.Length == 0 ? EquatableArray<string>.Empty : DependsOn(g.Key) }).ToEquatableArray());
    }

    /// <summary>Every value the DAG consumes: the scope that consumes it, the value, and the consuming task (null for a group's own use).</summary>
    public static IEnumerable<(int Consumer, ArgumentModel Value, string? Task)> Consumptions(DagGraph dag)
    {
        foreach (var task in dag.Tasks)
        {
            foreach (var argument in task.Arguments.Concat(task.SettingInputs))
            {
                yield return (task.Scope, argument, task.Key);
            }
        }

        for (var s = 1; s < dag.Pipeline.Scopes.Count; s++)
        {
            var scope = dag.Pipeline.Scopes[s];
            if (scope.Loop is { } loop)
            {
                yield return (s, loop.Items, null);
            }

            foreach (var value in Values(scope.Condition))
            {
                yield return (s, value, null);
            }
        }

        if (dag.Pipeline.Output is { } output)
        {
            yield return (0, output.Source, null);
        }
    }

    /// <summary>The values a condition compares, constants included.</summary>
    public static IEnumerable<ArgumentModel> Values(ConditionModel? condition) =>
        condition is null ? Enumerable.Empty<ArgumentModel>() : condition.Values.Concat(condition.Operands.SelectMany(Values));

    private static bool IsInLoop(EquatableArray<ScopeModel> scopes, int scope)
    {
        for (var s = scope; s >= 0; s = scopes[s].Parent)
        {
            if (scopes[s].Kind == ScopeKind.Loop)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>KFP's group names: one counter for all groups, in the order they appear.</summary>
    private static List<string> GroupKeys(EquatableArray<ScopeModel> scopes)
    {
        var keys = new List<string> { "" };
        for (var i = 1; i < scopes.Count; i++)
        {
            var prefix = scopes[i].Kind switch
            {
                ScopeKind.Branches => "condition-branches-",
                ScopeKind.Condition => "condition-",
                ScopeKind.Loop => "for-loop-",
                _ => "exit-handler-",
            };
            keys.Add(prefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return keys;
    }
}
