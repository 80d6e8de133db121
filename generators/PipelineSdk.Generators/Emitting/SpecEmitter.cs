using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PipelineSdk.Generators.Graph;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Emitting;

/// <summary>
/// Writes a pipeline graph as a Kubeflow Pipelines v2 PipelineSpec (schema 2.1.0), following the KFP
/// compiler's conventions: <c>comp-</c>/<c>exec-</c> keys, kebab-case task keys, sorted keys, and
/// <c>pipelinechannel--</c> inputs for values that enter a condition, loop, exit handler or called pipeline.
/// </summary>
internal static partial class SpecEmitter
{
    public const string SchemaVersion = "2.1.0";
    public const string SdkVersion = "pipelinesdk-0.1.0";

    /// <summary>
    /// Stands for the program's container image until an orchestrator that builds one (Vertex) fills it in.
    /// It is not a KFP placeholder, so nothing but PipelineSdk rewrites it.
    /// </summary>
    public const string ImagePlaceholder = "{{pipelinesdk.image}}";

    /// <summary>Where the program lives inside its container image.</summary>
    public const string ContainerAppDirectory = "/app";

    private const string Channel = "pipelinechannel--";

    public static string Emit(PipelineGraph graph, ProgramInfo program)
    {
        var spec = new JsonObject();
        var components = spec.Object("components");
        var executors = spec.Object("deploymentSpec").Object("executors");
        foreach (var component in graph.Components)
        {
            var definition = components.Object(component.Key);
            if (component.Dag is { } dag)
            {
                WritePipelineInterface(definition, dag, graph.Components);
                WriteDag(definition, dag, 0, graph.Components, components, SettingsEmitter.DisplayNames(dag, graph.Components));
                continue;
            }

            definition["executorLabel"] = JsonRaw.String(component.ExecutorLabel);
            foreach (var input in component.Step.Parameters.Where(p => !p.IsInjected))
            {
                AddDefinition(definition.Object("inputDefinitions"), input.Name, input.Type!);
            }

            if (component.Step.Settings.Container is { } commandInImage)
            {
                WriteOptionalInputs(definition, commandInImage);
            }

            foreach (var output in component.Step.Outputs)
            {
                AddDefinition(definition.Object("outputDefinitions"), output.Name, output.Type);
            }

            if (component.Step.Importer is { } importer)
            {
                WriteImporter(executors.Object(component.ExecutorLabel).Object("importer"), importer, component.Step.Outputs[0].Type);
                continue;
            }

            var container = executors.Object(component.ExecutorLabel).Object("container");
            if (component.Step.Settings.Container is { } own)
            {
                WriteContainerStep(container, own);
                SettingsEmitter.WriteContainerSettings(container, component.Step.Settings);
                continue;
            }

            container["image"] = JsonRaw.String(ImagePlaceholder);
            // A native (AOT) binary starts itself; otherwise the dotnet host runs the program's dll.
            container["command"] = program.IsNativeAot
                ? Strings($"{ContainerAppDirectory}/{program.AssemblyName}")
                : Strings("dotnet", $"{ContainerAppDirectory}/{program.AssemblyName}.dll");
            container["args"] = Strings(
                "step",
                "--pipeline", graph.Pipeline.PipelineName,
                "--step", component.Name,
                "--executor-input", "{{$}}");
            SettingsEmitter.WriteContainerSettings(container, component.Step.Settings);
        }

        var root = spec.Object("root");
        WritePipelineInterface(root, graph.Root, graph.Components);
        WriteDag(root, graph.Root, 0, graph.Components, components, SettingsEmitter.DisplayNames(graph.Root, graph.Components));
        spec.Object("pipelineInfo")["name"] = JsonRaw.String(graph.Pipeline.PipelineName);
        spec["schemaVersion"] = JsonRaw.String(SchemaVersion);
        spec["sdkVersion"] = JsonRaw.String(SdkVersion);
        return spec.ToJson();
    }

    /// <summary>An importer's executor, as the KFP compiler writes <c>dsl.importer</c>: the URI (a constant, or the task's input <c>uri</c>), the type, <c>reimport</c> when set, and the metadata.</summary>
    private static void WriteImporter(JsonObject importer, ImporterModel model, ValueTypeModel type)
    {
        var uri = importer.Object("artifactUri");
        if (model.UriJson is { } constant)
        {
            uri["constant"] = new JsonRaw(constant);
        }
        else
        {
            uri["runtimeParameter"] = JsonRaw.String("uri");
        }

        if (model.MetadataJson != "{}")
        {
            importer["metadata"] = new JsonRaw(model.MetadataJson);
        }

        if (model.Reimport)
        {
            importer["reimport"] = JsonRaw.True;
        }

        var schema = importer.Object("typeSchema");
        schema["schemaTitle"] = JsonRaw.String(type.KfpType);
        schema["schemaVersion"] = JsonRaw.String("0.0.1");
    }

    /// <summary>A pipeline's parameters and returned output, as the root's or a DAG component's definitions.</summary>
    private static void WritePipelineInterface(JsonObject owner, DagGraph dag, EquatableArray<ComponentNode> components)
    {
        foreach (var parameter in dag.Pipeline.Parameters)
        {
            var definition = owner.Object("inputDefinitions").Object("parameters").Object(parameter.Name);
            definition["parameterType"] = JsonRaw.String(parameter.Type.KfpType);
            if (parameter.DefaultJson is not null)
            {
                definition["defaultValue"] = new JsonRaw(parameter.DefaultJson);
                definition["isOptional"] = JsonRaw.True;
            }
        }

        if (dag.Pipeline.Output is { } output)
        {
            AddDefinition(owner.Object("outputDefinitions"), StepModelOutput, output.Type);
            var (producer, key) = OutputSelector(dag, output.Source);
            WriteDagOutput(owner.Object("dag").Object("outputs"), StepModelOutput, output.Type.IsArtifact, producer, key);
        }
    }

    private const string StepModelOutput = "Output";

    /// <summary>The DAG of <paramref name="scope"/>: its tasks and a group task per block directly inside it (each with its component).</summary>
    private static void WriteDag(JsonObject owner, DagGraph dag, int scope, EquatableArray<ComponentNode> components, JsonObject allComponents, Dictionary<string, string> displayNames)
    {
        var tasks = owner.Object("dag").Object("tasks");
        foreach (var task in dag.Tasks.Where(t => t.Scope == scope))
        {
            WriteTask(tasks.Object(task.Key), dag, task, components, displayNames.TryGetValue(task.Key, out var displayName) ? displayName : null);
        }

        for (var s = 1; s < dag.Pipeline.Scopes.Count; s++)
        {
            if (dag.Scope(s).Parent != scope)
            {
                continue;
            }

            var group = dag.Groups[s];
            var node = tasks.Object(group.Key);
            var componentKey = "comp-" + group.ComponentName;
            node.Object("componentRef")["name"] = JsonRaw.String(componentKey);
            if (group.DependsOn.Count > 0)
            {
                node["dependentTasks"] = Strings(group.DependsOn.ToArray());
            }

            node.Object("taskInfo")["name"] = JsonRaw.String(dag.Scope(s).DisplayName ?? group.Key);
            var component = allComponents.Object(componentKey);
            foreach (var (name, value, type) in ChannelsInto(dag, s, components))
            {
                AddDefinition(component.Object("inputDefinitions"), name, type, isList: value.Source == ArgumentSource.Collected && type.IsArtifact);
                Bind(node.Object("inputs"), name, type.IsArtifact, dag, scope, value);
            }

            var kind = dag.Scope(s);
            if (kind.Condition is { } condition)
            {
                node.Object("triggerPolicy")["condition"] = JsonRaw.String(Cel(condition, dag));
            }

            if (kind.Loop is { } loop)
            {
                // A loop over artifacts (a collected artifact list) is an artifactIterator, as KFP compiles it.
                var iterator = node.Object(loop.ItemType.IsArtifact ? "artifactIterator" : "parameterIterator");
                iterator["itemInput"] = JsonRaw.String(LoopItemChannel(dag, s));
                if (loop.Items.Source == ArgumentSource.Constant)
                {
                    iterator.Object("items")["raw"] = JsonRaw.String(loop.Items.ConstantJson!);
                }
                else
                {
                    iterator.Object("items")[loop.ItemType.IsArtifact ? "inputArtifact" : "inputParameter"] = JsonRaw.String(ChannelName(dag, loop.Items));
                }

                AddDefinition(component.Object("inputDefinitions"), LoopItemChannel(dag, s), loop.ItemType);
                if (loop.ParallelismLimit is { } limit)
                {
                    node.Object("iteratorPolicy")["parallelismLimit"] = new JsonRaw(limit.ToString(CultureInfo.InvariantCulture));
                }

                WriteCollectedOutputs(component, dag, s, components);
            }

            WriteOneOfOutputs(component, allComponents, dag, s, components);

            WriteDag(component, dag, s, components, allComponents, displayNames);
        }
    }

    private static void WriteTask(JsonObject node, DagGraph dag, TaskNode task, EquatableArray<ComponentNode> components, string? displayName)
    {
        var component = components[task.Component];
        // As the KFP compiler writes it on every task, a called pipeline's included.
        node["cachingOptions"] = task.EnableCache ? Object("enableCache", JsonRaw.True) : new JsonObject();

        node.Object("componentRef")["name"] = JsonRaw.String(component.Key);
        if (task.DependsOn.Count > 0)
        {
            node["dependentTasks"] = Strings(task.DependsOn.ToArray());
        }

        foreach (var argument in task.Arguments)
        {
            if (IsAbsent(component.Step, argument))
            {
                // An optional input given no value is not bound, as the KFP compiler leaves it (IfPresent is then false).
                continue;
            }

            var input = component.Step.Parameters.First(p => p.Name == argument.InputName).Type!;
            Bind(node.Object("inputs"), argument.InputName, input.IsArtifact, dag, task.Scope, argument);
        }

        foreach (var setting in task.SettingInputs)
        {
            Bind(node.Object("inputs"), setting.InputName, false, dag, task.Scope, setting);
        }

        if (task.Guards >= 0)
        {
            node.Object("triggerPolicy")["strategy"] = JsonRaw.String("ALL_UPSTREAM_TASKS_COMPLETED");
        }

        node.Object("taskInfo")["name"] = JsonRaw.String(task.Key);
        if (component.Dag is not null && displayName is not null)
        {
            node.Object("taskInfo")["name"] = JsonRaw.String(displayName);
        }

        if (component.Dag is null)
        {
            SettingsEmitter.WriteTaskSettings(node, component.Step.Settings, displayName);
        }
    }

    /// <summary>How a task or group in <paramref name="scope"/> receives <paramref name="value"/> as its input <paramref name="name"/>.</summary>
    private static void Bind(JsonObject inputs, string name, bool isArtifact, DagGraph dag, int scope, ArgumentModel value)
    {
        var binding = inputs.Object(isArtifact ? "artifacts" : "parameters").Object(name);
        var (origin, producer) = dag.Origin(value);
        switch (value.Source)
        {
            case ArgumentSource.Constant:
                binding.Object("runtimeValue")["constant"] = new JsonRaw(value.ConstantJson!);
                return;
            case ArgumentSource.FinalStatus:
                binding.Object("taskFinalStatus")["producerTask"] = JsonRaw.String(producer!);
                return;
            case ArgumentSource.PipelineParameter when scope == 0:
                binding["componentInputParameter"] = JsonRaw.String(value.Reference!);
                return;
            case ArgumentSource.TaskOutput or ArgumentSource.Collected or ArgumentSource.OneOf when scope == origin:
                var output = binding.Object(isArtifact ? "taskOutputArtifact" : "taskOutputParameter");
                output[isArtifact ? "outputArtifactKey" : "outputParameterKey"] = JsonRaw.String(
                    value.Source is ArgumentSource.Collected or ArgumentSource.OneOf ? ChannelName(dag, value) : value.Reference!);
                output["producerTask"] = JsonRaw.String(producer!);
                return;
            default:
                binding[isArtifact ? "componentInputArtifact" : "componentInputParameter"] = JsonRaw.String(ChannelName(dag, value));
                if (value.Source == ArgumentSource.LoopItem && value.Reference is { } field)
                {
                    // One field of the item, selected as the KFP compiler selects `item.a`.
                    binding["parameterExpressionSelector"] = JsonRaw.String("parseJson(string_value)[" + JsonLiteral.Quote(field) + "]");
                }

                return;
        }
    }

    /// <summary>The <c>pipelinechannel--</c> inputs of the block <paramref name="scope"/>: every outside value used in it.</summary>
    private static List<(string Name, ArgumentModel Value, ValueTypeModel Type)> ChannelsInto(DagGraph dag, int scope, EquatableArray<ComponentNode> components)
    {
        var channels = new SortedDictionary<string, (ArgumentModel, ValueTypeModel)>(System.StringComparer.Ordinal);
        foreach (var (consumer, value, _) in PipelineGraphBuilder.Consumptions(dag))
        {
            if (dag.Crossed(consumer, value).Contains(scope))
            {
                channels[ChannelName(dag, value)] = (value, TypeOf(dag, value, components));
            }
        }

        return channels.Select(c => (c.Key, c.Value.Item1, c.Value.Item2)).ToList();
    }

    /// <summary>The name a value has inside the blocks it enters, as the KFP compiler names it.</summary>
    private static string ChannelName(DagGraph dag, ArgumentModel value) => value.Source switch
    {
        ArgumentSource.TaskOutput => $"{Channel}{dag.Tasks[value.Call].Key}-{value.Reference}",
        ArgumentSource.Collected => $"{Channel}{dag.Tasks[value.Call].Key}-{value.Reference}",
        ArgumentSource.PipelineParameter => Channel + value.Reference,
        ArgumentSource.LoopItem => LoopItemChannel(dag, value.Scope),
        ArgumentSource.OneOf => OneOfChannel(dag, value.OneOf),
        _ => "",
    };

    /// <summary>The loop item's input: <c>pipelinechannel--&lt;items&gt;-loop-item</c>, or <c>pipelinechannel--loop-item-param-N</c> for constant items.</summary>
    private static string LoopItemChannel(DagGraph dag, int loop)
    {
        var items = dag.Scope(loop).Loop!.Items;
        return items.Source == ArgumentSource.Constant
            ? $"{Channel}loop-item-param-{loop.ToString(CultureInfo.InvariantCulture)}"
            : ChannelName(dag, items) + "-loop-item";
    }

    private static ValueTypeModel TypeOf(DagGraph dag, ArgumentModel value, EquatableArray<ComponentNode> components)
    {
        switch (value.Source)
        {
            case ArgumentSource.TaskOutput:
                return OutputType(dag, value, components);
            case ArgumentSource.Collected:
                var element = OutputType(dag, value, components);
                return element with { KfpType = element.IsArtifact ? element.KfpType : "LIST", TypeSyntax = "List<" + element.TypeSyntax + ">", Codec = CollectionCodec.ListOf(element) };
            case ArgumentSource.PipelineParameter:
                return dag.Pipeline.Parameters.First(p => p.Name == value.Reference).Type;
            case ArgumentSource.OneOf:
                return dag.Pipeline.OneOfs[value.OneOf].Type;
            default:
                return dag.Scope(value.Scope).Loop!.ItemType;
        }
    }

    private static ValueTypeModel OutputType(DagGraph dag, ArgumentModel value, EquatableArray<ComponentNode> components) =>
        components[dag.Tasks[value.Call].Component].Step.Outputs.First(o => o.Name == value.Reference).Type;

    /// <summary>A loop's outputs collected for the steps after it: one list output per collected step output.</summary>
    private static void WriteCollectedOutputs(JsonObject component, DagGraph dag, int loop, EquatableArray<ComponentNode> components)
    {
        var collected = PipelineGraphBuilder.Consumptions(dag)
            .Select(c => c.Value)
            .Where(v => v.Source == ArgumentSource.Collected && dag.Tasks[v.Call].Scope == loop)
            .GroupBy(v => ChannelName(dag, v))
            .OrderBy(g => g.Key, System.StringComparer.Ordinal);
        foreach (var group in collected)
        {
            var value = group.First();
            var type = TypeOf(dag, value, components);
            AddDefinition(component.Object("outputDefinitions"), group.Key, type, isList: type.IsArtifact);
            WriteDagOutput(component.Object("dag").Object("outputs"), group.Key, type.IsArtifact, dag.Tasks[value.Call].Key, value.Reference!);
        }
    }

    /// <summary>Which task of the DAG produces a pipeline's returned value, and under which output key.</summary>
    private static (string Producer, string Key) OutputSelector(DagGraph dag, ArgumentModel source) => source.Source switch
    {
        ArgumentSource.Collected => (dag.Groups[dag.Tasks[source.Call].Scope].Key, ChannelName(dag, source)),
        ArgumentSource.OneOf => (dag.Groups[dag.Pipeline.OneOfs[source.OneOf].Group].Key, ChannelName(dag, source)),
        _ => (dag.Tasks[source.Call].Key, source.Reference!),
    };

    private static void WriteDagOutput(JsonObject outputs, string name, bool isArtifact, string producer, string key)
    {
        if (isArtifact)
        {
            var selector = new JsonObject();
            selector["outputArtifactKey"] = JsonRaw.String(key);
            selector["producerSubtask"] = JsonRaw.String(producer);
            outputs.Object("artifacts").Object(name)["artifactSelectors"] = new JsonArray(new JsonNode[] { selector });
        }
        else
        {
            var selector = outputs.Object("parameters").Object(name).Object("valueFromParameter");
            selector["outputParameterKey"] = JsonRaw.String(key);
            selector["producerSubtask"] = JsonRaw.String(producer);
        }
    }

    /// <summary>A condition in CEL, written as the KFP compiler writes it (<c>int(...)</c> around integers, <c>!(...)</c> for negation).</summary>
    private static string Cel(ConditionModel condition, DagGraph dag)
    {
        switch (condition.Operator)
        {
            case "!":
                return "!(" + Cel(condition.Operands[0], dag) + ")";
            case "&&":
            case "||":
                return string.Join(" " + condition.Operator + " ", condition.Operands.Select(o =>
                    o.Operator is "&&" or "||" && o.Operator != condition.Operator ? "(" + Cel(o, dag) + ")" : Cel(o, dag)));
            case "value":
                return CelOperand(condition.Values[0], "BOOLEAN", dag) + " == true";
            default:
                var left = condition.Values[0];
                var right = condition.Values[1];
                // Mixed int and double compare as doubles, as C# compares them.
                var canonical = left.InputName == right.InputName ? left.InputName
                    : left.InputName == "NUMBER_DOUBLE" || right.InputName == "NUMBER_DOUBLE" ? "NUMBER_DOUBLE" : left.InputName;
                return CelOperand(left, canonical, dag) + " " + condition.Operator + " " + CelOperand(right, canonical, dag);
        }
    }

    private static string CelOperand(ArgumentModel value, string canonical, DagGraph dag)
    {
        string text;
        if (value.Source == ArgumentSource.Constant)
        {
            var json = value.ConstantJson!;
            text = value.InputName == "STRING" ? "'" + CelString(json) + "'" : json;
            return canonical == "NUMBER_DOUBLE" && value.InputName == "NUMBER_INTEGER" ? text + ".0" : text;
        }

        text = $"inputs.parameter_values['{ChannelName(dag, value)}']";
        if (value.InputName == "NUMBER_INTEGER")
        {
            text = $"int({text})";
            if (canonical == "NUMBER_DOUBLE")
            {
                text = $"double({text})";
            }
        }

        return text;
    }

    /// <summary>A JSON string literal's content as a single-quoted CEL string.</summary>
    private static string CelString(string json)
    {
        // Decode the JSON literal to the text itself, then escape it for CEL; characters beyond ASCII stay as they are
        // (the spec's JSON escapes them), so CEL never sees a surrogate escape it would reject.
        var text = new System.Text.StringBuilder();
        for (var i = 1; i < json.Length - 1; i++)
        {
            var c = json[i];
            if (c == '\\')
            {
                var next = json[++i];
                c = next switch
                {
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    'b' => '\b',
                    'f' => '\f',
                    'u' => (char)int.Parse(json.Substring(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                    _ => next,
                };
                if (next == 'u')
                {
                    i += 4;
                }
            }

            text.Append(c switch
            {
                '\\' => "\\\\",
                '\'' => "\\'",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\b' => "\\b",
                '\f' => "\\f",
                _ when c < ' ' => "\\x" + ((int)c).ToString("x2", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        return text.ToString();
    }

    private static void AddDefinition(JsonObject definitions, string name, ValueTypeModel type, bool isList = false)
    {
        if (type.IsArtifact)
        {
            var definition = definitions.Object("artifacts").Object(name);
            var artifactType = definition.Object("artifactType");
            artifactType["schemaTitle"] = JsonRaw.String(type.KfpType);
            artifactType["schemaVersion"] = JsonRaw.String("0.0.1");
            if (isList || type.IsArtifactList)
            {
                definition["isArtifactList"] = JsonRaw.True;
            }
        }
        else
        {
            var parameter = definitions.Object("parameters").Object(name);
            parameter["parameterType"] = JsonRaw.String(type.KfpType);
            if (type.KfpType == "TASK_FINAL_STATUS")
            {
                // As the KFP compiler marks it: Kubeflow supplies the status, no task binds it.
                parameter["isOptional"] = JsonRaw.True;
            }
        }
    }

    private static JsonObject Object(string key, JsonNode value)
    {
        var result = new JsonObject();
        result[key] = value;
        return result;
    }

    private static JsonArray Strings(params string[] values) => new(values.Select(v => (JsonNode)JsonRaw.String(v)));
}
