using Parquet;
using Parquet.Schema;
using PipelineSdk;
using PipelineSdk.Artifacts;

/// <summary>
/// A data set written as Parquet by a step that fails twice before it succeeds (a busy table store): the dashboard shows the
/// failed attempts with their errors, and the table as a paged grid.
/// </summary>
public static class RetriedTablePipeline
{
    /// <summary>Rows in each of the file's two row groups, so a page of the grid spans both.</summary>
    public const int RowsPerGroup = 70;

    private static int s_attempts;

    [Step(EnableCache = false)]
    [Retry(2, BackoffSeconds = 0)]
    public static async Task<Dataset> WriteCities()
    {
        var attempt = Interlocked.Increment(ref s_attempts);
        if (attempt <= 2)
        {
            throw new IOException($"the table store is busy (attempt {attempt})");
        }

        var data = new Dataset();
        var id = new DataField<int>("id");
        var city = new DataField<string>("city");
        var temperature = new DataField<double>("temperature");
        await using var file = File.Create(data.Path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(id, city, temperature), file);
        for (var group = 0; group < 2; group++)
        {
            var first = group * RowsPerGroup + 1;
            using var rows = writer.CreateRowGroup();
            await rows.WriteAsync(id, new ReadOnlyMemory<int>([.. Enumerable.Range(first, RowsPerGroup)]));
            await rows.WriteAsync(city, Enumerable.Range(first, RowsPerGroup).Select(i => $"city-{i}").ToArray());
            await rows.WriteAsync(temperature, new ReadOnlyMemory<double>([.. Enumerable.Range(first, RowsPerGroup).Select(i => i / 4.0)]));
        }

        data.Metadata["rows"] = 2 * RowsPerGroup;
        return data;
    }

    [Pipeline]
    public static async Task RetriedTable()
    {
        await WriteCities();
    }
}
