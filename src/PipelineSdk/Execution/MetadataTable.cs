using System.Text.Json.Nodes;

namespace PipelineSdk;

/// <summary>
/// A small table to log as one metadata value (per-class scores, a leaderboard): named columns and rows of numbers, strings
/// or booleans. Kept as <c>{"columns": [...], "rows": [[...], ...]}</c>.
/// </summary>
public sealed class MetadataTable
{
    private readonly List<object?[]> _rows = [];

    /// <summary>A table with these column names.</summary>
    /// <exception cref="ArgumentException">No columns, or an empty name.</exception>
    public MetadataTable(params string[] columns)
    {
        if (columns.Length == 0 || columns.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("a metadata table needs at least one column, each with a name", nameof(columns));
        }

        Columns = columns;
    }

    /// <summary>The column names.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>The rows added so far.</summary>
    public IReadOnlyList<IReadOnlyList<object?>> Rows => _rows;

    /// <summary>Adds a row with one value per column; returns the table, so calls chain.</summary>
    /// <exception cref="ArgumentException">It has another number of values than the table has columns.</exception>
    public MetadataTable AddRow(params object?[] values)
    {
        if (values.Length != Columns.Count)
        {
            throw new ArgumentException($"the row has {values.Length} values and the table {Columns.Count} columns ({string.Join(", ", Columns)})", nameof(values));
        }

        _rows.Add(values);
        return this;
    }

    internal JsonObject ToJson() => new()
    {
        ["columns"] = new JsonArray([.. Columns.Select(c => (JsonNode?)JsonValue.Create(c))]),
        ["rows"] = new JsonArray([.. _rows.Select(row => (JsonNode?)new JsonArray([.. row.Select(v => MetadataValues.ToNode(v, "a table cell"))]))]),
    };
}
