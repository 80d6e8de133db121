using System.Collections.Generic;
using System.Text;

namespace PipelineSdk.Generators.Emitting;

/// <summary>
/// A minimal JSON tree for writing specs inside the generator (which cannot use System.Text.Json).
/// Object keys are written in ordinal order, so the same model always gives byte-identical JSON. The JSON is
/// compact: the spec is embedded in every program, and indentation made up most of it.
/// </summary>
internal abstract class JsonNode
{
    public abstract void Write(StringBuilder output);

    public string ToJson()
    {
        var output = new StringBuilder();
        Write(output);
        return output.ToString();
    }
}

internal sealed class JsonObject : JsonNode
{
    private readonly SortedDictionary<string, JsonNode> _properties = new(System.StringComparer.Ordinal);

    public int Count => _properties.Count;

    public JsonNode this[string key]
    {
        set => _properties[key] = value;
    }

    /// <summary>The object under <paramref name="key"/>, created when missing.</summary>
    public JsonObject Object(string key)
    {
        if (!_properties.TryGetValue(key, out var node) || node is not JsonObject child)
        {
            child = new JsonObject();
            _properties[key] = child;
        }

        return child;
    }

    public override void Write(StringBuilder output)
    {
        output.Append('{');
        var first = true;
        foreach (var property in _properties)
        {
            if (!first)
            {
                output.Append(',');
            }

            first = false;
            output.Append(Model.JsonLiteral.Quote(property.Key)).Append(':');
            property.Value.Write(output);
        }

        output.Append('}');
    }
}

internal sealed class JsonArray(IEnumerable<JsonNode> items) : JsonNode
{
    private readonly List<JsonNode> _items = new(items);

    public override void Write(StringBuilder output)
    {
        output.Append('[');
        for (var i = 0; i < _items.Count; i++)
        {
            if (i > 0)
            {
                output.Append(',');
            }

            _items[i].Write(output);
        }

        output.Append(']');
    }
}

/// <summary>A JSON value already in canonical text form (a number, string, boolean or null literal).</summary>
internal sealed class JsonRaw(string text) : JsonNode
{
    public static JsonRaw String(string value) => new(Model.JsonLiteral.Quote(value));

    public static readonly JsonRaw True = new("true");

    public override void Write(StringBuilder output) => output.Append(text);
}
