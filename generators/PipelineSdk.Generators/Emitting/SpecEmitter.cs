using System.Linq;
using PipelineSdk.Generators.Graph;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Emitting;

/// <summary>
/// Writes a pipeline graph as a Kubeflow Pipelines v2 PipelineSpec (schema 2.1.0), following the KFP
/// compiler's conventions: <c>comp-</c>/<c>exec-</c> keys, kebab-case task keys, sorted keys.
/// </summary>
internal static class SpecEmitter
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

    public static string Emit(PipelineGraph graph, ProgramInfo program)
    {
        var spec = new JsonObject();
        var components = spec.Object("components");
        var executors = spec.Object("deploymentSpec").Object("executors");
        foreach (var component in graph.Components)
        {
            var definition = components.Object(component.Key);
            definition["executorLabel"] = JsonRaw.String(component.ExecutorLabel);
            foreach (var input in component.Step.Parameters.Where(p => !p.IsCancellationToken))
            {
                AddDefinition(definition.Object("inputDefinitions"), input.Name, input.Type!);
            }

            foreach (var output in component.Step.Outputs)
            {
                AddDefinition(definition.Object("outputDefinitions"), output.Name, output.Type);
            }

            var container = executors.Object(component.ExecutorLabel).Object("container");
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
        }

        var root = spec.Object("root");
        foreach (var parameter in graph.Pipeline.Parameters)
        {
            var definition = root.Object("inputDefinitions").Object("parameters").Object(parameter.Name);
            definition["parameterType"] = JsonRaw.String(parameter.Type.KfpType);
            if (parameter.DefaultJson is not null)
            {
                definition["defaultValue"] = new JsonRaw(parameter.DefaultJson);
                definition["isOptional"] = JsonRaw.True;
            }
        }

        var tasks = root.Object("dag").Object("tasks");
        foreach (var task in graph.Tasks)
        {
            var node = tasks.Object(task.Key);
            var component = graph.Components[task.Component];
            node["cachingOptions"] = task.EnableCache ? Object("enableCache", JsonRaw.True) : new JsonObject();
            node.Object("componentRef")["name"] = JsonRaw.String(component.Key);
            if (task.DependsOn.Count > 0)
            {
                node["dependentTasks"] = Strings(task.DependsOn.ToArray());
            }

            foreach (var argument in task.Arguments)
            {
                var input = component.Step.Parameters.First(p => p.Name == argument.InputName).Type!;
                var binding = node.Object("inputs").Object(input.IsArtifact ? "artifacts" : "parameters").Object(argument.InputName);
                switch (argument.Source)
                {
                    case ArgumentSource.TaskOutput:
                        var producer = binding.Object(input.IsArtifact ? "taskOutputArtifact" : "taskOutputParameter");
                        producer[input.IsArtifact ? "outputArtifactKey" : "outputParameterKey"] = JsonRaw.String(argument.Reference!);
                        producer["producerTask"] = JsonRaw.String(graph.Tasks[argument.ProducerCall].Key);
                        break;
                    case ArgumentSource.PipelineParameter:
                        binding["componentInputParameter"] = JsonRaw.String(argument.Reference!);
                        break;
                    case ArgumentSource.Constant:
                        binding.Object("runtimeValue")["constant"] = new JsonRaw(argument.ConstantJson!);
                        break;
                }
            }

            node.Object("taskInfo")["name"] = JsonRaw.String(task.Key);
        }

        spec.Object("pipelineInfo")["name"] = JsonRaw.String(graph.Pipeline.PipelineName);
        spec["schemaVersion"] = JsonRaw.String(SchemaVersion);
        spec["sdkVersion"] = JsonRaw.String(SdkVersion);
        return spec.ToJson();
    }

    private static void AddDefinition(JsonObject definitions, string name, ValueTypeModel type)
    {
        if (type.IsArtifact)
        {
            var artifactType = definitions.Object("artifacts").Object(name).Object("artifactType");
            artifactType["schemaTitle"] = JsonRaw.String(type.KfpType);
            artifactType["schemaVersion"] = JsonRaw.String("0.0.1");
            if (type.IsArtifactList)
            {
                definitions.Object("artifacts").Object(name)["isArtifactList"] = JsonRaw.True;
            }
        }
        else
        {
            definitions.Object("parameters").Object(name)["parameterType"] = JsonRaw.String(type.KfpType);
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
