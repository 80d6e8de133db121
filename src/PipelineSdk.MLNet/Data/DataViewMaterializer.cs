using System.Text.Json.Nodes;
using Microsoft.ML;
using PipelineSdk.Values;

namespace PipelineSdk.MLNet.Data;

/// <summary>
/// Stores an <see cref="IDataView"/> as a Parquet file (<c>system.Dataset</c>) with its row count and schema in the
/// artifact's metadata; a step that takes one reads it back in memory. Registered by this package, so steps simply take and
/// return <see cref="IDataView"/>.
/// </summary>
public sealed class DataViewMaterializer : ArtifactMaterializer<IDataView>
{
    /// <inheritdoc />
    public override void Write(IDataView value, string path) => DataViewParquet.Write(value, path);

    /// <inheritdoc />
    public override IDataView Read(string path) => DataViewParquet.Read(path);

    /// <inheritdoc />
    public override JsonObject? Metadata(IDataView value, string path) => new()
    {
        ["format"] = "parquet",
        ["rows"] = DataViewParquet.RowCount(path),
        ["schema"] = DataViewParquet.SchemaJson(value.Schema),
    };
}
