using System.Globalization;
using System.Text.Json;

namespace PipelineSdk.Values;

/// <summary>
/// The codecs for Kubeflow parameter types. Generated code composes them, e.g.
/// <c>ParameterCodecs.List(ParameterCodecs.Int32)</c> for <c>List&lt;int&gt;</c>.
/// </summary>
public static partial class ParameterCodecs
{
    /// <summary><c>int</c> as <c>NUMBER_INTEGER</c>.</summary>
    public static ParameterCodec Int32 { get; } = new Int32Codec();

    /// <summary><c>long</c> as <c>NUMBER_INTEGER</c>.</summary>
    public static ParameterCodec Int64 { get; } = new Int64Codec();

    /// <summary><c>double</c> as <c>NUMBER_DOUBLE</c>.</summary>
    public static ParameterCodec Double { get; } = new DoubleCodec();

    /// <summary><c>bool</c> as <c>BOOLEAN</c>.</summary>
    public static ParameterCodec Boolean { get; } = new BooleanCodec();

    /// <summary><c>string</c> as <c>STRING</c>.</summary>
    public static ParameterCodec String { get; } = new StringCodec();

    /// <summary><see cref="PipelineSdk.TaskFinalStatus"/> as <c>TASK_FINAL_STATUS</c>: the input of the step in a <c>finally</c> block.</summary>
    public static ParameterCodec TaskFinalStatus { get; } = new TaskFinalStatusCodec();

    /// <summary>A list of <typeparamref name="T"/> as <c>LIST</c>; reads produce a <see cref="List{T}"/>.</summary>
    public static ParameterCodec List<T>(ParameterCodec element) => new ListCodec<T>(element, asArray: false);

    /// <summary>An array of <typeparamref name="T"/> as <c>LIST</c>.</summary>
    public static ParameterCodec Array<T>(ParameterCodec element) => new ListCodec<T>(element, asArray: true);

    /// <summary>A string-keyed dictionary of <typeparamref name="T"/> as <c>STRUCT</c>; reads produce a <see cref="Dictionary{TKey, TValue}"/>.</summary>
    public static ParameterCodec Dictionary<T>(ParameterCodec value) => new DictionaryCodec<T>(value);

    private sealed class Int32Codec : ParameterCodec
    {
        public override string TypeName => "int";
        public override string KfpType => "NUMBER_INTEGER";
        protected override string ExpectedText => "a whole number like 5";
        public override void WriteJson(object? value, Utf8JsonWriter writer) => writer.WriteNumberValue((int)value!);
        public override object? ReadJson(JsonElement element) =>
            element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var v) ? v
            : element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var d) && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue ? (int)d
            : throw Mismatch(element);
    }

    private sealed class Int64Codec : ParameterCodec
    {
        public override string TypeName => "long";
        public override string KfpType => "NUMBER_INTEGER";
        protected override string ExpectedText => "a whole number like 5";
        public override void WriteJson(object? value, Utf8JsonWriter writer) => writer.WriteNumberValue((long)value!);
        public override object? ReadJson(JsonElement element) =>
            element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var v) ? v
            : element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var d) && d == Math.Floor(d) && d is >= long.MinValue and <= long.MaxValue ? (long)d
            : throw Mismatch(element);
    }

    private sealed class DoubleCodec : ParameterCodec
    {
        public override string TypeName => "double";
        public override string KfpType => "NUMBER_DOUBLE";
        protected override string ExpectedText => "a number like 0.5";

        public override void WriteJson(object? value, Utf8JsonWriter writer)
        {
            var number = (double)value!;
            if (!double.IsFinite(number))
            {
                throw new FormatException($"{number.ToString(CultureInfo.InvariantCulture)} cannot be passed between steps: Kubeflow parameters are JSON numbers, which have no NaN or infinity");
            }

            writer.WriteNumberValue(number);
        }

        public override object? ReadJson(JsonElement element) =>
            element.ValueKind == JsonValueKind.Number ? element.GetDouble() : throw Mismatch(element);
    }

    private sealed class BooleanCodec : ParameterCodec
    {
        public override string TypeName => "bool";
        public override string KfpType => "BOOLEAN";
        protected override string ExpectedText => "true or false";
        public override void WriteJson(object? value, Utf8JsonWriter writer) => writer.WriteBooleanValue((bool)value!);
        public override object? ReadJson(JsonElement element) => element.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Mismatch(element),
        };
    }

    private sealed class StringCodec : ParameterCodec
    {
        public override string TypeName => "string";
        public override string KfpType => "STRING";
        protected override string ExpectedText => "a string";

        public override void WriteJson(object? value, Utf8JsonWriter writer)
        {
            if (value is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteStringValue((string)value);
            }
        }

        public override object? ReadJson(JsonElement element) => element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Null => null,
            _ => throw Mismatch(element),
        };

        // A person types strings bare: `--param name=world`, not `--param name="world"`.
        public override object? ParseText(string text) => text;
    }

    private sealed class ListCodec<T>(ParameterCodec element, bool asArray) : ParameterCodec
    {
        public override string TypeName => asArray ? $"{element.TypeName}[]" : $"List<{element.TypeName}>";
        public override string KfpType => "LIST";
        protected override string ExpectedText => "a JSON list like [1, 2]";

        public override void WriteJson(object? value, Utf8JsonWriter writer)
        {
            writer.WriteStartArray();
            foreach (var item in (IEnumerable<T>)value!)
            {
                element.WriteJson(item, writer);
            }

            writer.WriteEndArray();
        }

        public override object? ReadJson(JsonElement json)
        {
            if (json.ValueKind != JsonValueKind.Array)
            {
                throw Mismatch(json);
            }

            var items = new List<T>(json.GetArrayLength());
            foreach (var item in json.EnumerateArray())
            {
                items.Add((T)element.ReadJson(item)!);
            }

            return asArray ? items.ToArray() : items;
        }

        public override object? FromItems(IReadOnlyList<object?> items)
        {
            var list = items.Select(i => (T)i!).ToList();
            return asArray ? list.ToArray() : list;
        }
    }

    private sealed class TaskFinalStatusCodec : ParameterCodec
    {
        public override string TypeName => nameof(PipelineSdk.TaskFinalStatus);
        public override string KfpType => "TASK_FINAL_STATUS";
        protected override string ExpectedText => "a JSON object like {\"state\": \"SUCCEEDED\"}";

        // The fields and names of Kubeflow's PipelineTaskFinalStatus message in JSON.
        public override void WriteJson(object? value, Utf8JsonWriter writer)
        {
            var status = (PipelineSdk.TaskFinalStatus)value!;
            writer.WriteStartObject();
            writer.WriteString("state", status.State);
            writer.WriteString("pipelineJobResourceName", status.PipelineJobResourceName);
            writer.WriteString("pipelineTaskName", status.PipelineTaskName);
            if (status.ErrorCode is not null || status.ErrorMessage is not null)
            {
                writer.WriteStartObject("error");
                writer.WriteNumber("code", status.ErrorCode ?? 0);
                writer.WriteString("message", status.ErrorMessage ?? "");
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        public override object? ReadJson(JsonElement json)
        {
            if (json.ValueKind != JsonValueKind.Object)
            {
                throw Mismatch(json);
            }

            string Text(JsonElement owner, string name) => owner.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
            int? code = null;
            string? message = null;
            if (json.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                code = error.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : null;
                message = Text(error, "message");
            }

            return new PipelineSdk.TaskFinalStatus(Text(json, "state"), Text(json, "pipelineJobResourceName"), Text(json, "pipelineTaskName"), code, message);
        }
    }

    private sealed class DictionaryCodec<T>(ParameterCodec value) : ParameterCodec
    {
        public override string TypeName => $"Dictionary<string, {value.TypeName}>";
        public override string KfpType => "STRUCT";
        protected override string ExpectedText => "a JSON object like {\"a\": 1}";

        public override void WriteJson(object? dictionary, Utf8JsonWriter writer)
        {
            writer.WriteStartObject();
            // Ordinal key order makes equal dictionaries serialize to equal bytes (and equal cache keys).
            foreach (var pair in ((IEnumerable<KeyValuePair<string, T>>)dictionary!).OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                writer.WritePropertyName(pair.Key);
                value.WriteJson(pair.Value, writer);
            }

            writer.WriteEndObject();
        }

        public override object? ReadJson(JsonElement json)
        {
            if (json.ValueKind != JsonValueKind.Object)
            {
                throw Mismatch(json);
            }

            var result = new Dictionary<string, T>();
            foreach (var property in json.EnumerateObject())
            {
                result[property.Name] = (T)value.ReadJson(property.Value)!;
            }

            return result;
        }
    }
}
