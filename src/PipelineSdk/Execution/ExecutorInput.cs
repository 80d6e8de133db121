using System.Text.Json;

namespace PipelineSdk.Execution;

/// <summary>The executor input was not what the Kubeflow v2 contract promises; the message names the field.</summary>
public sealed class MalformedExecutorInputException(string field, string problem)
    : Exception($"malformed executor input: {field}: {problem}")
{
    /// <summary>The JSON path of the offending field, e.g. <c>inputs.parameterValues.epochs</c>.</summary>
    public string Field { get; } = field;
}

/// <summary>One runtime artifact of the executor input: where it lives and what is known about it.</summary>
/// <param name="Name">The artifact's resource name, if any.</param>
/// <param name="Uri">Its URI (<c>gs://…</c> on Vertex).</param>
/// <param name="SchemaTitle">Its type, e.g. <c>system.Dataset</c>.</param>
/// <param name="MetadataJson">Its metadata as a JSON object.</param>
public sealed record RuntimeArtifact(string? Name, string Uri, string? SchemaTitle, string MetadataJson);

/// <summary>
/// The Kubeflow v2 <c>ExecutorInput</c> a step receives as <c>{{$}}</c>: input parameter values and
/// artifacts, and where to write outputs. Parsed field by field so every problem names its field.
/// </summary>
public sealed class ExecutorInput
{
    private ExecutorInput(
        IReadOnlyDictionary<string, JsonElement> parameterValues,
        IReadOnlyDictionary<string, IReadOnlyList<RuntimeArtifact>> inputArtifacts,
        IReadOnlyDictionary<string, string> outputParameterFiles,
        IReadOnlyDictionary<string, IReadOnlyList<RuntimeArtifact>> outputArtifacts,
        string outputFile)
    {
        ParameterValues = parameterValues;
        InputArtifactLists = inputArtifacts;
        InputArtifacts = inputArtifacts.ToDictionary(p => p.Key, p => p.Value[0], StringComparer.Ordinal);
        OutputParameterFiles = outputParameterFiles;
        OutputArtifacts = outputArtifacts.ToDictionary(p => p.Key, p => p.Value[0], StringComparer.Ordinal);
        OutputFile = outputFile;
    }

    /// <summary><c>inputs.parameterValues</c>: JSON values by input name.</summary>
    public IReadOnlyDictionary<string, JsonElement> ParameterValues { get; }

    /// <summary><c>inputs.artifacts[name].artifacts[0]</c> by input name.</summary>
    public IReadOnlyDictionary<string, RuntimeArtifact> InputArtifacts { get; }

    /// <summary><c>inputs.artifacts[name].artifacts</c> by input name: every artifact, for list inputs (<c>isArtifactList</c>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<RuntimeArtifact>> InputArtifactLists { get; }

    /// <summary><c>outputs.parameters[name].outputFile</c> by output name.</summary>
    public IReadOnlyDictionary<string, string> OutputParameterFiles { get; }

    /// <summary><c>outputs.artifacts[name].artifacts[0]</c> by output name.</summary>
    public IReadOnlyDictionary<string, RuntimeArtifact> OutputArtifacts { get; }

    /// <summary><c>outputs.outputFile</c>: where the ExecutorOutput JSON goes.</summary>
    public string OutputFile { get; }

    /// <summary>Parses executor input JSON. The returned object owns clones of the values, not the document.</summary>
    /// <exception cref="MalformedExecutorInputException">The text is not JSON or a field is missing or of the wrong kind.</exception>
    public static ExecutorInput Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new MalformedExecutorInputException("(document)", $"not JSON (line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1})");
        }

        using (document)
        {
            var root = Object(document.RootElement, "(document)");
            var inputs = Optional(root, "inputs", "inputs");
            var outputs = Object(Required(root, "outputs", "outputs"), "outputs");

            var parameterValues = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            if (inputs is { } i && Optional(i, "parameterValues", "inputs.parameterValues") is { } values)
            {
                foreach (var value in values.EnumerateObject())
                {
                    parameterValues[value.Name] = value.Value.Clone();
                }
            }

            var inputArtifacts = inputs is { } ia ? Artifacts(ia, "inputs.artifacts") : [];
            var outputParameterFiles = new Dictionary<string, string>(StringComparer.Ordinal);
            if (Optional(outputs, "parameters", "outputs.parameters") is { } parameters)
            {
                foreach (var parameter in parameters.EnumerateObject())
                {
                    var field = $"outputs.parameters.{parameter.Name}";
                    outputParameterFiles[parameter.Name] = String(Required(Object(parameter.Value, field), "outputFile", field + ".outputFile"), field + ".outputFile");
                }
            }

            var outputFile = String(Required(outputs, "outputFile", "outputs.outputFile"), "outputs.outputFile");
            return new ExecutorInput(parameterValues, inputArtifacts, outputParameterFiles, Artifacts(outputs, "outputs.artifacts"), outputFile);
        }
    }

    private static Dictionary<string, IReadOnlyList<RuntimeArtifact>> Artifacts(JsonElement owner, string field)
    {
        var result = new Dictionary<string, IReadOnlyList<RuntimeArtifact>>(StringComparer.Ordinal);
        if (Optional(owner, "artifacts", field) is not { } artifacts)
        {
            return result;
        }

        foreach (var entry in artifacts.EnumerateObject())
        {
            var listField = $"{field}.{entry.Name}.artifacts";
            var list = Required(Object(entry.Value, $"{field}.{entry.Name}"), "artifacts", listField);
            if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
            {
                throw new MalformedExecutorInputException(listField, "expected a non-empty list");
            }

            var items = new List<RuntimeArtifact>(list.GetArrayLength());
            for (var index = 0; index < list.GetArrayLength(); index++)
            {
                var itemField = $"{listField}[{index}]";
                var artifact = Object(list[index], itemField);
                var schemaTitle = Optional(artifact, "type", itemField + ".type") is { } type && type.TryGetProperty("schemaTitle", out var title) ? title.GetString() : null;
                var metadata = Optional(artifact, "metadata", itemField + ".metadata")?.GetRawText() ?? "{}";
                var name = artifact.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                items.Add(new RuntimeArtifact(name, String(Required(artifact, "uri", itemField + ".uri"), itemField + ".uri"), schemaTitle, metadata));
            }

            result[entry.Name] = items;
        }

        return result;
    }

    private static JsonElement Object(JsonElement element, string field) =>
        element.ValueKind == JsonValueKind.Object ? element : throw new MalformedExecutorInputException(field, $"expected an object, found {Kind(element)}");

    private static JsonElement Required(JsonElement owner, string property, string field) =>
        owner.TryGetProperty(property, out var value) ? value : throw new MalformedExecutorInputException(field, "missing");

    private static JsonElement? Optional(JsonElement owner, string property, string field) =>
        owner.TryGetProperty(property, out var value) ? Object(value, field) : null;

    private static string String(JsonElement element, string field) =>
        element.ValueKind == JsonValueKind.String && element.GetString() is { Length: > 0 } text
            ? text
            : throw new MalformedExecutorInputException(field, $"expected a non-empty string, found {Kind(element)}");

    private static string Kind(JsonElement element) => element.ValueKind.ToString().ToLowerInvariant();
}
