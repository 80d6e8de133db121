using System.Collections.Generic;
using System.Text;

namespace PipelineSdk.Generators.Emitting;

/// <summary>
/// A minimal JSON tree for writing specs inside the generator (which cannot use System.Text.Json).
/// Object keys are written in ordinal order, so the same model always gives byte-identical JSON.
/// </summary>
internal abstract class JsonNode
{
    public abstract void Write(StringBuilder output, int indent);

    public string ToJson()
    {
        var output = new StringBuilder();
        Write(output, 0);
        return output.Append('\n').ToString();
    }

    protected static void NewLine(StringBuilder output, int indent) => output.Append('\n').Append(' ', indent * 2);
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

    public override void Write(StringBuilder output, int indent)
    {
        if (_properties.Count == 0)
        {
            output.Append("{}");
            return;
        }

        output.Append('{');
        var first = true;
        foreach (var property in _properties)
        {
            if (!first)
            {
                output.Append(',');
            }

            first = false;
            NewLine(output, indent + 1);
            output.Append(Model.JsonLiteral.Quote(property.Key)).Append(": ");
            property.Value.Write(output, indent + 1);
        }

        NewLine(output, indent);
        output.Append('}');
    }
}

internal sealed class JsonArray(IEnumerable<JsonNode> items) : JsonNode
{
    private readonly List<JsonNode> _items = new(items);

    public override void Write(StringBuilder output, int indent)
    {
        if (_items.Count == 0)
        {
            output.Append("[]");
            return;
        }

        output.Append('[');
        for (var i = 0; i < _items.Count; i++)
        {
            if (i > 0)
            {
                output.Append(',');
            }

            NewLine(output, indent + 1);
            _items[i].Write(output, indent + 1);
        }

        NewLine(output, indent);
        output.Append(']');
    }
}

/// <summary>A JSON value already in canonical text form (a number, string, boolean or null literal).</summary>
internal sealed class JsonRaw(string text) : JsonNode
{
    public static JsonRaw String(string value) => new(Model.JsonLiteral.Quote(value));

    public static readonly JsonRaw True = new("true");

    public override void Write(StringBuilder output, int indent) => output.Append(text);
}
