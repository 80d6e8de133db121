using System.Text;
using System.Text.RegularExpressions;

namespace PipelineSdk.Generators.Model;

/// <summary>Kubeflow naming: kebab-case keys, and the rules Vertex AI applies to them.</summary>
internal static class Naming
{
    public const int MaxPipelineNameLength = 128;

    /// <summary>Vertex AI label values (and Kubernetes labels) hold at most 63 characters.</summary>
    public const int MaxLabelLength = 63;

    private static readonly Regex ValidName = new("^[a-z0-9][a-z0-9-]*$", RegexOptions.CultureInvariant);

    /// <summary><c>GetFirstNum</c> → <c>get-first-num</c>; <c>LoadCSVData</c> → <c>load-csv-data</c>; <c>load_data</c> → <c>load-data</c>.</summary>
    public static string ToKebabCase(string name)
    {
        var result = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c == '_' || c == '-' || c == ' ' || c == '.')
            {
                AppendDash(result);
                continue;
            }

            if (char.IsUpper(c) && i > 0)
            {
                var previous = name[i - 1];
                var nextIsLower = i + 1 < name.Length && char.IsLower(name[i + 1]);
                if (char.IsLower(previous) || char.IsDigit(previous) || (char.IsUpper(previous) && nextIsLower))
                {
                    AppendDash(result);
                }
            }

            if (char.IsLetterOrDigit(c))
            {
                result.Append(char.ToLowerInvariant(c));
            }
        }

        return result.ToString().Trim('-');
    }

    /// <summary><c>get-first-num-2</c> → <c>GetFirstNum2</c>.</summary>
    public static string ToPascalCase(string kebab)
    {
        var result = new StringBuilder(kebab.Length);
        var upper = true;
        foreach (var c in kebab)
        {
            if (c == '-')
            {
                upper = true;
                continue;
            }

            result.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }

        return result.Length > 0 && char.IsDigit(result[0]) ? "_" + result : result.ToString();
    }

    /// <summary>Null when <paramref name="name"/> is a valid pipeline or component name; otherwise why not.</summary>
    public static string? Validate(string name, int maxLength)
    {
        if (name.Length == 0)
        {
            return "it is empty";
        }

        if (!ValidName.IsMatch(name))
        {
            return "use only lower-case letters, digits and '-', starting with a letter or digit";
        }

        return name.Length > maxLength ? $"it has {name.Length} characters, at most {maxLength} are allowed" : null;
    }

    private static void AppendDash(StringBuilder builder)
    {
        if (builder.Length > 0 && builder[builder.Length - 1] != '-')
        {
            builder.Append('-');
        }
    }
}
