using System.Globalization;
using System.Text;
using System.Text.Json;
using PipelineSdk.Model;
using PipelineSdk.Values;

namespace PipelineSdk.Execution;

/// <summary>A task's container command from the spec: <c>deploymentSpec.executors[…].container</c>.</summary>
/// <param name="Image">The image.</param>
/// <param name="Command">The command.</param>
/// <param name="Arguments">The arguments.</param>
public sealed record ContainerSpec(string Image, IReadOnlyList<string> Command, IReadOnlyList<string> Arguments)
{
    /// <summary>The container's environment variables (<c>container.env</c>), in spec order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; } = [];
}

/// <summary>
/// What Kubeflow's launcher does around a step container, done locally: build the ExecutorInput, substitute
/// the placeholders in the executor's command line exactly as the launcher does, and collect the outputs
/// the step wrote (the ExecutorOutput first, then each output parameter's file).
/// </summary>
public static class Launcher
{
    private const string ExecutorInputPlaceholder = "{{$}}";

    /// <summary>
    /// Each task's name as Vertex AI shows and reports it (<c>taskInfo.name</c>: the display name, else the task key),
    /// by task key, for the tasks of every DAG in the spec (the root's and those of conditions, loops and called pipelines).
    /// </summary>
    public static IReadOnlyDictionary<string, string> ReadTaskNames(string specJson)
    {
        using var spec = JsonDocument.Parse(specJson);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var dags = new[] { spec.RootElement.GetProperty("root") }
            .Concat(spec.RootElement.TryGetProperty("components", out var components)
                ? components.EnumerateObject().Select(c => c.Value).Where(c => c.TryGetProperty("dag", out _))
                : []);
        foreach (var task in dags.SelectMany(d => d.GetProperty("dag").GetProperty("tasks").EnumerateObject()))
        {
            result.TryAdd(task.Name, task.Value.TryGetProperty("taskInfo", out var info) && info.TryGetProperty("name", out var name) && name.GetString() is { } text
                ? text
                : task.Name);
        }

        return result;
    }

    /// <summary>Reads every executor's container from a spec, by executor label (<c>exec-&lt;step&gt;</c>).</summary>
    public static IReadOnlyDictionary<string, ContainerSpec> ReadExecutors(string specJson)
    {
        using var spec = JsonDocument.Parse(specJson);
        var result = new Dictionary<string, ContainerSpec>(StringComparer.Ordinal);
        foreach (var executor in spec.RootElement.GetProperty("deploymentSpec").GetProperty("executors").EnumerateObject())
        {
            var container = executor.Value.GetProperty("container");
            result[executor.Name] = new ContainerSpec(container.GetProperty("image").GetString()!, Strings(container, "command"), Strings(container, "args"))
            {
                Environment = EnvironmentOf(container),
            };
        }

        return result;
    }

    /// <summary>
    /// Writes the ExecutorInput of one task: inputs as the step's codecs write them, output parameter files
    /// under <paramref name="outputDirectory"/>, output artifacts at <paramref name="artifactUri"/>(name).
    /// </summary>
    public static string BuildExecutorInput(StepDescriptor step, object?[] inputs, IReadOnlyDictionary<string, string> inputArtifactUris, string outputDirectory, Func<string, string> artifactUri)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("inputs");
            writer.WriteStartObject("parameterValues");
            for (var i = 0; i < step.Inputs.Count; i++)
            {
                if (step.Inputs[i].Codec is ParameterCodec parameter)
                {
                    writer.WritePropertyName(step.Inputs[i].Name);
                    parameter.WriteJson(inputs[i], writer);
                }
            }

            writer.WriteEndObject();
            writer.WriteStartObject("artifacts");
            foreach (var port in step.Inputs.Where(p => p.Codec.Kind == ValueKind.Artifact))
            {
                WriteArtifact(writer, port, inputArtifactUris[port.Name]);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteStartObject("outputs");
            writer.WriteStartObject("parameters");
            foreach (var port in step.Outputs.Where(p => p.Codec.Kind == ValueKind.Parameter))
            {
                writer.WriteStartObject(port.Name);
                writer.WriteString("outputFile", Path.Combine(outputDirectory, "parameters", port.Name));
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteStartObject("artifacts");
            foreach (var port in step.Outputs.Where(p => p.Codec.Kind == ValueKind.Artifact))
            {
                WriteArtifact(writer, port, artifactUri(port.Name));
            }

            writer.WriteEndObject();
            writer.WriteString("outputFile", Path.Combine(outputDirectory, "executor_output.json"));
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Substitutes the launcher's placeholders in a command line: <c>{{$}}</c> and the <c>{{$.inputs…}}</c>/<c>{{$.outputs…}}</c> keys.</summary>
    public static IReadOnlyList<string> Substitute(IEnumerable<string> commandLine, string executorInputJson, string? gcsMountRoot = null)
    {
        var input = ExecutorInput.Parse(executorInputJson);
        var placeholders = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in input.ParameterValues)
        {
            placeholders[$"{{{{$.inputs.parameters['{name}']}}}}"] = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString()!,
                JsonValueKind.Number => value.GetDouble().ToString("R", CultureInfo.InvariantCulture),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => value.GetRawText(),
            };
        }

        foreach (var (name, artifact) in input.InputArtifacts)
        {
            placeholders[$"{{{{$.inputs.artifacts['{name}'].uri}}}}"] = artifact.Uri;
            placeholders[$"{{{{$.inputs.artifacts['{name}'].path}}}}"] = GcsMount.LocalPath(artifact.Uri, gcsMountRoot);
        }

        foreach (var (name, artifact) in input.OutputArtifacts)
        {
            placeholders[$"{{{{$.outputs.artifacts['{name}'].uri}}}}"] = artifact.Uri;
            placeholders[$"{{{{$.outputs.artifacts['{name}'].path}}}}"] = GcsMount.LocalPath(artifact.Uri, gcsMountRoot);
        }

        foreach (var (name, file) in input.OutputParameterFiles)
        {
            placeholders[$"{{{{$.outputs.parameters['{name}'].output_file}}}}"] = file;
        }

        return [.. commandLine.Select(part =>
        {
            var result = part.Replace(ExecutorInputPlaceholder, executorInputJson, StringComparison.Ordinal);
            foreach (var (key, value) in placeholders)
            {
                result = result.Replace(key, value, StringComparison.Ordinal);
            }

            return result;
        })];
    }

    /// <summary>
    /// Reads a finished step's outputs: the ExecutorOutput's <c>parameterValues</c> take priority, then each
    /// output parameter's file (as the launcher does); artifacts are read from where their URIs map.
    /// </summary>
    /// <exception cref="FormatException">An output is missing or not of its type; the message says which.</exception>
    public static object?[] CollectOutputs(StepDescriptor step, string outputDirectory, Func<string, string> artifactPath)
    {
        var outputFile = Path.Combine(outputDirectory, "executor_output.json");
        using var executorOutput = File.Exists(outputFile) ? JsonDocument.Parse(File.ReadAllText(outputFile)) : null;
        var parameterValues = executorOutput is not null && executorOutput.RootElement.TryGetProperty("parameterValues", out var values) ? values : default;
        var outputs = new object?[step.Outputs.Count];
        for (var i = 0; i < step.Outputs.Count; i++)
        {
            var port = step.Outputs[i];
            try
            {
                if (port.Codec is ParameterCodec parameter)
                {
                    if (parameterValues.ValueKind == JsonValueKind.Object && parameterValues.TryGetProperty(port.Name, out var value))
                    {
                        outputs[i] = parameter.ReadJson(value);
                        continue;
                    }

                    var file = Path.Combine(outputDirectory, "parameters", port.Name);
                    if (!File.Exists(file))
                    {
                        throw new FormatException("the step wrote no value for it");
                    }

                    var text = File.ReadAllText(file);
                    outputs[i] = parameter.KfpType == "STRING" ? text : parameter.ParseText(text);
                }
                else
                {
                    using var content = File.OpenRead(artifactPath(port.Name));
                    outputs[i] = port.Codec.ReadFrom(content);
                }
            }
            catch (Exception e) when (e is FormatException or IOException or JsonException)
            {
                throw new FormatException($"output '{port.Name}' of step '{step.Name}': {e.Message}", e);
            }
        }

        return outputs;
    }

    private static void WriteArtifact(Utf8JsonWriter writer, StepPort port, string uri)
    {
        writer.WriteStartObject(port.Name);
        writer.WriteStartArray("artifacts");
        writer.WriteStartObject();
        writer.WriteString("name", port.Name);
        writer.WriteStartObject("type");
        writer.WriteString("schemaTitle", port.Codec.KfpType);
        writer.WriteEndObject();
        writer.WriteString("uri", uri);
        writer.WriteStartObject("metadata");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static KeyValuePair<string, string>[] EnvironmentOf(JsonElement container) =>
        container.TryGetProperty("env", out var env) && env.ValueKind == JsonValueKind.Array
            ? [.. env.EnumerateArray().Select(v => KeyValuePair.Create(v.GetProperty("name").GetString() ?? "", v.TryGetProperty("value", out var value) ? value.GetString() ?? "" : ""))]
            : [];

    private static string[] Strings(JsonElement container, string property) =>
        container.TryGetProperty(property, out var values) ? [.. values.EnumerateArray().Select(v => v.GetString()!)] : [];
}
