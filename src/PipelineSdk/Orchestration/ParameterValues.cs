using System.Text;
using System.Text.Json;
using PipelineSdk.Descriptors;

namespace PipelineSdk.Orchestration;

/// <summary>A run's pipeline parameter values: given ones checked, defaults filled in, written as JSON.</summary>
internal static class ParameterValues
{
    /// <summary>Checks the given values against the pipeline's parameters and adds the defaults of the rest.</summary>
    /// <exception cref="ArgumentException">A parameter is unknown or a required one is missing.</exception>
    public static Dictionary<string, object?> Resolve(PipelineDescriptor pipeline, IReadOnlyDictionary<string, object?> given)
    {
        var unknown = given.Keys.Where(k => pipeline.Parameters.All(p => p.Name != k)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException(
                $"Pipeline '{pipeline.Name}' has no parameter '{unknown[0]}'; its parameters are {Describe(pipeline)}.");
        }

        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var parameter in pipeline.Parameters)
        {
            // A null for a parameter with a default means "not given": the typed runner passes null for [Default] lists.
            if (given.TryGetValue(parameter.Name, out var value) && !(value is null && parameter.DefaultJson is not null))
            {
                try
                {
                    parameter.Codec.ToBytes(value);
                }
                catch (Exception e) when (e is InvalidCastException or NullReferenceException or FormatException)
                {
                    throw new ArgumentException($"Parameter '{parameter.Name}' of pipeline '{pipeline.Name}' must be {parameter.Codec.TypeName}, got {value?.GetType().Name ?? "null"}.", e);
                }

                values[parameter.Name] = value;
            }
            else if (parameter.DefaultJson is { } defaultJson)
            {
                values[parameter.Name] = parameter.Codec.FromBytes(Encoding.UTF8.GetBytes(defaultJson));
            }
            else
            {
                throw new ArgumentException(
                    $"Pipeline '{pipeline.Name}' needs a value for parameter '{parameter.Name}' ({parameter.Codec.TypeName}); pass --param {parameter.Name}=VALUE.");
            }
        }

        return values;
    }

    /// <summary>The values as one JSON object, each written by its parameter's codec.</summary>
    public static string ToJson(PipelineDescriptor pipeline, IReadOnlyDictionary<string, object?> values) =>
        ToJson(pipeline, name => pipeline.Parameters.First(p => p.Name == name).Codec.ToBytes(values[name]));

    /// <summary>The parameters as one JSON object from each one's canonical JSON, as <paramref name="json"/> gives it by name.</summary>
    internal static string ToJson(PipelineDescriptor pipeline, Func<string, byte[]> json)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var parameter in pipeline.Parameters)
            {
                writer.WritePropertyName(parameter.Name);
                writer.WriteRawValue(json(parameter.Name), skipInputValidation: true);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The values as JSON values by name, each written by its parameter's codec (a remote run's parameters).</summary>
    public static Dictionary<string, JsonElement> ToJsonElements(PipelineDescriptor pipeline, IReadOnlyDictionary<string, object?> values) =>
        pipeline.Parameters.ToDictionary(p => p.Name, p =>
        {
            using var document = JsonDocument.Parse(p.Codec.ToBytes(values[p.Name]));
            return document.RootElement.Clone();
        });

    private static string Describe(PipelineDescriptor pipeline) =>
        pipeline.Parameters.Count == 0 ? "none" : string.Join(", ", pipeline.Parameters.Select(p => $"{p.Name} ({p.Codec.TypeName})"));
}
