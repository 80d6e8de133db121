using System.Text.Json;

namespace PipelineSdk.Values;

public static partial class ParameterCodecs
{
    /// <summary>
    /// Any JSON object as <c>STRUCT</c>, read as a <see cref="JsonElement"/>: the item of a loop over constant records,
    /// anonymous objects or dictionaries of mixed values, whose fields the steps in the loop read one by one.
    /// </summary>
    public static ParameterCodec Struct { get; } = new StructCodec();

    private sealed class StructCodec : ParameterCodec
    {
        public override string TypeName => "object";
        public override string KfpType => "STRUCT";
        protected override string ExpectedText => "a JSON object like {\"a\": 1}";

        // Ordinal key order at every level makes equal objects serialize to equal bytes (and equal cache keys).
        public override void WriteJson(object? value, Utf8JsonWriter writer) => WriteSorted((JsonElement)value!, writer);

        public override object? ReadJson(JsonElement element) =>
            element.ValueKind == JsonValueKind.Object ? element.Clone() : throw Mismatch(element);

        private static void WriteSorted(JsonElement element, Utf8JsonWriter writer)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    writer.WriteStartObject();
                    foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                    {
                        writer.WritePropertyName(property.Name);
                        WriteSorted(property.Value, writer);
                    }

                    writer.WriteEndObject();
                    break;
                case JsonValueKind.Array:
                    writer.WriteStartArray();
                    foreach (var item in element.EnumerateArray())
                    {
                        WriteSorted(item, writer);
                    }

                    writer.WriteEndArray();
                    break;
                default:
                    element.WriteTo(writer);
                    break;
            }
        }
    }
}
