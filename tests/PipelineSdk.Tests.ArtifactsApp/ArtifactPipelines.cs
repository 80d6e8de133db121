using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using PipelineSdk;
using PipelineSdk.Artifacts;
using PipelineSdk.Values;

[assembly: PipelineSdkMaterializer(typeof(ArtifactsApp.VocabularyMaterializer), SchemaTitle = "system.Model")]

namespace ArtifactsApp;

/// <summary>A record passed between steps as a JSON artifact.</summary>
public sealed record Forecast(string City, double[] Temperatures);

/// <summary>The JSON context that makes <see cref="Forecast"/> an artifact type (source-generated, no reflection).</summary>
[JsonSerializable(typeof(Forecast))]
internal sealed partial class AppJson : JsonSerializerContext;

/// <summary>A type only a materializer knows how to store.</summary>
public sealed class Vocabulary
{
    public List<string> Words { get; init; } = [];
}

/// <summary>Stores a <see cref="Vocabulary"/> as one word per line.</summary>
public sealed class VocabularyMaterializer : ArtifactMaterializer<Vocabulary>
{
    public override void Write(Vocabulary value, string path) => File.WriteAllLines(path, value.Words);

    public override Vocabulary Read(string path) => new() { Words = [.. File.ReadAllLines(path)] };
}

public static class ArtifactSteps
{
    [Step]
    public static Dataset MakeData(int rows)
    {
        var data = new Dataset();
        File.WriteAllLines(data.Path, Enumerable.Range(1, rows).Select(i => $"{i},{i * 10}"));
        data.Metadata["rows"] = rows;
        return data;
    }

    [Step]
    public static Forecast Predict(Dataset data) =>
        new("Oslo", [.. File.ReadAllLines(data.Path).Select(line => double.Parse(line.Split(',')[1], CultureInfo.InvariantCulture))]);

    [Step]
    public static (Model Model, Metrics Metrics) Train(Dataset data, Forecast forecast)
    {
        var model = new Model();
        Directory.CreateDirectory(Path.Combine(model.Path, "meta"));
        File.WriteAllText(Path.Combine(model.Path, "weights.txt"), string.Join(" ", forecast.Temperatures.Select(t => t.ToString(CultureInfo.InvariantCulture))));
        File.WriteAllText(Path.Combine(model.Path, "meta", "rows.txt"), data.Metadata["rows"]!.ToJsonString());
        model.Metadata["framework"] = "handmade";
        var metrics = new Metrics();
        metrics.Log("accuracy", 0.75);
        metrics.Log("count", forecast.Temperatures.Length);
        return (model, metrics);
    }

    [Step]
    public static ClassificationMetrics Evaluate(Model model)
    {
        var evaluation = new ClassificationMetrics();
        evaluation.LogConfusionMatrix(["cat", "dog"], [[8, 2], [1, 9]]);
        evaluation.LogRocCurve([0, 0.5, 1], [0, 0.8, 1], [1, 0.5, 0]);
        return evaluation;
    }

    [Step]
    public static byte[] Pack(Model model) => Encoding.UTF8.GetBytes(File.ReadAllText(Path.Combine(model.Path, "weights.txt")));

    [Step]
    public static Stream Open(byte[] bytes) => new MemoryStream([.. bytes, .. "!"u8]);

    [Step]
    public static FileInfo Save(Stream stream)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("artifacts-app-").FullName, "weights.bin");
        using (var file = File.Create(path))
        {
            stream.CopyTo(file);
        }

        return new FileInfo(path);
    }

    [Step]
    public static DirectoryInfo Bundle(FileInfo file, Metrics metrics)
    {
        var bundle = Directory.CreateTempSubdirectory("artifacts-app-");
        file.CopyTo(Path.Combine(bundle.FullName, "weights.bin"));
        File.WriteAllText(Path.Combine(bundle.FullName, "accuracy.txt"), metrics.Values["accuracy"].ToString(CultureInfo.InvariantCulture));
        return bundle;
    }

    [Step]
    public static Vocabulary Words(DirectoryInfo bundle) =>
        new() { Words = [.. bundle.EnumerateFiles().OrderBy(f => f.Name, StringComparer.Ordinal).Select(f => f.Name + "=" + File.ReadAllText(f.FullName))] };

    [Step]
    public static (Html Page, Markdown Notes) Report(Vocabulary words, ClassificationMetrics evaluation)
    {
        var page = new Html();
        page.WriteAllText("<ul>" + string.Concat(words.Words.Select(w => $"<li>{w}</li>")) + "</ul>");
        var notes = new Markdown();
        notes.WriteAllText($"# {words.Words.Count} words, {evaluation.Metadata["confusionMatrix"]!["rows"]!.AsArray().Count} classes");
        return (page, notes);
    }

    /// <summary>Takes a list of artifacts (<c>isArtifactList</c>): what a step after a loop receives.</summary>
    [Step]
    public static int CountLines(List<Dataset> parts) => parts.Sum(part => File.ReadAllLines(part.Path).Length);

    /// <summary>Returns a data set without writing anything at its path: the task fails with a one-line error.</summary>
    [Step]
    public static Dataset ForgetToWrite(int rows) => new();

    [Pipeline]
    public static void ForgottenArtifact()
    {
        var data = ForgetToWrite(1);
        Predict(data);
    }

    [Pipeline]
    public static void ArtifactKinds(int rows = 3)
    {
        var data = MakeData(rows);
        var forecast = Predict(data);
        var (model, metrics) = Train(data, forecast);
        var evaluation = Evaluate(model);
        var bytes = Pack(model);
        var stream = Open(bytes);
        var file = Save(stream);
        var bundle = Bundle(file, metrics);
        var words = Words(bundle);
        Report(words, evaluation);
    }
}
