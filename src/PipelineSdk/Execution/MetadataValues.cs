using System.Collections;
using System.Globalization;
using System.Text.Json.Nodes;

namespace PipelineSdk;

/// <summary>Turns what a step logs into JSON: numbers, strings, booleans, URIs, times, tables, lists and dictionaries of those.</summary>
internal static class MetadataValues
{
    private const string Supported = "log numbers, strings, booleans, URIs, dates, a MetadataTable, or lists and string-keyed dictionaries of those";

    /// <exception cref="ArgumentException">The value is of a type metadata cannot hold, or a number JSON cannot hold.</exception>
    public static JsonNode? ToNode(object? value, string what) => value switch
    {
        null => null,
        string text => JsonValue.Create(text),
        bool flag => JsonValue.Create(flag),
        int or long or short or byte or sbyte or ushort or uint => JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        ulong number => JsonValue.Create(number),
        double number => Finite(number, what),
        float number => Finite(number, what),
        decimal number => JsonValue.Create(number),
        Uri uri => JsonValue.Create(uri.IsAbsoluteUri ? uri.AbsoluteUri : uri.OriginalString),
        DateTimeOffset time => JsonValue.Create(time.ToString("O", CultureInfo.InvariantCulture)),
        DateTime time => JsonValue.Create(time.ToString("O", CultureInfo.InvariantCulture)),
        TimeSpan span => JsonValue.Create(span.ToString("c", CultureInfo.InvariantCulture)),
        Guid id => JsonValue.Create(id.ToString()),
        Enum member => JsonValue.Create(member.ToString()),
        MetadataTable table => table.ToJson(),
        JsonNode node => node.DeepClone(),
        IDictionary dictionary => ToObject(dictionary, what),
        IEnumerable items => new JsonArray([.. items.Cast<object?>().Select(item => ToNode(item, what))]),
        _ => throw new ArgumentException($"{what} is a {value.GetType().Name}, which metadata cannot hold; {Supported}"),
    };

    private static JsonValue Finite(double number, string what) => double.IsFinite(number)
        ? JsonValue.Create(number)
        : throw new ArgumentException($"{what} is {number.ToString(CultureInfo.InvariantCulture)}, which JSON cannot hold; log a finite number, or a string");

    private static JsonObject ToObject(IDictionary dictionary, string what)
    {
        var result = new JsonObject();
        foreach (DictionaryEntry entry in dictionary)
        {
            if (entry.Key is not string key)
            {
                throw new ArgumentException($"{what} is a dictionary with {entry.Key.GetType().Name} keys; metadata dictionaries have string keys");
            }

            result[key] = ToNode(entry.Value, $"{what}['{key}']");
        }

        return result;
    }
}
