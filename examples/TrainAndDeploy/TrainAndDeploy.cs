using System.Globalization;
using System.Text.Json;
using PipelineSdk;
using PipelineSdk.Artifacts;

/// <summary>
/// A model-selection pipeline a KFP user would recognise: load and split a data set, train one logistic-regression
/// model per learning rate in parallel, evaluate each, deploy the best one only if its accuracy clears a threshold,
/// and always notify at the end — whether training worked or not. Deterministic for a given seed.
/// </summary>
public static class TrainAndDeploy
{
    [Pipeline]
    public static void TrainAndDeployPipeline(int rows = 2000, int epochs = 300, double accuracyThreshold = 0.9, string channel = "#ml-team")
    {
        try
        {
            var data = LoadData(rows, seed: 7);
            var (train, test) = Split(data, testFraction: 0.25);

            var models = new List<Model>();
            var accuracies = new List<double>();
            foreach (var learningRate in new[] { 1.0, 0.3, 0.1, 0.03 }.WithParallelism(2))
            {
                var model = TrainModel(train, learningRate, epochs);
                models.Add(model);
                var evaluation = Evaluate(model, test);
                accuracies.Add(evaluation.Accuracy);
            }

            var (best, bestAccuracy) = PickBest(models, accuracies);
            if (bestAccuracy >= accuracyThreshold)
            {
                Deploy(best, bestAccuracy);
            }
        }
        finally
        {
            Notify(channel, TaskFinalStatus.Current);
        }
    }

    /// <summary>Two overlapping clouds of points, labelled 0 and 1, as CSV (<c>x1,x2,label</c>).</summary>
    [Step(DisplayName = "Load data")]
    public static Dataset LoadData(int rows, int seed)
    {
        if (rows < 10)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), rows, "need at least 10 rows");
        }

        var random = new Random(seed);
        var data = new Dataset();
        using (var writer = new StreamWriter(data.Path))
        {
            writer.WriteLine("x1,x2,label");
            for (var i = 0; i < rows; i++)
            {
                var label = i % 2;
                var center = label == 1 ? 1.0 : -1.0;
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{center + Gaussian(random):R},{center + Gaussian(random):R},{label}"));
            }
        }

        data.Metadata["rows"] = rows;
        return data;
    }

    /// <summary>Keeps the last <paramref name="testFraction"/> of the rows for evaluation.</summary>
    [Step]
    public static (Dataset Train, Dataset Test) Split(Dataset data, double testFraction)
    {
        if (testFraction is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "must be between 0 and 1");
        }

        var lines = File.ReadAllLines(data.Path);
        var rows = lines.Length - 1;
        var trainRows = rows - Math.Max(1, (int)(rows * testFraction));
        var train = new Dataset();
        var test = new Dataset();
        File.WriteAllLines(train.Path, lines.Take(1 + trainRows));
        File.WriteAllLines(test.Path, lines.Take(1).Concat(lines.Skip(1 + trainRows)));
        train.Metadata["rows"] = trainRows;
        test.Metadata["rows"] = rows - trainRows;
        return (train, test);
    }

    /// <summary>Logistic regression by batch gradient descent; the model is its weights as JSON.</summary>
    [Step]
    public static Model TrainModel(Dataset train, double learningRate, int epochs)
    {
        var (features, labels) = Read(train);
        var weights = new double[3];
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            var gradient = new double[3];
            for (var i = 0; i < labels.Length; i++)
            {
                var error = Predict(weights, features[i]) - labels[i];
                gradient[0] += error * features[i][0];
                gradient[1] += error * features[i][1];
                gradient[2] += error;
            }

            for (var j = 0; j < weights.Length; j++)
            {
                weights[j] -= learningRate * gradient[j] / labels.Length;
            }
        }

        var model = new Model();
        File.WriteAllText(model.Path, JsonSerializer.Serialize(weights, ExampleJson.Default.DoubleArray));
        model.Metadata["learningRate"] = learningRate;
        model.Metadata["epochs"] = epochs;
        return model;
    }

    /// <summary>Accuracy and log loss on the test set, logged as KFP metrics.</summary>
    [Step]
    public static (double Accuracy, Metrics Metrics) Evaluate(Model model, Dataset test)
    {
        var weights = LoadWeights(model);
        var (features, labels) = Read(test);
        var correct = 0;
        var loss = 0.0;
        for (var i = 0; i < labels.Length; i++)
        {
            var p = Math.Clamp(Predict(weights, features[i]), 1e-12, 1 - 1e-12);
            correct += (p >= 0.5 ? 1 : 0) == (int)labels[i] ? 1 : 0;
            loss -= labels[i] * Math.Log(p) + ((1 - labels[i]) * Math.Log(1 - p));
        }

        var accuracy = Math.Round((double)correct / labels.Length, 4);
        var metrics = new Metrics();
        metrics.Log("accuracy", accuracy);
        metrics.Log("logLoss", Math.Round(loss / labels.Length, 4));
        return (accuracy, metrics);
    }

    /// <summary>The model with the best accuracy; the first one wins a tie, so the choice is deterministic.</summary>
    [Step]
    public static (Model Best, double Accuracy) PickBest(List<Model> models, List<double> accuracies)
    {
        if (models.Count == 0 || models.Count != accuracies.Count)
        {
            throw new ArgumentException($"expected one accuracy per model, got {models.Count} models and {accuracies.Count} accuracies");
        }

        var best = 0;
        for (var i = 1; i < models.Count; i++)
        {
            best = accuracies[i] > accuracies[best] ? i : best;
        }

        return (models[best], accuracies[best]);
    }

    /// <summary>
    /// Records the deployment of the chosen model. A production pipeline would upload it to the Vertex AI Model Registry
    /// here; this example writes the deployment record the console shows.
    /// </summary>
    [Step(EnableCache = false)]
    public static Markdown Deploy(Model model, double accuracy)
    {
        var record = new Markdown();
        record.WriteAllText(string.Create(CultureInfo.InvariantCulture,
            $"# Deployed\n\nModel `{model.Uri}` with accuracy {accuracy:0.####} (learning rate {model.Metadata["learningRate"]}).\n"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Deploying the model with accuracy {accuracy:0.####}."));
        return record;
    }

    /// <summary>Tells the team how the run ended; runs whether training succeeded or failed.</summary>
    [Step(EnableCache = false)]
    public static string Notify(string channel, TaskFinalStatus status)
    {
        var message = status.Succeeded
            ? $"{channel}: training run {status.PipelineJobResourceName} finished."
            : $"{channel}: training run {status.PipelineJobResourceName} ended {status.State}: {status.ErrorMessage}";
        Console.WriteLine(message);
        return message;
    }

    private static (double[][] Features, double[] Labels) Read(Dataset data)
    {
        var rows = File.ReadLines(data.Path).Skip(1).Select(line => line.Split(',')).ToList();
        return (
            [.. rows.Select(r => new[] { double.Parse(r[0], CultureInfo.InvariantCulture), double.Parse(r[1], CultureInfo.InvariantCulture) })],
            [.. rows.Select(r => double.Parse(r[2], CultureInfo.InvariantCulture))]);
    }

    private static double[] LoadWeights(Model model) =>
        JsonSerializer.Deserialize(File.ReadAllText(model.Path), ExampleJson.Default.DoubleArray)
            ?? throw new InvalidDataException($"model {model.Uri} holds no weights");

    private static double Predict(double[] weights, double[] x) => 1 / (1 + Math.Exp(-((weights[0] * x[0]) + (weights[1] * x[1]) + weights[2])));

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

/// <summary>Source-generated JSON for the model weights (no reflection, so the program stays trimmable and AOT-safe).</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(double[]))]
internal sealed partial class ExampleJson : System.Text.Json.Serialization.JsonSerializerContext;
