using System.Collections.Generic;
using System.Linq;

namespace PipelineSdk.Generators.Model;

/// <summary>Two names that would be the same in the generated spec or code; <see cref="Call"/> is the call that loses.</summary>
internal sealed record NameCollision(int Call, string What, string Fix);

/// <summary>A component as named: its name in the spec without prefix (unique across the spec) and the step it runs.</summary>
internal sealed record NamedComponent(string Name, StepModel Step);

/// <summary>The Kubeflow and C# names of one pipeline body's calls, and the collisions between them.</summary>
/// <param name="ComponentOfCall">Per call, its component: an index in <see cref="TaskNames.Components"/>.</param>
/// <param name="ResultProperties">Per call, the property of the typed run result that reads its outputs; null when it has none.</param>
internal sealed record AssignedNames(List<int> ComponentOfCall, List<string> TaskKeys, List<string?> ResultProperties, List<NameCollision> Collisions);

/// <summary>
/// Names components, tasks and result properties the way the KFP compiler does. One instance names a whole spec: the
/// root pipeline and the pipelines it calls share its components, so component names are unique across all of them.
/// </summary>
internal sealed class TaskNames
{
    /// <summary>Members of the generated run result (and the result class itself) that a task property must not take.</summary>
    private static readonly HashSet<string> ReservedResultMembers = new()
    {
        "Result", "RunId", "Pipeline", "Status", "Duration", "StoreDirectory", "ArtifactDirectory", "Steps", "GetOutput", "Output", "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize",
    };

    private readonly Dictionary<string, int> _componentOfIdentity = new();
    private readonly HashSet<string> _componentNames = new();

    /// <summary>Every component named so far, in the order the calls first used them.</summary>
    public List<NamedComponent> Components { get; } = new();

    /// <summary>Names the calls of one pipeline body on their own (the parser's collision check).</summary>
    public static AssignedNames Alone(IReadOnlyList<CallModel> calls) => new TaskNames().Assign(calls, new HashSet<string>());

    /// <summary>
    /// Names every component, task and result property of <paramref name="calls"/>; task keys avoid <paramref name="usedTaskKeys"/>
    /// and are added to it. Two different steps with one component name, or two tasks whose result properties coincide
    /// (<c>load-2</c> and <c>load2</c> both read as <c>Load2</c>), are collisions: the names stay unique, but they would not
    /// be the ones the user asked for.
    /// </summary>
    public AssignedNames Assign(IReadOnlyList<CallModel> calls, HashSet<string> usedTaskKeys)
    {
        var componentOfCall = new List<int>();
        var stepOfComponentName = Components.GroupBy(c => c.Step.ComponentName).ToDictionary(g => g.Key, g => g.First().Step);
        var taskKeys = new List<string>();
        var properties = new List<string?>();
        var taskOfProperty = new Dictionary<string, string>();
        var collisions = new List<NameCollision>();
        for (var i = 0; i < calls.Count; i++)
        {
            var step = calls[i].Step;
            var identity = ComponentIdentity.Of(calls[i]);
            if (!_componentOfIdentity.TryGetValue(identity, out var component))
            {
                if (stepOfComponentName.TryGetValue(step.ComponentName, out var other) && other.MethodDisplayName != step.MethodDisplayName)
                {
                    collisions.Add(new NameCollision(
                        i,
                        $"Steps '{other.MethodDisplayName}' and '{step.MethodDisplayName}' both have the name '{step.ComponentName}' in the spec",
                        "give one of them its own name with [Step(Name = \"...\")] or [Pipeline(Name = \"...\")]"));
                }
                else
                {
                    stepOfComponentName[step.ComponentName] = step;
                }

                component = Components.Count;
                Components.Add(new NamedComponent(UniqueComponentName(step.ComponentName), step));
                _componentOfIdentity[identity] = component;
            }

            componentOfCall.Add(component);
            // Task keys follow the step's first component (train, train-2, ...), whichever variant of it a call uses.
            var key = Unique(Components.First(c => c.Step.MethodDisplayName == step.MethodDisplayName).Name, usedTaskKeys);
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

        return new AssignedNames(componentOfCall, taskKeys, properties, collisions);
    }

    /// <summary>Takes a component name no component of the spec has yet (a block's DAG component is one too).</summary>
    public string UniqueComponentName(string name) => Unique(name, _componentNames);

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
