using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PipelineSdk.Tests.Shared.SpecExecution;

/// <summary>
/// A task input's <c>parameterExpressionSelector</c> as Kubeflow's driver applies it: a CEL expression over the input
/// (<c>string_value</c> is its JSON text). The KFP compiler writes only field selections, <c>parseJson(string_value)["a"]</c>
/// (chained for nested fields); anything else fails the task, as an expression the driver cannot evaluate would.
/// </summary>
internal static partial class ParameterSelector
{
    [GeneratedRegex("""^parseJson\(string_value\)((?:\["(?:[^"\\]|\\.)*"\])+)$""")]
    private static partial Regex FieldSelection();

    [GeneratedRegex("""\["((?:[^"\\]|\\.)*)"\]""")]
    private static partial Regex Field();

    public static JsonNode? Apply(string task, string input, JsonNode? value, string selector)
    {
        var selection = FieldSelection().Match(selector);
        if (!selection.Success)
        {
            throw new FormatException($"task {task}: input {input} has a selector this executor cannot evaluate: {selector}");
        }

        foreach (Match field in Field().Matches(selection.Groups[1].Value))
        {
            var name = JsonNode.Parse("\"" + field.Groups[1].Value + "\"")!.GetValue<string>();
            value = value is JsonObject fields && fields.TryGetPropertyValue(name, out var selected)
                ? selected
                : throw new FormatException($"task {task}: input {input} selects the field {name} of {value?.ToJsonString() ?? "null"}, which has no such field");
        }

        return value?.DeepClone();
    }
}
