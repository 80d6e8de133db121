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
/// <param name="ResultProperty">The property of the typed run result that reads its outputs; null when the step returns nothing.</param>
internal sealed record TaskNode(string Key, int Component, EquatableArray<ArgumentModel> Arguments, EquatableArray<string> DependsOn, bool EnableCache, string? ResultProperty);

/// <summary>The pipeline as a graph with every Kubeflow name assigned. Built by pure code, no Roslyn types.</summary>
internal sealed record PipelineGraph(PipelineModel Pipeline, EquatableArray<ComponentNode> Components, EquatableArray<TaskNode> Tasks)
{
    public bool CanEmit => !Pipeline.HasErrors && Tasks.Count > 0;
}

/// <summary>Two names that would be the same in the generated spec or code; <see cref="Call"/> is the call that loses.</summary>
internal sealed record NameCollision(int Call, string What, string Fix);

/// <summary>The Kubeflow and C# names of a pipeline's calls, and the collisions between them.</summary>
internal sealed record AssignedNames(List<ComponentNode> Components, List<int> ComponentOfCall, List<string> TaskKeys, List<string?> ResultProperties, List<NameCollision> Collisions);

/// <summary>Assigns component and task keys the way the KFP compiler does and derives dependencies.</summary>
internal static class PipelineGraphBuilder
{
    /// <summary>Members of the generated run result (and the result class itself) that a task property must not take.</summary>
    private static readonly HashSet<string> ReservedResultMembers = new()
    {
        "Result", "RunId", "Pipeline", "Status", "Duration", "StoreDirectory", "ArtifactDirectory", "Steps", "GetOutput", "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize",
    };

    public static PipelineGraph Build(PipelineModel pipeline)
    {
        if (pipeline.HasErrors || pipeline.Calls.Count == 0)
        {
            return new PipelineGraph(pipeline, EquatableArray<ComponentNode>.Empty, EquatableArray<TaskNode>.Empty);
        }

        var names = AssignNames(pipeline.Calls);
        var tasks = new List<TaskNode>();
        for (var i = 0; i < pipeline.Calls.Count; i++)
        {
            var call = pipeline.Calls[i];
            var dependsOn = call.Arguments
                .Where(a => a.Source == ArgumentSource.TaskOutput)
                .Select(a => names.TaskKeys[a.ProducerCall])
                .Distinct()
                .OrderBy(k => k, System.StringComparer.Ordinal)
                .ToEquatableArray();
            var enableCache = call.Step.EnableCache ?? pipeline.EnableCache ?? true;
            tasks.Add(new TaskNode(names.TaskKeys[i], names.ComponentOfCall[i], call.Arguments, dependsOn, enableCache, names.ResultProperties[i]));
        }

        return new PipelineGraph(pipeline, names.Components.ToEquatableArray(), tasks.ToEquatableArray());
    }

    /// <summary>
    /// Names every component, task and result property. Two different steps with one component name, or two tasks
    /// whose result properties coincide (<c>load-2</c> and <c>load2</c> both read as <c>Load2</c>), are collisions:
    /// the names stay unique, but they would not be the ones the user asked for.
    /// </summary>
    public static AssignedNames AssignNames(IReadOnlyList<CallModel> calls)
    {
        var components = new List<ComponentNode>();
        var componentOfStep = new Dictionary<string, int>();
        var componentOfCall = new List<int>();
        var stepOfComponentName = new Dictionary<string, StepModel>();
        var usedTaskKeys = new HashSet<string>();
        var taskKeys = new List<string>();
        var properties = new List<string?>();
        var taskOfProperty = new Dictionary<string, string>();
        var collisions = new List<NameCollision>();
        for (var i = 0; i < calls.Count; i++)
        {
            var step = calls[i].Step;
            if (!componentOfStep.TryGetValue(step.MethodDisplayName, out var component))
            {
                if (stepOfComponentName.TryGetValue(step.ComponentName, out var other))
                {
                    collisions.Add(new NameCollision(
                        i,
                        $"Steps '{other.MethodDisplayName}' and '{step.MethodDisplayName}' both have the name '{step.ComponentName}' in the spec",
                        "give one of them its own name with [Step(Name = \"...\")]"));
                }
                else
                {
                    stepOfComponentName[step.ComponentName] = step;
                }

                component = components.Count;
                components.Add(new ComponentNode(Unique(step.ComponentName, new HashSet<string>(components.Select(c => c.Name))), step));
                componentOfStep[step.MethodDisplayName] = component;
            }

            componentOfCall.Add(component);
            var key = Unique(components[component].Name, usedTaskKeys);
            taskKeys.Add(key);
            if (step.ReturnShape == ReturnShape.None)
            {
                properties.Add(null);
                continue;
            }

            var property = Naming.ToPascalCase(key);
            if (ReservedResultMembers.Contains(property))
            {
                property += "Output";
            }

            if (taskOfProperty.TryGetValue(property, out var otherTask))
            {
                collisions.Add(new NameCollision(
                    i,
                    $"Tasks '{otherTask}' and '{key}' would both be read through the run result property '{property}'",
                    "give one of the steps another name with [Step(Name = \"...\")]"));
                property = Unique(property, new HashSet<string>(taskOfProperty.Keys));
            }

            taskOfProperty[property] = key;
            properties.Add(property);
        }

        return new AssignedNames(components, componentOfCall, taskKeys, properties, collisions);
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
