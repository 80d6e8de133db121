using System.CommandLine;
using System.Text.RegularExpressions;

namespace PipelineSdk.Hosting;

/// <summary>The one line a pipeline program and the <c>pipelines</c> tool print for a command line they cannot parse.</summary>
public static partial class CommandLineErrors
{
    [GeneratedRegex(@" as expected type '(?<type>[^']+)'")]
    private static partial Regex ExpectedType();

    /// <summary>
    /// The most telling parse error of <paramref name="parsed"/> (a token the parser did not understand says more
    /// than the missing command it then reports), worded without .NET type names; null when it parsed.
    /// </summary>
    public static string? FirstError(ParseResult parsed)
    {
        if (parsed.Errors.Count == 0)
        {
            return null;
        }

        var first = parsed.Errors.OrderBy(e => e.Message.StartsWith("Required command", StringComparison.Ordinal) ? 1 : 0).First();
        return $"{Readable(first.Message)} (see --help)";
    }

    /// <summary>Replaces .NET type names in a parse error with what the user should write.</summary>
    public static string Readable(string message) =>
        ExpectedType().Replace(message, match => ": expected " + Describe(match.Groups["type"].Value));

    private static string Describe(string typeName)
    {
        var inner = typeName.StartsWith("System.Nullable`1[", StringComparison.Ordinal) ? typeName["System.Nullable`1[".Length..^1] : typeName;
        return inner switch
        {
            "System.Int32" or "System.Int64" or "System.Int16" => "a whole number",
            "System.Double" or "System.Single" or "System.Decimal" => "a number",
            "System.Boolean" => "true or false",
            "System.TimeSpan" => "a duration such as 00:05:00",
            "System.DateTime" or "System.DateTimeOffset" => "a date and time such as 2026-01-31T12:00:00Z",
            _ => "a value of another form",
        };
    }
}
