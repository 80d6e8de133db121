using System;
using System.Globalization;
using System.Text;

namespace PipelineSdk.Generators.Model;

/// <summary>Canonical JSON for constants (invariant culture, no whitespace), matching the runtime's codecs.</summary>
internal static class JsonLiteral
{
    /// <summary>The JSON for a C# constant, or null when it has no JSON form (NaN, infinity, char, ...).</summary>
    public static string? From(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        string s => Quote(s),
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d when !double.IsNaN(d) && !double.IsInfinity(d) => FormatDouble(d),
        _ => null,
    };

    public static string Quote(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                default:
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\'' || c == '+' || c == '`' || (c >= 0x7f && c <= 0x9f) || char.IsSurrogate(c) || c > 0x7e)
                    {
                        // Escape as System.Text.Json does by default, so specs stay plain ASCII.
                        builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    private static string FormatDouble(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.IndexOfAny(new[] { '.', 'E', 'e' }) >= 0 ? text : text + ".0";
    }
}
