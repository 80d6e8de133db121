using System.Globalization;
using System.Text.Json;

namespace PipelineSdk.Store;

/// <summary>
/// One condition on logged metadata, as <c>pipelines runs list --where</c> takes it: <c>KEY OP VALUE</c> with <c>OP</c> one of
/// <c>&gt; &gt;= &lt; &lt;= = !=</c>. A number compares as a number with a number logged under <c>KEY</c>; anything else
/// compares as text (ordinal). A record without <c>KEY</c> matches no condition on it, not even <c>!=</c>.
/// </summary>
public sealed record MetadataCondition
{
    private static readonly string[] Operators = [">=", "<=", "!=", ">", "<", "="];

    private MetadataCondition(string key, string op, string value)
    {
        Key = key;
        Operator = op;
        Value = value;
    }

    /// <summary>The metadata key.</summary>
    public string Key { get; }

    /// <summary>One of <c>&gt; &gt;= &lt; &lt;= = !=</c>.</summary>
    public string Operator { get; }

    /// <summary>The value to compare with, as written (quotes removed).</summary>
    public string Value { get; }

    /// <summary>Parses <c>KEY OP VALUE</c>, e.g. <c>accuracy&gt;0.9</c> or <c>model = "lightgbm"</c>.</summary>
    /// <exception cref="FormatException">It is not of that form; the message says what is wrong and shows the form.</exception>
    public static MetadataCondition Parse(string expression)
    {
        const string form = "write KEY OP VALUE with OP one of > >= < <= = != (e.g. accuracy>0.9 or model=lightgbm)";
        for (var i = 0; i < expression.Length; i++)
        {
            var op = Operators.FirstOrDefault(o => string.CompareOrdinal(expression, i, o, 0, o.Length) == 0);
            if (op is null)
            {
                continue;
            }

            var key = expression[..i].Trim();
            var value = expression[(i + op.Length)..].Trim();
            if (key.Length == 0)
            {
                throw new FormatException($"'{expression}' has no key before '{op}'; {form}");
            }

            if (value.Length == 0)
            {
                throw new FormatException($"'{expression}' has no value after '{op}'; {form}");
            }

            if (value.Length >= 2 && (value[0] is '"' or '\'') && value[^1] == value[0])
            {
                value = value[1..^1];
            }
            else if (value.IndexOfAny(['<', '>', '=', '!']) >= 0)
            {
                throw new FormatException($"'{expression}' has more than one operator; {form}");
            }

            return new MetadataCondition(key, op, value);
        }

        throw new FormatException($"'{expression}' has no operator; {form}");
    }

    /// <summary>Whether the metadata object <paramref name="metadataJson"/> satisfies this condition.</summary>
    public bool Matches(string metadataJson)
    {
        using var document = JsonDocument.Parse(metadataJson);
        return document.RootElement.ValueKind == JsonValueKind.Object
            && document.RootElement.TryGetProperty(Key, out var logged)
            && Matches(logged);
    }

    private bool Matches(JsonElement logged)
    {
        int order;
        if (logged.ValueKind == JsonValueKind.Number && double.TryParse(Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var wanted))
        {
            order = logged.GetDouble().CompareTo(wanted);
        }
        else
        {
            var text = logged.ValueKind switch
            {
                JsonValueKind.String => logged.GetString()!,
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Number => logged.GetRawText(),
                _ => null,
            };
            if (text is null)
            {
                return false; // a table or a list has no order to compare with
            }

            order = string.CompareOrdinal(text, Value);
        }

        return Operator switch
        {
            ">" => order > 0,
            ">=" => order >= 0,
            "<" => order < 0,
            "<=" => order <= 0,
            "=" => order == 0,
            _ => order != 0,
        };
    }

    /// <inheritdoc />
    public override string ToString() => Key + Operator + Value;
}

/// <summary>Which runs <see cref="MetadataStore.ListRuns(RunQuery)"/> returns: every filter given must hold.</summary>
public sealed record RunQuery
{
    /// <summary>Only runs of this pipeline.</summary>
    public string? Pipeline { get; init; }

    /// <summary>At most this many runs, newest first.</summary>
    public int Limit { get; init; } = 100;

    /// <summary>Only runs with this status.</summary>
    public RunStatus? Status { get; init; }

    /// <summary>Only runs of this experiment.</summary>
    public string? Experiment { get; init; }

    /// <summary>Only runs whose logged run metadata satisfies every condition.</summary>
    public IReadOnlyList<MetadataCondition> Where { get; init; } = [];
}

/// <summary>An experiment: the runs recorded under one experiment name.</summary>
/// <param name="Name">The experiment's name.</param>
/// <param name="Runs">How many runs it has.</param>
/// <param name="Pipelines">The pipelines those runs ran, by name.</param>
/// <param name="FirstRunAt">When its first run started.</param>
/// <param name="LastRunAt">When its newest run started.</param>
public sealed record ExperimentRecord(string Name, int Runs, IReadOnlyList<string> Pipelines, DateTimeOffset FirstRunAt, DateTimeOffset LastRunAt);
