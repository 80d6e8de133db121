using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PipelineSdk.Kubeflow.Tests.Fakes;

/// <summary>
/// The request messages of the Kubeflow Pipelines v2beta1 API that the fake accepts, written down by hand from the published
/// schema (backend/api/v2beta1/swagger/*.swagger.json in kubeflow/pipelines, read at its 2026-08 head), and checked the way
/// the server's JSON decoding (protojson) checks them: an unknown field, a value of the wrong JSON type, an enum value the
/// schema does not list, a malformed timestamp or int64 is refused. Like protojson, both the proto name (<c>display_name</c>)
/// and the JSON name (<c>displayName</c>) of a field are accepted.
/// </summary>
internal static class KfpSchema
{
    private static readonly FieldType Text = new Scalar("string");
    private static readonly FieldType Int64 = new Scalar("int64");
    private static readonly FieldType Int32 = new Scalar("int32");
    private static readonly FieldType Boolean = new Scalar("bool");
    private static readonly FieldType Timestamp = new Scalar("timestamp");
    private static readonly FieldType Struct = new Scalar("struct");
    private static readonly FieldType AnyValue = new Scalar("value");

    private static readonly string[] RuntimeStates = ["RUNTIME_STATE_UNSPECIFIED", "PENDING", "RUNNING", "SUCCEEDED", "SKIPPED", "FAILED", "CANCELING", "CANCELED", "PAUSED"];

    private static readonly Dictionary<string, Dictionary<string, FieldType>> Messages = new()
    {
        ["googleRpcStatus"] = new() { ["code"] = Int32, ["message"] = Text, ["details"] = new ArrayOf(Struct) },
        ["v2beta1Experiment"] = new()
        {
            ["experiment_id"] = Text, ["display_name"] = Text, ["description"] = Text, ["created_at"] = Timestamp, ["namespace"] = Text,
            ["storage_state"] = new EnumOf(["STORAGE_STATE_UNSPECIFIED", "AVAILABLE", "ARCHIVED"]), ["last_run_created_at"] = Timestamp,
        },
        ["v2beta1Pipeline"] = new()
        {
            ["pipeline_id"] = Text, ["display_name"] = Text, ["name"] = Text, ["description"] = Text, ["created_at"] = Timestamp,
            ["namespace"] = Text, ["error"] = new MessageOf("googleRpcStatus"), ["tags"] = new MapOf(Text),
        },
        ["v2beta1Url"] = new() { ["pipeline_url"] = Text },
        ["v2beta1PipelineVersion"] = new()
        {
            ["pipeline_id"] = Text, ["pipeline_version_id"] = Text, ["display_name"] = Text, ["name"] = Text, ["description"] = Text,
            ["created_at"] = Timestamp, ["package_url"] = new MessageOf("v2beta1Url"), ["code_source_url"] = Text, ["pipeline_spec"] = Struct,
            ["error"] = new MessageOf("googleRpcStatus"), ["tags"] = new MapOf(Text),
        },
        ["v2beta1CreatePipelineAndVersionRequest"] = new() { ["pipeline"] = new MessageOf("v2beta1Pipeline"), ["pipeline_version"] = new MessageOf("v2beta1PipelineVersion") },
        ["v2beta1PipelineVersionReference"] = new() { ["pipeline_id"] = Text, ["pipeline_version_id"] = Text },
        ["v2beta1RuntimeConfig"] = new() { ["parameters"] = new MapOf(AnyValue), ["pipeline_root"] = Text },
        ["v2beta1RuntimeStatus"] = new() { ["update_time"] = Timestamp, ["state"] = new EnumOf(RuntimeStates), ["error"] = new MessageOf("googleRpcStatus") },
        ["v2beta1Run"] = new()
        {
            ["experiment_id"] = Text, ["run_id"] = Text, ["display_name"] = Text, ["storage_state"] = new EnumOf(["STORAGE_STATE_UNSPECIFIED", "AVAILABLE", "ARCHIVED"]),
            ["description"] = Text, ["pipeline_version_id"] = Text, ["pipeline_spec"] = Struct, ["pipeline_version_reference"] = new MessageOf("v2beta1PipelineVersionReference"),
            ["runtime_config"] = new MessageOf("v2beta1RuntimeConfig"), ["service_account"] = Text, ["created_at"] = Timestamp, ["scheduled_at"] = Timestamp,
            ["finished_at"] = Timestamp, ["state"] = new EnumOf(RuntimeStates), ["error"] = new MessageOf("googleRpcStatus"), ["run_details"] = Struct,
            ["recurring_run_id"] = Text, ["state_history"] = new ArrayOf(new MessageOf("v2beta1RuntimeStatus")), ["plugins_input"] = Struct, ["plugins_output"] = Struct,
        },
        ["v2beta1CronSchedule"] = new() { ["start_time"] = Timestamp, ["end_time"] = Timestamp, ["cron"] = Text },
        ["v2beta1PeriodicSchedule"] = new() { ["start_time"] = Timestamp, ["end_time"] = Timestamp, ["interval_second"] = Int64 },
        ["v2beta1Trigger"] = new() { ["cron_schedule"] = new MessageOf("v2beta1CronSchedule"), ["periodic_schedule"] = new MessageOf("v2beta1PeriodicSchedule") },
        ["v2beta1RecurringRun"] = new()
        {
            ["recurring_run_id"] = Text, ["display_name"] = Text, ["description"] = Text, ["pipeline_version_id"] = Text, ["pipeline_spec"] = Struct,
            ["pipeline_version_reference"] = new MessageOf("v2beta1PipelineVersionReference"), ["runtime_config"] = new MessageOf("v2beta1RuntimeConfig"),
            ["service_account"] = Text, ["max_concurrency"] = Int64, ["trigger"] = new MessageOf("v2beta1Trigger"),
            ["mode"] = new EnumOf(["MODE_UNSPECIFIED", "ENABLE", "DISABLE"]), ["created_at"] = Timestamp, ["updated_at"] = Timestamp,
            ["status"] = new EnumOf(["STATUS_UNSPECIFIED", "ENABLED", "DISABLED"]), ["error"] = new MessageOf("googleRpcStatus"), ["no_catchup"] = Boolean,
            ["namespace"] = Text, ["experiment_id"] = Text, ["plugins_input"] = Struct,
        },
        ["v2beta1Filter"] = new() { ["predicates"] = new ArrayOf(new MessageOf("v2beta1Predicate")) },
        ["v2beta1Predicate"] = new()
        {
            ["operation"] = new EnumOf(["OPERATION_UNSPECIFIED", "EQUALS", "NOT_EQUALS", "GREATER_THAN", "GREATER_THAN_EQUALS", "LESS_THAN", "LESS_THAN_EQUALS", "IN", "IS_SUBSTRING"]),
            ["key"] = Text, ["int_value"] = Int32, ["long_value"] = Int64, ["string_value"] = Text, ["timestamp_value"] = Timestamp,
            ["int_values"] = Struct, ["long_values"] = Struct, ["string_values"] = Struct,
        },
    };

    /// <summary>Every way <paramref name="node"/> is not a valid <paramref name="message"/>, as the server words it; empty when it is.</summary>
    public static List<string> Check(JsonNode? node, string message)
    {
        var problems = new List<string>();
        CheckMessage(node, message, message, problems);
        return problems;
    }

    /// <summary>The value of a field by its proto or JSON name.</summary>
    public static JsonNode? Field(JsonNode? node, string protoName) =>
        node is JsonObject o ? o[protoName] ?? o[JsonName(protoName)] : null;

    private static void CheckMessage(JsonNode? node, string message, string path, List<string> problems)
    {
        if (node is not JsonObject fields)
        {
            problems.Add($"{path}: expected an object for {message}");
            return;
        }

        var definition = Messages[message];
        foreach (var (name, value) in fields)
        {
            var field = definition.Keys.FirstOrDefault(f => f == name || JsonName(f) == name);
            if (field is null)
            {
                problems.Add($"proto: unknown field \"{name}\" in {message}");
                continue;
            }

            if (value is not null)
            {
                CheckValue(value, definition[field], $"{path}.{field}", problems);
            }
        }
    }

    private static void CheckValue(JsonNode value, FieldType type, string path, List<string> problems)
    {
        switch (type)
        {
            case MessageOf m:
                CheckMessage(value, m.Name, path, problems);
                break;
            case ArrayOf a when value is JsonArray items:
                foreach (var item in items)
                {
                    if (item is not null)
                    {
                        CheckValue(item, a.Item, path + "[]", problems);
                    }
                }

                break;
            case MapOf map when value is JsonObject entries:
                foreach (var (key, item) in entries)
                {
                    if (item is not null || map.Value != AnyValue)
                    {
                        CheckValue(item ?? JsonValue.Create(0), map.Value, $"{path}[{key}]", problems);
                    }
                }

                break;
            case EnumOf e when value.GetValueKind() == JsonValueKind.String:
                if (!e.Values.Contains(value.GetValue<string>()))
                {
                    problems.Add($"proto: invalid value for enum field {path}: \"{value.GetValue<string>()}\"");
                }

                break;
            case Scalar { Kind: "string" } when value.GetValueKind() == JsonValueKind.String:
            case Scalar { Kind: "bool" } when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
            case Scalar { Kind: "struct" } when value is JsonObject:
            case Scalar { Kind: "value" }:
                break;
            case Scalar { Kind: "int32" } when value.GetValueKind() == JsonValueKind.Number && value.GetValue<double>() % 1 == 0:
                break;
            case Scalar { Kind: "int64" } when (value.GetValueKind() == JsonValueKind.String && long.TryParse(value.GetValue<string>(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                || (value.GetValueKind() == JsonValueKind.Number && value.GetValue<double>() % 1 == 0):
                break;
            case Scalar { Kind: "timestamp" } when value.GetValueKind() == JsonValueKind.String && DateTimeOffset.TryParse(value.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.None, out _):
                break;
            default:
                problems.Add($"proto: invalid value for {Describe(type)} field {path}: {value.ToJsonString()}");
                break;
        }
    }

    private static string Describe(FieldType type) => type switch
    {
        Scalar s => s.Kind,
        EnumOf => "enum",
        MessageOf m => m.Name,
        ArrayOf a => "repeated " + Describe(a.Item),
        MapOf m => "map of " + Describe(m.Value),
        _ => "unknown",
    };

    private static string JsonName(string protoName)
    {
        var parts = protoName.Split('_');
        return parts[0] + string.Concat(parts.Skip(1).Select(p => p.Length == 0 ? "" : char.ToUpperInvariant(p[0]) + p[1..]));
    }

    private abstract record FieldType;

    private sealed record Scalar(string Kind) : FieldType;

    private sealed record EnumOf(string[] Values) : FieldType;

    private sealed record MessageOf(string Name) : FieldType;

    private sealed record ArrayOf(FieldType Item) : FieldType;

    private sealed record MapOf(FieldType Value) : FieldType;
}
