using System.Text;
using System.Text.Json;

namespace PipelineSdk.Execution;

/// <summary>
/// Kubeflow's structured placeholders, as its launcher resolves them: an element of a container's command or args that is
/// the JSON <c>{"IfPresent": {"InputName": ..., "Then": [...], "Else": [...]}}</c> becomes the <c>Then</c> elements when the
/// input has a value and the <c>Else</c> elements otherwise; <c>{"Concat": [...]}</c> becomes one element, its parts joined.
/// Both nest. Any other element has its plain placeholders replaced.
/// </summary>
internal static class StructuredPlaceholders
{
    /// <summary>The elements <paramref name="element"/> stands for.</summary>
    /// <param name="element">One element of a command line.</param>
    /// <param name="isPresent">Whether an input has a value in the ExecutorInput.</param>
    /// <param name="replace">Replaces the plain placeholders in a string.</param>
    public static IEnumerable<string> Expand(string element, Func<string, bool> isPresent, Func<string, string> replace)
    {
        if (!element.StartsWith("{\"IfPresent\"", StringComparison.Ordinal) && !element.StartsWith("{\"Concat\"", StringComparison.Ordinal))
        {
            return [replace(element)];
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(element);
        }
        catch (JsonException)
        {
            // Text that only looks like a placeholder is an ordinary argument.
            return [replace(element)];
        }

        using (document)
        {
            var result = new List<string>();
            ExpandNode(document.RootElement, isPresent, replace, result);
            return result;
        }
    }

    private static void ExpandNode(JsonElement node, Func<string, bool> isPresent, Func<string, string> replace, List<string> into)
    {
        switch (node.ValueKind)
        {
            case JsonValueKind.String:
                into.AddRange(Expand(node.GetString()!, isPresent, replace));
                return;
            case JsonValueKind.Object when node.TryGetProperty("IfPresent", out var condition):
                var name = condition.TryGetProperty("InputName", out var input) ? input.GetString() ?? "" : "";
                if (condition.TryGetProperty(isPresent(name) ? "Then" : "Else", out var branch))
                {
                    foreach (var item in branch.ValueKind == JsonValueKind.Array ? branch.EnumerateArray() : Enumerable.Repeat(branch, 1))
                    {
                        ExpandNode(item, isPresent, replace, into);
                    }
                }

                return;
            case JsonValueKind.Object when node.TryGetProperty("Concat", out var parts) && parts.ValueKind == JsonValueKind.Array:
                var joined = new StringBuilder();
                foreach (var part in parts.EnumerateArray())
                {
                    var expanded = new List<string>();
                    ExpandNode(part, isPresent, replace, expanded);
                    joined.Append(string.Concat(expanded));
                }

                into.Add(joined.ToString());
                return;
            default:
                throw new FormatException($"'{node.GetRawText()}' is not a placeholder Kubeflow's launcher resolves (a string, IfPresent or Concat)");
        }
    }
}
