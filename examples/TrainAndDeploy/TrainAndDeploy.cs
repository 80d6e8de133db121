using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Trainers;
using PipelineSdk;
using PipelineSdk.Artifacts;
using PipelineSdk.MLNet.Models;

/// <summary>
/// A model-selection pipeline a KFP user would recognise, on ML.NET and the model registry: make and split a data set, train
/// one logistic-regression model per learning rate in parallel (ML.NET's SGD trainer), evaluate each, register the best as the
/// next version of the model <c>classifier</c>, promote it to production only if it clears a quality bar and beats the
/// production version on the same test set, and always notify at the end — whether training worked or not. Its runs are in
/// the experiment <c>train-and-deploy</c>. Deterministic for a given seed: the same data, the same models, byte for byte.
/// </summary>
public static class TrainAndDeploy
{
    /// <summary>The model this pipeline registers and promotes.</summary>
    public const string ModelName = "classifier";

    [Pipeline(Experiment = "train-and-deploy")]
    public static void TrainAndDeployPipeline(int rows = 2000, int epochs = 50, double accuracyThreshold = 0.9, string channel = "#ml-team")
    {
        try
        {
            var data = LoadData(rows, seed: 7);
            var (train, test) = Split(data, testFraction: 0.25);

            var models = new List<ITransformer>();
            var accuracies = new List<double>();
            foreach (var learningRate in new[] { 1.0, 0.3, 0.1, 0.03 }.WithParallelism(2))
            {
                var model = TrainModel(train, learningRate, epochs);
                models.Add(model);
                var evaluation = Evaluate(model, test);
                accuracies.Add(evaluation.Accuracy);
            }

            var (best, bestAccuracy) = PickBest(models, accuracies);
            var better = BeatsProduction(bestAccuracy, test, accuracyThreshold);
            if (better)
            {
                Deploy(best, bestAccuracy);
            }
        }
        finally
        {
            Notify(channel, TaskFinalStatus.Current);
        }
    }

    /// <summary>Two overlapping clouds of points, labelled true and false: an ML.NET data view, stored as Parquet.</summary>
    [Step(DisplayName = "Load data")]
    public static IDataView LoadData(int rows, int seed)
    {
        if (rows < 10)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), rows, "need at least 10 rows");
        }

        var random = new Random(seed);
        var points = new List<Point>(rows);
        for (var i = 0; i < rows; i++)
        {
            var label = i % 2 == 1;
            var center = label ? 1.0f : -1.0f;
            points.Add(new Point { X1 = center + Gaussian(random), X2 = center + Gaussian(random), Label = label });
        }

        return new MLContext(seed).Data.LoadFromEnumerable(points);
    }

    /// <summary>Keeps the last <paramref name="testFraction"/> of the rows for evaluation.</summary>
    [Step]
    public static (IDataView Train, IDataView Test) Split(IDataView data, double testFraction)
    {
        if (testFraction is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "must be between 0 and 1");
        }

        var ml = new MLContext();
        var rows = data.GetRowCount() ?? throw new InvalidDataException("the data set does not know its row count");
        var trainRows = rows - Math.Max(1, (long)(rows * testFraction));
        return (ml.Data.TakeRows(data, trainRows), ml.Data.SkipRows(data, trainRows));
    }

    /// <summary>Logistic regression by stochastic gradient descent (one thread, no shuffling: the same model every time).</summary>
    [Step]
    public static ITransformer TrainModel(IDataView train, double learningRate, int epochs)
    {
        var ml = new MLContext(seed: 1);
        var trainer = ml.BinaryClassification.Trainers.SgdCalibrated(new SgdCalibratedTrainer.Options
        {
            LabelColumnName = nameof(Point.Label),
            FeatureColumnName = "Features",
            LearningRate = learningRate,
            NumberOfIterations = epochs,
            NumberOfThreads = 1,
            Shuffle = false,
        });
        var pipeline = ml.Transforms.Concatenate("Features", nameof(Point.X1), nameof(Point.X2)).Append(trainer);
        return pipeline.Fit(train).WithInputSchema(train.Schema);
    }

    /// <summary>Accuracy and log loss on the test set, logged as KFP metrics.</summary>
    [Step]
    public static (double Accuracy, Metrics Metrics) Evaluate(ITransformer model, IDataView test)
    {
        var evaluation = new MLContext(seed: 1).BinaryClassification.Evaluate(model.Transform(test), labelColumnName: nameof(Point.Label));
        var accuracy = Math.Round(evaluation.Accuracy, 4);
        var metrics = new Metrics();
        metrics.Log("accuracy", accuracy);
        metrics.Log("logLoss", Math.Round(evaluation.LogLoss, 4));
        return (accuracy, metrics);
    }

    /// <summary>
    /// The model with the best accuracy; the first one wins a tie, so the choice is deterministic. Each run that picks one
    /// registers it as the next version of <see cref="ModelName"/> (stage none), with its accuracy in the version's metadata.
    /// </summary>
    [Step]
    [Artifact(ModelName, Output = "Best", Tags = new[] { "candidate" })]
    public static (ITransformer Best, double Accuracy) PickBest(List<ITransformer> models, List<double> accuracies)
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

        StepContext.Current.LogMetadata("accuracy", accuracies[best], MetadataTarget.Artifact("Best"));
        StepContext.Current.LogMetadata("accuracy", accuracies[best], MetadataTarget.Run);
        return (models[best], accuracies[best]);
    }

    /// <summary>
    /// The deploy-if-better decision, in one place: the candidate must clear the quality bar and beat the version of
    /// <see cref="ModelName"/> in production, measured on the same test set (there is none before the first deployment). The
    /// production model is read from the registry when the step starts, so the step never comes from the cache.
    /// </summary>
    [Step(EnableCache = false)]
    public static bool BeatsProduction(double candidateAccuracy, IDataView test, double accuracyThreshold, [FromModel(ModelName)] ITransformer? production = null)
    {
        double? productionAccuracy = production is null ? null
            : Math.Round(new MLContext(seed: 1).BinaryClassification.Evaluate(production.Transform(test), labelColumnName: nameof(Point.Label)).Accuracy, 4);
        var better = candidateAccuracy >= accuracyThreshold && candidateAccuracy > (productionAccuracy ?? double.NegativeInfinity);
        StepContext.Current.LogMetadata("candidateAccuracy", candidateAccuracy);
        if (productionAccuracy is { } measured)
        {
            StepContext.Current.LogMetadata("productionAccuracy", measured);
        }

        var versus = productionAccuracy is { } current ? $"production {current:0.####}" : "no model in production";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Candidate accuracy {candidateAccuracy:0.####} vs {versus} (bar {accuracyThreshold:0.####}): {(better ? "deploy" : "keep production")}."));
        return better;
    }

    /// <summary>
    /// Deploys the chosen model: its <c>Model</c> output promotes the version of <see cref="ModelName"/> that
    /// <see cref="PickBest"/> registered to production (the version there before is archived), and the deployment record is
    /// what the console and the dashboard show. A production pipeline would also push the model to its serving endpoint here.
    /// </summary>
    [Step(EnableCache = false)]
    [Artifact(ModelName, Output = "Model", Stage = "production")]
    public static (ITransformer Model, Markdown Record) Deploy(ITransformer model, double accuracy)
    {
        var inputs = model.InputSchema() is { } schema ? string.Join(", ", schema.Select(c => $"`{c.Name}` ({c.Type})")) : "unknown";
        var record = new Markdown();
        record.WriteAllText(string.Create(CultureInfo.InvariantCulture,
            $"# Deployed\n\nAn ML.NET model with accuracy {accuracy:0.####}; it takes {inputs}.\n"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Deploying the model with accuracy {accuracy:0.####} to production."));
        return (model, record);
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

    private static float Gaussian(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));

    /// <summary>One row of the data set.</summary>
    private sealed class Point
    {
        public float X1 { get; set; }

        public float X2 { get; set; }

        public bool Label { get; set; }
    }
}
