using System.IO.Compression;
using System.Text.Json.Nodes;
using Microsoft.ML;
using PipelineSdk.MLNet.Data;
using PipelineSdk.Values;

namespace PipelineSdk.MLNet.Models;

/// <summary>
/// Stores an <see cref="ITransformer"/> as ML.NET's model zip (<c>system.Model</c>, loadable with <c>MLContext.Model.Load</c>
/// anywhere), with the input schema recorded by <see cref="ModelSchemas.WithInputSchema"/> inside the zip and in the
/// artifact's metadata. The zip's entries carry a fixed time, so retraining the same model gives the same bytes and the
/// steps after it stay cached.
/// </summary>
public sealed class TransformerMaterializer : ArtifactMaterializer<ITransformer>
{
    /// <summary>The time every zip entry carries (zip times start in 1980).</summary>
    private static readonly DateTimeOffset EntryTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <inheritdoc />
    public override void Write(ITransformer value, string path)
    {
        using var saved = new MemoryStream();
        new MLContext().Model.Save(value, value.InputSchema(), saved);
        saved.Position = 0;
        using var source = new ZipArchive(saved, ZipArchiveMode.Read);
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024);
        using var target = new ZipArchive(file, ZipArchiveMode.Create);
        foreach (var entry in source.Entries)
        {
            var copy = target.CreateEntry(entry.FullName, CompressionLevel.Optimal);
            copy.LastWriteTime = EntryTime;
            using var from = entry.Open();
            using var to = copy.Open();
            from.CopyTo(to);
        }
    }

    /// <inheritdoc />
    public override ITransformer Read(string path)
    {
        var model = new MLContext().Model.Load(path, out var inputSchema);
        return inputSchema is null ? model : model.WithInputSchema(inputSchema);
    }

    /// <inheritdoc />
    public override JsonObject? Metadata(ITransformer value, string path)
    {
        var metadata = new JsonObject { ["framework"] = "ml.net", ["format"] = "ml.net-zip" };
        if (value.InputSchema() is { } schema)
        {
            metadata["inputSchema"] = DataViewParquet.SchemaJson(schema);
        }

        return metadata;
    }
}
