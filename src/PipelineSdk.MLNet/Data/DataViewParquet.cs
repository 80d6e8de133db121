using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using Parquet;
using Parquet.Schema;

namespace PipelineSdk.MLNet.Data;

/// <summary>
/// Writes an <see cref="IDataView"/> as one Parquet file and reads it back: one Parquet column per visible ML.NET column,
/// so pandas, DuckDB, Spark or the dashboard open the data as it is. Columns of type Single, Double, Int32, Int64, Boolean
/// and Text are stored; a vector column (a step's featurized data) is refused with the fix, since featurization belongs in
/// the model.
/// </summary>
internal static class DataViewParquet
{
    /// <summary>Rows per Parquet row group: readers page by row group, so a group stays a few megabytes.</summary>
    private const int RowsPerGroup = 65_536;

    /// <summary>The ML.NET column types a data set can hold, by their names in the artifact's schema metadata.</summary>
    private static readonly (string Name, DataViewType Type, Type Clr)[] Supported =
    [
        ("Single", NumberDataViewType.Single, typeof(float)),
        ("Double", NumberDataViewType.Double, typeof(double)),
        ("Int32", NumberDataViewType.Int32, typeof(int)),
        ("Int64", NumberDataViewType.Int64, typeof(long)),
        ("Boolean", BooleanDataViewType.Instance, typeof(bool)),
        ("String", TextDataViewType.Instance, typeof(string)),
    ];

    public static void Write(IDataView data, string path) => WriteAsync(data, path).GetAwaiter().GetResult();

    public static IDataView Read(string path) => ReadAsync(path).GetAwaiter().GetResult();

    private static async Task WriteAsync(IDataView data, string path)
    {
        var columns = data.Schema.Where(c => !c.IsHidden).Select(Buffer).ToArray();
        var fields = columns.Select(c => c.Field).ToArray();
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), file).ConfigureAwait(false);
        using var cursor = data.GetRowCursor(columns.Select(c => c.Column));
        var getters = columns.Select(c => c.Bind(cursor)).ToArray();
        var rows = 0;
        while (cursor.MoveNext())
        {
            foreach (var append in getters)
            {
                append();
            }

            if (++rows == RowsPerGroup)
            {
                await FlushAsync(writer, columns).ConfigureAwait(false);
                rows = 0;
            }
        }

        if (rows > 0)
        {
            await FlushAsync(writer, columns).ConfigureAwait(false);
        }
    }

    private static async Task<IDataView> ReadAsync(string path)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024);
        await using var reader = await ParquetReader.CreateAsync(file).ConfigureAwait(false);
        var fields = reader.Schema.GetDataFields();
        var builder = new DataViewSchema.Builder();
        var readers = new List<ColumnReader>(fields.Length);
        foreach (var field in fields)
        {
            // Parquet.Net reads UTF-8 columns as ReadOnlyMemory<char>; they are ML.NET's Text columns.
            var clr = field.ClrType == typeof(ReadOnlyMemory<char>) ? typeof(string) : field.ClrType;
            var kind = Supported.FirstOrDefault(s => s.Clr == clr);
            if (kind.Name is null || field.IsArray || field.IsNullable && clr != typeof(string))
            {
                throw new FormatException($"{path} has column '{field.Name}' of Parquet type {field.ClrType.Name}{(field.IsArray ? "[]" : "")}{(field.IsNullable ? " (nullable)" : "")}; an IDataView artifact holds non-null Single, Double, Int32, Int64, Boolean or String columns");
            }

            builder.AddColumn(field.Name, kind.Type);
            readers.Add(ColumnReader.For(field, clr));
        }

        long rows = 0;
        for (var group = 0; group < reader.RowGroupCount; group++)
        {
            using var rowGroup = reader.OpenRowGroupReader(group);
            foreach (var column in readers)
            {
                await column.ReadAsync(rowGroup).ConfigureAwait(false);
            }

            rows += rowGroup.RowCount;
        }

        return new InMemoryDataView(builder.ToSchema(), [.. readers.Select(r => r.ToArray())], rows);
    }

    /// <summary>The number of rows of a file <see cref="Write"/> wrote, from its footer (no data is read).</summary>
    public static long RowCount(string path) => RowCountAsync(path).GetAwaiter().GetResult();

    private static async Task<long> RowCountAsync(string path)
    {
        await using var reader = await ParquetReader.CreateAsync(path).ConfigureAwait(false);
        long rows = 0;
        for (var group = 0; group < reader.RowGroupCount; group++)
        {
            using var rowGroup = reader.OpenRowGroupReader(group);
            rows += rowGroup.RowCount;
        }

        return rows;
    }

    /// <summary>The schema as artifact metadata: <c>[{"name": "Age", "type": "Single"}, …]</c>, in column order.</summary>
    public static JsonArray SchemaJson(DataViewSchema schema) =>
        [.. schema.Where(c => !c.IsHidden).Select(c => (JsonNode)new JsonObject { ["name"] = c.Name, ["type"] = TypeName(c) })];

    private static string TypeName(DataViewSchema.Column column) =>
        Supported.FirstOrDefault(s => s.Type.Equals(column.Type)).Name ?? column.Type.ToString() ?? "unknown";

    private static async Task FlushAsync(ParquetWriter writer, ColumnBuffer[] columns)
    {
        using var group = writer.CreateRowGroup();
        foreach (var column in columns)
        {
            await column.FlushAsync(group).ConfigureAwait(false);
        }
    }

    private static ColumnBuffer Buffer(DataViewSchema.Column column) => column.Type switch
    {
        NumberDataViewType t when t == NumberDataViewType.Single => new ScalarBuffer<float>(column),
        NumberDataViewType t when t == NumberDataViewType.Double => new ScalarBuffer<double>(column),
        NumberDataViewType t when t == NumberDataViewType.Int32 => new ScalarBuffer<int>(column),
        NumberDataViewType t when t == NumberDataViewType.Int64 => new ScalarBuffer<long>(column),
        BooleanDataViewType => new ScalarBuffer<bool>(column),
        TextDataViewType => new TextBuffer(column),
        VectorDataViewType vector => throw new FormatException(
            $"column '{column.Name}' is a vector ({vector}); an IDataView artifact stores plain columns (Single, Double, Int32, Int64, Boolean, Text): return the data before Concatenate and put the featurization into the model's pipeline, or drop the column with DropColumns"),
        _ => throw new FormatException(
            $"column '{column.Name}' has type {column.Type}; an IDataView artifact stores Single, Double, Int32, Int64, Boolean and Text columns: convert it with ConvertType, or drop it with DropColumns"),
    };

    /// <summary>One column's values of the rows read since the last row group.</summary>
    private abstract class ColumnBuffer(DataViewSchema.Column column, DataField parquetField)
    {
        public DataViewSchema.Column Column => column;

        public DataField Field => parquetField;

        /// <summary>An action that appends the cursor's current value.</summary>
        public abstract Action Bind(DataViewRowCursor cursor);

        public abstract Task FlushAsync(ParquetRowGroupWriter group);
    }

    private sealed class ScalarBuffer<T>(DataViewSchema.Column column) : ColumnBuffer(column, new DataField<T>(column.Name))
        where T : struct
    {
        private readonly List<T> _values = [];
        public override Action Bind(DataViewRowCursor cursor)
        {
            var getter = cursor.GetGetter<T>(Column);
            return () =>
            {
                T value = default;
                getter(ref value);
                _values.Add(value);
            };
        }

        public override async Task FlushAsync(ParquetRowGroupWriter group)
        {
            await group.WriteAsync(Field, new ReadOnlyMemory<T>([.. _values])).ConfigureAwait(false);
            _values.Clear();
        }
    }

    private sealed class TextBuffer(DataViewSchema.Column column) : ColumnBuffer(column, new DataField<string>(column.Name, nullable: false))
    {
        private readonly List<string> _values = [];
        public override Action Bind(DataViewRowCursor cursor)
        {
            var getter = cursor.GetGetter<ReadOnlyMemory<char>>(Column);
            return () =>
            {
                ReadOnlyMemory<char> value = default;
                getter(ref value);
                _values.Add(value.ToString());
            };
        }

        public override async Task FlushAsync(ParquetRowGroupWriter group)
        {
            await group.WriteAsync(Field, _values).ConfigureAwait(false);
            _values.Clear();
        }
    }

    /// <summary>One column's values, read row group by row group.</summary>
    private abstract class ColumnReader
    {
        public static ColumnReader For(DataField field, Type clr) => clr switch
        {
            var t when t == typeof(float) => new ScalarReader<float>(field),
            var t when t == typeof(double) => new ScalarReader<double>(field),
            var t when t == typeof(int) => new ScalarReader<int>(field),
            var t when t == typeof(long) => new ScalarReader<long>(field),
            var t when t == typeof(bool) => new ScalarReader<bool>(field),
            _ => new TextReader(field),
        };

        public abstract Task ReadAsync(ParquetRowGroupReader group);

        public abstract Array ToArray();
    }

    private sealed class ScalarReader<T>(DataField parquetField) : ColumnReader
        where T : struct
    {
        private readonly List<T> _values = [];

        public override async Task ReadAsync(ParquetRowGroupReader group)
        {
            var values = new T[group.RowCount];
            await group.ReadAsync<T>(parquetField, values).ConfigureAwait(false);
            _values.AddRange(values);
        }

        public override Array ToArray() => _values.ToArray();
    }

    private sealed class TextReader(DataField parquetField) : ColumnReader
    {
        private readonly List<ReadOnlyMemory<char>> _values = [];

        public override async Task ReadAsync(ParquetRowGroupReader group)
        {
            var values = new string[group.RowCount];
            await group.ReadAsync(parquetField, values).ConfigureAwait(false);
            _values.AddRange(values.Select(v => (v ?? "").AsMemory()));
        }

        public override Array ToArray() => _values.ToArray();
    }
}
