using System.Text.Json;
using System.Text.RegularExpressions;

namespace PipelineSdk.Generators.Tests.Infrastructure;

/// <summary>
/// A structural check of Kubeflow v2 specs, kept in C# because CI has no copy of Kubeflow's proto: every
/// reference resolves, types agree along every edge, inputs are bound, and the task graph has no cycle.
/// </summary>
internal static partial class SpecChecker
{
    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    private static partial Regex KubeflowName();

    public static void AssertValid(string json)
    {
        var errors = Check(json);
        Assert.That(errors, Is.Empty, () => "The spec is not structurally valid:\n" + string.Join("\n", errors) + "\n" + json);
    }

    public static List<string> Check(string json)
    {
        var errors = new List<string>();
        using var document = JsonDocument.Parse(json);
        var spec = document.RootElement;
        Expect(spec.GetProperty("schemaVersion").GetString() == "2.1.0", "schemaVersion must be 2.1.0");
        var name = spec.GetProperty("pipelineInfo").GetProperty("name").GetString()!;
        Expect(KubeflowName().IsMatch(name) && name.Length <= 128, $"pipeline name '{name}' is not valid for Vertex");

        var components = spec.GetProperty("components");
        var executors = spec.GetProperty("deploymentSpec").GetProperty("executors");
        foreach (var component in components.EnumerateObject())
        {
            var label = component.Value.GetProperty("executorLabel").GetString()!;
            Expect(executors.TryGetProperty(label, out var executor), $"{component.Name}: executor '{label}' is missing");
            if (executor.ValueKind == JsonValueKind.Object)
            {
                var container = executor.GetProperty("container");
                Expect(container.GetProperty("image").GetString()!.Length > 0, $"{label}: empty image");
                Expect(container.GetProperty("command").GetArrayLength() > 0, $"{label}: empty command");
            }
        }

        var root = spec.GetProperty("root");
        var rootInputs = Parameters(root, "inputDefinitions");
        var tasks = root.GetProperty("dag").GetProperty("tasks");
        var graph = new Dictionary<string, List<string>>();
        foreach (var task in tasks.EnumerateObject())
        {
            var componentName = task.Value.GetProperty("componentRef").GetProperty("name").GetString()!;
            if (!components.TryGetProperty(componentName, out var component))
            {
                errors.Add($"{task.Name}: component '{componentName}' is missing");
                continue;
            }

            var dependsOn = task.Value.TryGetProperty("dependentTasks", out var dependents)
                ? dependents.EnumerateArray().Select(d => d.GetString()!).ToList()
                : [];
            graph[task.Name] = dependsOn;
            foreach (var dependency in dependsOn)
            {
                Expect(tasks.TryGetProperty(dependency, out _), $"{task.Name}: dependent task '{dependency}' is missing");
            }

            var inputDefinitions = Parameters(component, "inputDefinitions");
            var bound = task.Value.TryGetProperty("inputs", out var inputs) && inputs.TryGetProperty("parameters", out var parameters)
                ? parameters.EnumerateObject().ToList()
                : [];
            foreach (var input in bound)
            {
                if (!inputDefinitions.TryGetValue(input.Name, out var expectedType))
                {
                    errors.Add($"{task.Name}: input '{input.Name}' is not defined by {componentName}");
                    continue;
                }

                if (input.Value.TryGetProperty("taskOutputParameter", out var fromTask))
                {
                    var producer = fromTask.GetProperty("producerTask").GetString()!;
                    var key = fromTask.GetProperty("outputParameterKey").GetString()!;
                    Expect(dependsOn.Contains(producer), $"{task.Name}: consumes '{producer}' without listing it in dependentTasks");
                    if (tasks.TryGetProperty(producer, out var producerTask)
                        && components.TryGetProperty(producerTask.GetProperty("componentRef").GetProperty("name").GetString()!, out var producerComponent))
                    {
                        var outputs = Parameters(producerComponent, "outputDefinitions");
                        Expect(outputs.TryGetValue(key, out var producedType), $"{task.Name}: producer '{producer}' has no output '{key}'");
                        Expect(producedType is null || producedType == expectedType, $"{task.Name}.{input.Name}: {producedType} flows into {expectedType}");
                    }
                    else
                    {
                        errors.Add($"{task.Name}: producer task '{producer}' is missing");
                    }
                }
                else if (input.Value.TryGetProperty("componentInputParameter", out var fromParameter))
                {
                    var parameter = fromParameter.GetString()!;
                    Expect(rootInputs.TryGetValue(parameter, out var parameterType), $"{task.Name}: pipeline parameter '{parameter}' is not defined");
                    Expect(parameterType is null || parameterType == expectedType, $"{task.Name}.{input.Name}: parameter of {parameterType} flows into {expectedType}");
                }
                else if (input.Value.TryGetProperty("runtimeValue", out var runtimeValue))
                {
                    var constant = runtimeValue.GetProperty("constant");
                    Expect(Fits(constant, expectedType), $"{task.Name}.{input.Name}: constant {constant.GetRawText()} is not {expectedType}");
                }
                else
                {
                    errors.Add($"{task.Name}.{input.Name}: no value source");
                }
            }

            foreach (var (input, _) in inputDefinitions)
            {
                Expect(bound.Any(b => b.Name == input), $"{task.Name}: input '{input}' of {componentName} is not bound");
            }
        }

        foreach (var (parameter, type) in rootInputs)
        {
            var definition = root.GetProperty("inputDefinitions").GetProperty("parameters").GetProperty(parameter);
            if (definition.TryGetProperty("defaultValue", out var defaultValue))
            {
                Expect(Fits(defaultValue, type), $"parameter '{parameter}': default {defaultValue.GetRawText()} is not {type}");
                Expect(definition.TryGetProperty("isOptional", out var optional) && optional.GetBoolean(), $"parameter '{parameter}': has a default but is not optional");
            }
        }

        Expect(!HasCycle(graph), "the task graph has a cycle");
        return errors;

        void Expect(bool condition, string error)
        {
            if (!condition)
            {
                errors.Add(error);
            }
        }
    }

    private static Dictionary<string, string> Parameters(JsonElement owner, string definitions) =>
        owner.TryGetProperty(definitions, out var defs) && defs.TryGetProperty("parameters", out var parameters)
            ? parameters.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetProperty("parameterType").GetString()!)
            : [];

    private static bool Fits(JsonElement value, string type) => type switch
    {
        "NUMBER_INTEGER" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "NUMBER_DOUBLE" => value.ValueKind == JsonValueKind.Number,
        "BOOLEAN" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "STRING" => value.ValueKind is JsonValueKind.String or JsonValueKind.Null,
        "LIST" => value.ValueKind is JsonValueKind.Array or JsonValueKind.Null,
        "STRUCT" => value.ValueKind is JsonValueKind.Object or JsonValueKind.Null,
        _ => false,
    };

    private static bool HasCycle(Dictionary<string, List<string>> graph)
    {
        var state = new Dictionary<string, int>();
        return graph.Keys.Any(Visit);

        bool Visit(string node)
        {
            if (state.TryGetValue(node, out var s))
            {
                return s == 1;
            }

            state[node] = 1;
            var cycle = graph.TryGetValue(node, out var next) && next.Any(Visit);
            state[node] = 2;
            return cycle;
        }
    }
}
