using Microsoft.ML;
using Microsoft.ML.Data;

namespace PipelineSdk.MLNet.Data;

/// <summary>
/// A read-only <see cref="IDataView"/> over columns held in arrays (one array per column, one element per row), which is
/// what a data set read from Parquet becomes. ML.NET offers no public way to build a view from columns whose types are
/// known only at run time, hence this small one.
/// </summary>
internal sealed class InMemoryDataView : IDataView
{
    private readonly Array[] _columns;
    private readonly long _rows;

    /// <param name="schema">The columns' names and types.</param>
    /// <param name="columns">Per column of <paramref name="schema"/>, an array of its values (<c>float[]</c> for Single, <c>ReadOnlyMemory&lt;char&gt;[]</c> for Text, <c>VBuffer&lt;float&gt;[]</c> for a vector of Single, …).</param>
    /// <param name="rows">The number of rows.</param>
    public InMemoryDataView(DataViewSchema schema, Array[] columns, long rows)
    {
        Schema = schema;
        _columns = columns;
        _rows = rows;
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _rows;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(this)];

    private sealed class Cursor(InMemoryDataView view) : DataViewRowCursor
    {
        private long _position = -1;

        public override long Position => _position;

        public override long Batch => 0;

        public override DataViewSchema Schema => view.Schema;

        public override bool MoveNext()
        {
            if (_position < view._rows)
            {
                _position++;
            }

            return _position < view._rows;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (view._columns[column.Index] is not TValue[] values)
            {
                throw new InvalidOperationException($"column '{column.Name}' holds {column.Type}, not {typeof(TValue).Name}");
            }

            return (ref TValue value) => value = values[_position];
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);
    }
}
