using System.Globalization;
using PipelineSdk;
using PipelineSdk.Artifacts;
using PipelineSdk.Store;

namespace RegistryApp;

/// <summary>The deploy-if-better pattern over the model registry, with a stand-in for training so results are exact.</summary>
public static class RegistrySteps
{
    /// <summary>Splits rows into a named training set (a tuple element named with Output) and a test set.</summary>
    [Step]
    [Artifact("churn-data", Output = "Train")]
    public static (Dataset Train, Dataset Test) Split(int rows)
    {
        var train = new Dataset();
        File.WriteAllLines(train.Path, Enumerable.Range(0, rows * 3 / 4).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        var test = new Dataset();
        File.WriteAllLines(test.Path, Enumerable.Range(rows * 3 / 4, rows - (rows * 3 / 4)).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        return (train, test);
    }

    /// <summary>"Trains" a model whose accuracy is <paramref name="quality"/>; each run that executes it makes a new version of churn-model.</summary>
    [Step]
    [return: Artifact("churn-model", Tags = new[] { "candidate" })]
    public static Model Train(Dataset train, double quality)
    {
        var model = new Model();
        File.WriteAllText(model.Path, $"{File.ReadAllLines(train.Path).Length} rows, accuracy {quality.ToString(CultureInfo.InvariantCulture)}");
        model.Metadata["accuracy"] = quality;
        return model;
    }

    /// <summary>Promotes the candidate to production when it beats the production model (or there is none); says what it did.</summary>
    [Step(EnableCache = false)]
    public static string PromoteIfBetter(Model candidate, [FromModel("churn-model", Stage = "production")] Model? current = null)
    {
        var accuracy = candidate.Metadata["accuracy"]!.GetValue<double>();
        var production = current?.Metadata["accuracy"]?.GetValue<double>();
        if (production is { } best && best >= accuracy)
        {
            return $"kept production: {best.ToString(CultureInfo.InvariantCulture)} beats {accuracy.ToString(CultureInfo.InvariantCulture)}";
        }

        var version = ModelRegistry.Promote("churn-model", candidate, ModelStage.Production);
        return $"promoted version {version.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>Reads the newest version of churn-model, found when the task starts.</summary>
    [Step]
    public static string DescribeLatest([FromArtifact("churn-model", Version = "latest")] Model? latest = null) => latest!.ReadAllText();

    /// <summary>Trains a candidate and promotes it if it is better than production.</summary>
    [Pipeline]
    public static void TrainAndPromote(int rows = 8, double quality = 0.8)
    {
        var (train, _) = Split(rows);
        var model = Train(train, quality);
        PromoteIfBetter(model);
    }

    /// <summary>Describes the newest churn-model.</summary>
    [Pipeline]
    public static void Describe() => DescribeLatest();
}
