using System.Collections.Generic;
using System.Linq;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Graph;

/// <summary>A component: one step method, however many times it is called.</summary>
/// <param name="Name">The name without prefix, e.g. <c>get-first-num</c>.</param>
internal sealed record ComponentNode(string Name, StepModel Step)
{
    public string Key => "comp-" + Name;

    public string ExecutorLabel => "exec-" + Name;
}

/// <summary>A task: one call, with its key, component and the tasks whose outputs it consumes.</summary>
internal sealed record TaskNode(string Key, int Component, EquatableArray<ArgumentModel> Arguments, EquatableArray<string> DependsOn, bool EnableCache);

/// <summary>The pipeline as a graph with every Kubeflow name assigned. Built by pure code, no Roslyn types.</summary>
internal sealed record PipelineGraph(PipelineModel Pipeline, EquatableArray<ComponentNode> Components, EquatableArray<TaskNode> Tasks)
{
    public bool CanEmit => Pipeline.Diagnostics.Count == 0 && Tasks.Count > 0;
}

/// <summary>Assigns component and task keys the way the KFP compiler does and derives dependencies.</summary>
internal static class PipelineGraphBuilder
{
    public static PipelineGraph Build(PipelineModel pipeline)
    {
        if (pipeline.Diagnostics.Count > 0 || pipeline.Calls.Count == 0)
        {
            return new PipelineGraph(pipeline, EquatableArray<ComponentNode>.Empty, EquatableArray<TaskNode>.Empty);
        }

        var components = new List<ComponentNode>();
        var componentOfStep = new Dictionary<string, int>();
        var usedComponentNames = new HashSet<string>();
        var usedTaskKeys = new HashSet<string>();
        var tasks = new List<TaskNode>();
        foreach (var call in pipeline.Calls)
        {
            if (!componentOfStep.TryGetValue(call.Step.MethodDisplayName, out var component))
            {
                component = components.Count;
                components.Add(new ComponentNode(Unique(call.Step.ComponentName, usedComponentNames), call.Step));
                componentOfStep[call.Step.MethodDisplayName] = component;
            }

            var key = Unique(components[component].Name, usedTaskKeys);
            var dependsOn = call.Arguments
                .Where(a => a.Source == ArgumentSource.TaskOutput)
                .Select(a => tasks[a.ProducerCall].Key)
                .Distinct()
                .OrderBy(k => k, System.StringComparer.Ordinal)
                .ToEquatableArray();
            var enableCache = call.Step.EnableCache ?? pipeline.EnableCache ?? true;
            tasks.Add(new TaskNode(key, component, call.Arguments, dependsOn, enableCache));
        }

        return new PipelineGraph(pipeline, components.ToEquatableArray(), tasks.ToEquatableArray());
    }

    /// <summary><c>name</c>, else <c>name-2</c>, <c>name-3</c>, ... — the KFP compiler's scheme.</summary>
    private static string Unique(string name, HashSet<string> used)
    {
        var candidate = name;
        for (var i = 2; !used.Add(candidate); i++)
        {
            candidate = name + "-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return candidate;
    }
}
