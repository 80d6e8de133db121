using System.Globalization;
using Parquet;
using Parquet.Serialization;
using PipelineSdk.Store;

namespace PipelineSdk.Cli.Commands;

/// <summary>The start of a Parquet artifact (a data set, e.g. an ML.NET IDataView) as text: its columns and first rows, comma-separated.</summary>
internal static class ParquetPreview
{
    private const int Rows = 3;

    /// <summary>A first row group larger than this is not read for a preview; its shape is shown instead.</summary>
    private const long MaxRowGroupRows = 100_000;

    public static async Task<string> HeadAsync(ArtifactRecord artifact, Func<ArtifactRecord, CancellationToken, Task<Stream>> open, CancellationToken cancellationToken)
    {
        var source = await open(artifact, cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            // Parquet is read from its footer: copy a stream that cannot seek (a download) first.
            using var buffer = new MemoryStream();
            await source.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            try
            {
                List<string> columns;
                List<long> groups;
                buffer.Position = 0;
                var reader = await ParquetReader.CreateAsync(buffer, leaveStreamOpen: true, cancellationToken: cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    columns = [.. reader.Schema.Fields.Select(f => f.Name)];
                    groups = [.. reader.Metadata!.RowGroups.Select(g => g.NumRows)];
                }

                var total = groups.Sum();
                var shape = $"({total} rows, Parquet)";
                if (groups.Count == 0 || groups[0] > MaxRowGroupRows)
                {
                    return $"{string.Join(",", columns)} {shape}";
                }

                buffer.Position = 0;
                var read = await ParquetSerializer.DeserializeUntypedAsync(buffer, rowGroupIndex: 0, cancellationToken: cancellationToken).ConfigureAwait(false);
                var lines = read.Data.Take(Rows).Select(row => string.Join(",", columns.Select(c => row.TryGetValue(c, out var value) ? Cell(value) : "")));
                return string.Join("\n", [string.Join(",", columns), .. lines, total > Rows ? $"… {shape}" : shape]);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or NotSupportedException or ArgumentException or ParquetException)
            {
                return $"({artifact.Size} bytes of Parquet this tool cannot read: {e.Message.Split('\n')[0]})";
            }
        }
    }

    private static string Cell(object? value) => value switch
    {
        null => "",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
