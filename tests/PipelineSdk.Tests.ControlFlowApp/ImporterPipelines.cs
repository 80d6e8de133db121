using System.Globalization;
using PipelineSdk;
using PipelineSdk.Artifacts;

/// <summary>
/// Importers (<c>Importer.Import</c>): artifacts that exist before the run, brought in by URI, with metadata, and again with
/// <c>reimport</c>; steps read them like any artifact.
/// </summary>
public static class ImporterPipelines
{
    [Step]
    public static string Summarize(Dataset data) =>
        $"{File.ReadAllText(data.Path).Trim()}|{data.Metadata["source"]}";

    [Step]
    public static int CountLines(Dataset data) => File.ReadAllLines(data.Path).Length;

    /// <summary>Imports <paramref name="data"/> twice: as the same artifact while its content is unchanged, and anew every run.</summary>
    [Pipeline]
    public static string ImportPipeline(string data)
    {
        var imported = Importer.Import<Dataset>(data, metadata: new Dictionary<string, object> { ["source"] = "test" });
        var again = Importer.Import<Dataset>(data, reimport: true);
        CountLines(again);
        return Summarize(imported);
    }

    /// <summary>
    /// Writes a file outside every artifact store — data that exists before a pipeline reads it — atomically at a path fixed
    /// by its content, so runs side by side write the same bytes to the same place.
    /// </summary>
    [Step]
    public static string WriteSample(int rows)
    {
        var folder = Path.Combine(Path.GetTempPath(), "psdk-import-samples");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"sample-{rows.ToString(CultureInfo.InvariantCulture)}.csv");
        var partial = path + "." + Guid.NewGuid().ToString("N");
        File.WriteAllLines(partial, Enumerable.Range(0, rows).Select(i => $"{i},{i * i}"));
        File.Move(partial, path, overwrite: true);
        return path;
    }

    /// <summary>Imports what a step wrote, by the path it returns (a URI from a step output).</summary>
    [Pipeline]
    public static string ImportWrittenPipeline(int rows = 3)
    {
        var path = WriteSample(rows);
        var data = Importer.Import<Dataset>(path, metadata: new Dictionary<string, object> { ["source"] = "sample", ["rows"] = 3 });
        return Summarize(data);
    }
}
