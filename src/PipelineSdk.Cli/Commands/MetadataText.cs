using System.Globalization;
using System.Text.Json;
using PipelineSdk.Store;

namespace PipelineSdk.Cli.Commands;

/// <summary>Logged metadata for people: <c>accuracy=0.93, model=lightgbm</c>, and the <c>--where</c> conditions that filter on it.</summary>
internal static class MetadataText
{
    /// <summary>One line: each key and its value (strings bare, numbers as logged, tables and lists summarized).</summary>
    public static string Format(string metadataJson)
    {
        using var document = JsonDocument.Parse(metadataJson);
        return string.Join(", ", document.RootElement.EnumerateObject().Select(p => $"{p.Name}={Value(p.Value)}"));
    }

    /// <summary>One value as <see cref="Format"/> shows it.</summary>
    public static string Value(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Object when value.TryGetProperty("columns", out var columns) && value.TryGetProperty("rows", out var rows)
            => string.Create(CultureInfo.InvariantCulture, $"(table {rows.GetArrayLength()}×{columns.GetArrayLength()})"),
        JsonValueKind.Array => string.Create(CultureInfo.InvariantCulture, $"(list of {value.GetArrayLength()})"),
        _ => value.GetRawText(),
    };

    /// <summary>Parses the <c>--where</c> expressions.</summary>
    /// <exception cref="CliException">One is malformed; the message says which and how to write it.</exception>
    public static IReadOnlyList<MetadataCondition> Conditions(IEnumerable<string>? expressions)
    {
        var conditions = new List<MetadataCondition>();
        foreach (var expression in expressions ?? [])
        {
            try
            {
                conditions.Add(MetadataCondition.Parse(expression));
            }
            catch (FormatException e)
            {
                throw new CliException($"--where {e.Message}");
            }
        }

        return conditions;
    }
}
