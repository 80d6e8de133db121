using System.Text.Json;
using System.Text.RegularExpressions;

namespace PipelineSdk.Tests.Shared;

/// <summary>
/// A structural check of Kubeflow v2 specs, kept in C# because CI has no copy of Kubeflow's proto. In every DAG — the
/// root and each DAG component (condition, loop, exit handler, called pipeline) — every reference resolves (components,
/// executors, producer tasks, dependent tasks, consumed output keys, component inputs, DAG output selectors, loop items,
/// the inputs a trigger condition reads), types agree along every edge, every required input is bound, and the tasks
/// have no cycle.
/// </summary>
internal static partial class SpecChecker
{
    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    private static partial Regex KubeflowName();

    [GeneratedRegex(@"inputs\.parameter_values\['([^']+)'\]")]
    private static partial Regex ConditionInput();

    public static void AssertValid(string json)
    {
        var errors = Check(json);
        Assert.That(errors, Is.Empty, () => "The spec is not structurally valid:\n" + string.Join("\n", errors) + "\n" + json);
    }

    public static List<string> Check(string json)
    {
        using var document = JsonDocument.Parse(json);
        return new Checker(document.RootElement).Run();
    }

    private sealed class Checker(JsonElement spec)
    {
        private readonly List<string> _errors = [];

        private bool ReadBySettingPlaceholder(JsonElement component, string input) =>
            input.StartsWith("pipelinechannel--", StringComparison.Ordinal)
            && component.TryGetProperty("executorLabel", out var label)
            && spec.GetProperty("deploymentSpec").GetProperty("executors").TryGetProperty(label.GetString()!, out var executor)
            && executor.TryGetProperty("container", out var container)
            && container.TryGetProperty("resources", out var resources)
            && Strings(resources).Contains("{{$.inputs.parameters['" + input + "']}}");

        private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
        {
            JsonValueKind.String => [element.GetString()!],
            JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value)),
            JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
            _ => [],
        };
        private readonly JsonElement _components = spec.GetProperty("components");

        public List<string> Run()
        {
            Expect(spec.GetProperty("schemaVersion").GetString() == "2.1.0", "schemaVersion must be 2.1.0");
            var name = spec.GetProperty("pipelineInfo").GetProperty("name").GetString()!;
            Expect(KubeflowName().IsMatch(name) && name.Length <= 128, $"pipeline name '{name}' is not valid for Vertex");

            var executors = spec.GetProperty("deploymentSpec").GetProperty("executors");
            foreach (var component in _components.EnumerateObject())
            {
                if (component.Value.TryGetProperty("dag", out _))
                {
                    CheckDag(component.Name, component.Value);
                    continue;
                }

                if (!component.Value.TryGetProperty("executorLabel", out var labelElement))
                {
                    _errors.Add($"{component.Name}: neither an executorLabel nor a dag");
                    continue;
                }

                var label = labelElement.GetString()!;
                if (!executors.TryGetProperty(label, out var executor))
                {
                    _errors.Add($"{component.Name}: executor '{label}' is missing");
                    continue;
                }

                if (executor.TryGetProperty("importer", out var importer))
                {
                    CheckImporter(label, importer, component.Value);
                    continue;
                }

                var container = executor.GetProperty("container");
                Expect(container.GetProperty("image").GetString()!.Length > 0, $"{label}: empty image");
                Expect(container.GetProperty("command").GetArrayLength() > 0, $"{label}: empty command");
            }

            var root = spec.GetProperty("root");
            CheckDag("root", root);
            foreach (var (parameter, type) in Definitions(root, "inputDefinitions", "parameters"))
            {
                var definition = root.GetProperty("inputDefinitions").GetProperty("parameters").GetProperty(parameter);
                if (definition.TryGetProperty("defaultValue", out var defaultValue))
                {
                    Expect(Fits(defaultValue, type), $"parameter '{parameter}': default {defaultValue.GetRawText()} is not {type}");
                    Expect(definition.TryGetProperty("isOptional", out var optional) && optional.GetBoolean(), $"parameter '{parameter}': has a default but is not optional");
                }
            }

            return _errors;
        }

        /// <summary>An importer's URI is a constant or an input of its component, and its type is its one output artifact's.</summary>
        private void CheckImporter(string label, JsonElement importer, JsonElement component)
        {
            var uri = importer.GetProperty("artifactUri");
            if (uri.TryGetProperty("runtimeParameter", out var parameter))
            {
                Expect(Definitions(component, "inputDefinitions", "parameters").GetValueOrDefault(parameter.GetString()!) == "STRING",
                    $"{label}: the URI's runtime parameter '{parameter.GetString()}' is not a STRING input of its component");
            }
            else
            {
                Expect(uri.TryGetProperty("constant", out var constant) && constant.ValueKind == JsonValueKind.String && constant.GetString()!.Length > 0,
                    $"{label}: the URI is neither a constant string nor a runtime parameter");
            }

            var outputs = Definitions(component, "outputDefinitions", "artifacts");
            var title = importer.GetProperty("typeSchema").GetProperty("schemaTitle").GetString();
            Expect(outputs.Count == 1 && outputs.Values.Single() == title, $"{label}: imports {title}, but its component's output artifacts are [{string.Join(", ", outputs.Values)}]");
            Expect(!importer.TryGetProperty("metadata", out var metadata) || metadata.ValueKind == JsonValueKind.Object, $"{label}: metadata is not an object");
        }

        private void CheckDag(string owner, JsonElement ownerElement)
        {
            var dag = ownerElement.GetProperty("dag");
            var ownInputs = Definitions(ownerElement, "inputDefinitions", "parameters");
            var ownArtifacts = Definitions(ownerElement, "inputDefinitions", "artifacts");
            var tasks = dag.GetProperty("tasks");
            var graph = new Dictionary<string, List<string>>();
            foreach (var task in tasks.EnumerateObject())
            {
                var where = $"{owner}/{task.Name}";
                var componentName = task.Value.GetProperty("componentRef").GetProperty("name").GetString()!;
                if (!_components.TryGetProperty(componentName, out var component))
                {
                    _errors.Add($"{where}: component '{componentName}' is missing");
                    continue;
                }

                var dependsOn = task.Value.TryGetProperty("dependentTasks", out var dependents) ? dependents.EnumerateArray().Select(d => d.GetString()!).ToList() : [];
                graph[task.Name] = dependsOn;
                foreach (var dependency in dependsOn)
                {
                    Expect(tasks.TryGetProperty(dependency, out _), $"{where}: dependent task '{dependency}' is missing");
                }

                var inputs = task.Value.TryGetProperty("inputs", out var i) ? i : default;
                var parameters = Definitions(component, "inputDefinitions", "parameters");
                var artifacts = Definitions(component, "inputDefinitions", "artifacts");
                var bound = new HashSet<string>();
                foreach (var input in Bindings(inputs, "parameters"))
                {
                    bound.Add(input.Name);
                    if (!parameters.TryGetValue(input.Name, out var expected))
                    {
                        // As the KFP compiler writes a setting read from a pipeline parameter: an undeclared channel input
                        // that the executor's resources name in a placeholder.
                        if (!ReadBySettingPlaceholder(component, input.Name))
                        {
                            _errors.Add($"{where}: input '{input.Name}' is not defined by {componentName}");
                        }

                        continue;
                    }

                    CheckParameter(where, input, expected, tasks, dependsOn, ownInputs);
                }

                foreach (var input in Bindings(inputs, "artifacts"))
                {
                    bound.Add(input.Name);
                    if (!artifacts.TryGetValue(input.Name, out var expected))
                    {
                        _errors.Add($"{where}: artifact input '{input.Name}' is not defined by {componentName}");
                        continue;
                    }

                    CheckArtifact(where, input, expected, tasks, dependsOn, ownArtifacts);
                }

                string? itemInput = null;
                if (task.Value.TryGetProperty("parameterIterator", out var iterator))
                {
                    itemInput = iterator.GetProperty("itemInput").GetString()!;
                    Expect(parameters.ContainsKey(itemInput), $"{where}: loop item '{itemInput}' is not an input of {componentName}");
                    var items = iterator.GetProperty("items");
                    if (items.TryGetProperty("inputParameter", out var itemsInput))
                    {
                        Expect(bound.Contains(itemsInput.GetString()!) && parameters.GetValueOrDefault(itemsInput.GetString()!) == "LIST",
                            $"{where}: the loop's items '{itemsInput.GetString()}' are not a bound LIST input");
                    }
                    else
                    {
                        using var raw = JsonDocument.Parse(items.GetProperty("raw").GetString()!);
                        Expect(raw.RootElement.ValueKind == JsonValueKind.Array, $"{where}: raw loop items are not a JSON list");
                    }
                }
                else if (task.Value.TryGetProperty("artifactIterator", out var artifactIterator))
                {
                    // A loop over an artifact list: the item is one artifact of the list input.
                    itemInput = artifactIterator.GetProperty("itemInput").GetString()!;
                    Expect(artifacts.ContainsKey(itemInput), $"{where}: loop item '{itemInput}' is not an artifact input of {componentName}");
                    var listInput = artifactIterator.GetProperty("items").GetProperty("inputArtifact").GetString()!;
                    var isList = component.GetProperty("inputDefinitions").GetProperty("artifacts").TryGetProperty(listInput, out var listDefinition)
                        && listDefinition.TryGetProperty("isArtifactList", out var flag) && flag.GetBoolean();
                    Expect(bound.Contains(listInput) && isList, $"{where}: the loop's items '{listInput}' are not a bound artifact list input");
                }

                if (task.Value.TryGetProperty("triggerPolicy", out var trigger) && trigger.TryGetProperty("condition", out var condition))
                {
                    foreach (Match read in ConditionInput().Matches(condition.GetString()!))
                    {
                        Expect(bound.Contains(read.Groups[1].Value), $"{where}: the condition reads '{read.Groups[1].Value}', which the task does not bind");
                    }
                }

                foreach (var (input, _) in parameters.Concat(artifacts))
                {
                    var optional = component.GetProperty("inputDefinitions").TryGetProperty("parameters", out var defs)
                        && defs.TryGetProperty(input, out var def) && def.TryGetProperty("isOptional", out var o) && o.GetBoolean();
                    Expect(bound.Contains(input) || input == itemInput || optional, $"{where}: input '{input}' of {componentName} is not bound");
                }
            }

            if (dag.TryGetProperty("outputs", out var outputs))
            {
                CheckOutputs(owner, ownerElement, outputs, tasks);
            }

            Expect(!HasCycle(graph), $"{owner}: the task graph has a cycle");
        }

        private void CheckParameter(string where, JsonProperty input, string expected, JsonElement tasks, List<string> dependsOn, Dictionary<string, string> ownInputs)
        {
            var value = input.Value;
            if (value.TryGetProperty("taskOutputParameter", out var fromTask))
            {
                var produced = Output(where, tasks, dependsOn, fromTask.GetProperty("producerTask").GetString()!, fromTask.GetProperty("outputParameterKey").GetString()!, "parameters");
                Expect(produced is null || produced == expected, $"{where}.{input.Name}: {produced} flows into {expected}");
            }
            else if (value.TryGetProperty("componentInputParameter", out var fromInput))
            {
                var name = fromInput.GetString()!;
                Expect(ownInputs.TryGetValue(name, out var type), $"{where}: input '{name}' of the enclosing DAG is not defined");
                if (value.TryGetProperty("parameterExpressionSelector", out var selector))
                {
                    // A field of a STRUCT (a loop item's `item.a`): the field's type is known only at run time.
                    Expect(type == "STRUCT" && selector.GetString()!.StartsWith("parseJson(string_value)[", StringComparison.Ordinal),
                        $"{where}.{input.Name}: selector '{selector.GetString()}' on an input of {type}");
                }
                else
                {
                    Expect(type is null || type == expected, $"{where}.{input.Name}: input of {type} flows into {expected}");
                }
            }
            else if (value.TryGetProperty("runtimeValue", out var runtimeValue))
            {
                var constant = runtimeValue.GetProperty("constant");
                Expect(Fits(constant, expected), $"{where}.{input.Name}: constant {constant.GetRawText()} is not {expected}");
            }
            else if (value.TryGetProperty("taskFinalStatus", out var finalStatus))
            {
                var producer = finalStatus.GetProperty("producerTask").GetString()!;
                Expect(tasks.TryGetProperty(producer, out _) && dependsOn.Contains(producer), $"{where}: final status of '{producer}', which is not an upstream task");
                Expect(expected == "TASK_FINAL_STATUS", $"{where}.{input.Name}: a final status flows into {expected}");
            }
            else
            {
                _errors.Add($"{where}.{input.Name}: no value source");
            }
        }

        private void CheckArtifact(string where, JsonProperty input, string expected, JsonElement tasks, List<string> dependsOn, Dictionary<string, string> ownArtifacts)
        {
            if (input.Value.TryGetProperty("taskOutputArtifact", out var fromTask))
            {
                var produced = Output(where, tasks, dependsOn, fromTask.GetProperty("producerTask").GetString()!, fromTask.GetProperty("outputArtifactKey").GetString()!, "artifacts");
                Expect(produced is null || produced == expected, $"{where}.{input.Name}: {produced} flows into {expected}");
            }
            else if (input.Value.TryGetProperty("componentInputArtifact", out var fromInput))
            {
                Expect(ownArtifacts.TryGetValue(fromInput.GetString()!, out var type) && type == expected, $"{where}.{input.Name}: artifact input '{fromInput.GetString()}' of the enclosing DAG is missing or not {expected}");
            }
            else
            {
                _errors.Add($"{where}.{input.Name}: no artifact source");
            }
        }

        /// <summary>The type of <paramref name="producer"/>'s output <paramref name="key"/>; null (with an error) when there is none.</summary>
        private string? Output(string where, JsonElement tasks, List<string> dependsOn, string producer, string key, string kind)
        {
            Expect(dependsOn.Contains(producer), $"{where}: consumes '{producer}' without listing it in dependentTasks");
            if (!tasks.TryGetProperty(producer, out var producerTask)
                || !_components.TryGetProperty(producerTask.GetProperty("componentRef").GetProperty("name").GetString()!, out var producerComponent))
            {
                _errors.Add($"{where}: producer task '{producer}' is missing");
                return null;
            }

            var outputs = Definitions(producerComponent, "outputDefinitions", kind);
            Expect(outputs.TryGetValue(key, out var type), $"{where}: producer '{producer}' has no output '{key}'");
            return type;
        }

        private void CheckOutputs(string owner, JsonElement ownerElement, JsonElement outputs, JsonElement tasks)
        {
            var declared = Definitions(ownerElement, "outputDefinitions", "parameters");
            foreach (var output in Bindings(outputs, "parameters"))
            {
                Expect(declared.TryGetValue(output.Name, out var type), $"{owner}: DAG output '{output.Name}' is not declared");
                // One producer (valueFromParameter), or one per branch of which the one that ran gives the value (valueFromOneof).
                var selectors = output.Value.TryGetProperty("valueFromOneof", out var oneOf)
                    ? [.. oneOf.GetProperty("parameterSelectors").EnumerateArray()]
                    : new[] { output.Value.GetProperty("valueFromParameter") };
                Expect(selectors.Length > 0, $"{owner}: DAG output '{output.Name}' selects nothing");
                foreach (var selector in selectors)
                {
                    var producer = selector.GetProperty("producerSubtask").GetString()!;
                    var key = selector.GetProperty("outputParameterKey").GetString()!;
                    if (!tasks.TryGetProperty(producer, out var task))
                    {
                        _errors.Add($"{owner}: DAG output '{output.Name}' selects the missing task '{producer}'");
                        continue;
                    }

                    var produced = Definitions(_components.GetProperty(task.GetProperty("componentRef").GetProperty("name").GetString()!), "outputDefinitions", "parameters");
                    Expect(produced.TryGetValue(key, out var producedType), $"{owner}: DAG output '{output.Name}' selects '{producer}.{key}', which does not exist");
                    // A loop's DAG collects one value per iteration into a LIST.
                    Expect(producedType is null || producedType == type || type == "LIST", $"{owner}: DAG output '{output.Name}' of {type} selects {producedType}");
                }
            }

            var declaredArtifacts = Definitions(ownerElement, "outputDefinitions", "artifacts");
            foreach (var output in Bindings(outputs, "artifacts"))
            {
                Expect(declaredArtifacts.ContainsKey(output.Name), $"{owner}: DAG output artifact '{output.Name}' is not declared");
                foreach (var selector in output.Value.GetProperty("artifactSelectors").EnumerateArray())
                {
                    var producer = selector.GetProperty("producerSubtask").GetString()!;
                    Expect(tasks.TryGetProperty(producer, out var task)
                        && Definitions(_components.GetProperty(task.GetProperty("componentRef").GetProperty("name").GetString()!), "outputDefinitions", "artifacts")
                            .ContainsKey(selector.GetProperty("outputArtifactKey").GetString()!),
                        $"{owner}: DAG output artifact '{output.Name}' selects a missing output of '{producer}'");
                }
            }
        }

        private void Expect(bool condition, string error)
        {
            if (!condition)
            {
                _errors.Add(error);
            }
        }
    }

    private static IEnumerable<JsonProperty> Bindings(JsonElement owner, string kind) =>
        owner.ValueKind == JsonValueKind.Object && owner.TryGetProperty(kind, out var bindings) ? bindings.EnumerateObject() : [];

    /// <summary>Parameter types (<c>parameterType</c>) or artifact schema titles of a definitions block, by name.</summary>
    private static Dictionary<string, string> Definitions(JsonElement owner, string definitions, string kind) =>
        owner.TryGetProperty(definitions, out var defs) && defs.TryGetProperty(kind, out var entries)
            ? entries.EnumerateObject().ToDictionary(
                p => p.Name,
                p => kind == "parameters" ? p.Value.GetProperty("parameterType").GetString()! : p.Value.GetProperty("artifactType").GetProperty("schemaTitle").GetString()!)
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
