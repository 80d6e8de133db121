using System.Collections;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Parquet;
using Parquet.Serialization;
using PipelineSdk.Server.Dashboard;
using PipelineSdk.Server.Hosting;
using PipelineSdk.Store;

namespace PipelineSdk.Server.Api;

/// <summary>
/// <c>GET /api/v1/artifacts/{id}/table?offset=&amp;limit=</c>: a page of rows of a Parquet artifact, as text, for the dashboard's
/// grid. Only the row groups the page touches are read, so a large file costs what the page shows.
/// </summary>
internal static class ArtifactTableApi
{
    private const int LargestPage = 500;

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/artifacts/{id:long}/table", async (long id, MetadataStore store, ServerOptions options, int? offset, int? limit, CancellationToken cancellationToken) =>
        {
            var artifact = ApiErrors.Found(store.GetArtifact(id), $"artifact {id}");
            var path = ArtifactsApi.ServedPath(artifact, options.ArtifactRoots);
            var first = Math.Max(0, offset ?? 0);
            var count = Math.Clamp(limit ?? 50, 1, LargestPage);
            return TypedResults.Json(await ReadPage(artifact.Id, path, first, count, cancellationToken).ConfigureAwait(false), DashboardJson.Default.TablePage);
        });

    /// <summary>The most rows a row group may hold to be previewed.</summary>
    private const long MaxRowGroupRows = 200_000;

    private static async Task<TablePage> ReadPage(long id, string path, long offset, int limit, CancellationToken cancellationToken)
    {
        var stream = File.OpenRead(path);
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                return await ReadPage(stream, offset, limit, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or NotSupportedException or ArgumentException or Parquet.ParquetException)
            {
                throw new ApiException(StatusCodes.Status400BadRequest, $"artifact {id} is not a Parquet file this server can read ({e.Message.Split('\n')[0].TrimEnd('.')})");
            }
        }
    }

    private static async Task<TablePage> ReadPage(FileStream stream, long offset, int limit, CancellationToken cancellationToken)
    {
        List<string> columns;
        List<long> groupRows;
        var reader = await ParquetReader.CreateAsync(stream, leaveStreamOpen: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            columns = [.. reader.Schema.Fields.Select(f => f.Name)];
            groupRows = [.. reader.Metadata!.RowGroups.Select(g => g.NumRows)];
        }

        var rows = new List<List<string?>>(limit);
        long groupStart = 0;
        for (var group = 0; group < groupRows.Count && rows.Count < limit; group++)
        {
            var groupEnd = groupStart + groupRows[group];
            if (groupEnd > offset + rows.Count)
            {
                // A row group is read whole: one too large for a page would hold the server's memory for any reader who asks.
                if (groupRows[group] > MaxRowGroupRows)
                {
                    throw new ApiException(StatusCodes.Status400BadRequest, $"row group {group} holds {groupRows[group]} rows; the preview reads row groups of up to {MaxRowGroupRows} (write the table with smaller row groups, or download it)");
                }

                stream.Position = 0;
                var read = await ParquetSerializer.DeserializeUntypedAsync(stream, rowGroupIndex: group, cancellationToken: cancellationToken).ConfigureAwait(false);
                var skip = (int)Math.Max(0, offset - groupStart);
                rows.AddRange(read.Data.Skip(skip).Take(limit - rows.Count).Select(row => columns.Select(c => row.TryGetValue(c, out var value) ? Text(value) : null).ToList()));
            }

            groupStart = groupEnd;
        }

        return new TablePage(columns, rows, offset, groupRows.Sum());
    }

    // One cell as people read it: numbers and times in invariant form, nested lists and structures spelled out.
    private static string? Text(object? value) => value switch
    {
        null => null,
        string text => text,
        byte[] bytes => $"({bytes.Length} bytes)",
        DateTime time => time.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset time => time.ToString("O", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        IDictionary map => "{" + string.Join(", ", map.Keys.Cast<object>().Select(k => $"{Text(k)}: {Text(map[k]) ?? "null"}")) + "}",
        IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(i => Text(i) ?? "null")) + "]",
        _ => value.ToString(),
    };
}

/// <summary>A page of a table artifact.</summary>
/// <param name="Columns">The column names, in file order.</param>
/// <param name="Rows">The rows of the page, each a cell per column (null for a null value).</param>
/// <param name="Offset">The first row's index.</param>
/// <param name="Total">How many rows the table has.</param>
internal sealed record TablePage(List<string> Columns, List<List<string?>> Rows, long Offset, long Total);
