using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using PipelineSdk;
using PipelineSdk.Artifacts;
using PipelineSdk.MLNet.Evaluation;
using PipelineSdk.MLNet.Models;

/// <summary>
/// Tabular binary classification as a team would run it: a customer table (generated deterministically, so the example needs
/// no download), a hold-out split, a FastTree gradient-boosted-trees model per number of leaves, each evaluated on the
/// hold-out set (scalar metrics and the confusion matrix), the best by area under the ROC curve picked, and its ROC curve
/// logged for Vertex AI and the dashboard to draw.
/// </summary>
public static class ChurnClassification
{
    [Pipeline]
    public static void ChurnPipeline(int customers = 1200, int seed = 11, int trees = 40, double learningRate = 0.2)
    {
        var data = GenerateCustomers(customers, seed);
        var (train, test) = Split(data, testFraction: 0.25);

        var models = new List<ITransformer>();
        var aucs = new List<double>();
        foreach (var leaves in new[] { 4, 8, 16 })
        {
            var model = TrainFastTree(train, leaves, trees, learningRate);
            models.Add(model);
            var evaluation = Evaluate(model, test);
            aucs.Add(evaluation.Auc);
        }

        var (best, bestAuc) = PickBest(models, aucs);
        ReportBest(best, test);
    }

    /// <summary>
    /// A customer table: tenure, monthly charges, support calls and contract type, and whether the customer left. Churn is
    /// likelier for short tenures, high charges, many support calls and month-to-month contracts, with noise.
    /// </summary>
    [Step]
    public static IDataView GenerateCustomers(int customers, int seed)
    {
        if (customers < 40)
        {
            throw new ArgumentOutOfRangeException(nameof(customers), customers, "need at least 40 customers to train and evaluate");
        }

        var random = new Random(seed);
        string[] contracts = ["month-to-month", "one-year", "two-year"];
        var rows = new List<Customer>(customers);
        for (var i = 0; i < customers; i++)
        {
            var contract = contracts[random.Next(contracts.Length)];
            var tenure = (float)random.Next(1, 72);
            var charges = (float)Math.Round(20 + (random.NextDouble() * 100), 2);
            var calls = (float)random.Next(0, 8);
            var risk = -1.0 - (tenure / 24) + (charges / 60) + (calls * 0.45) + (contract == "month-to-month" ? 1.2 : contract == "one-year" ? 0 : -1.0);
            var churned = random.NextDouble() < 1 / (1 + Math.Exp(-risk));
            rows.Add(new Customer { TenureMonths = tenure, MonthlyCharges = charges, SupportCalls = calls, Contract = contract, Churned = churned });
        }

        return new MLContext(seed).Data.LoadFromEnumerable(rows);
    }

    /// <summary>Keeps the last <paramref name="testFraction"/> of the customers for evaluation.</summary>
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

    /// <summary>One-hot contract, the numeric columns, and FastTree with <paramref name="leaves"/> leaves per tree.</summary>
    [Step]
    public static ITransformer TrainFastTree(IDataView train, int leaves, int trees, double learningRate)
    {
        var ml = new MLContext(seed: 1);
        var trainer = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            LabelColumnName = nameof(Customer.Churned),
            FeatureColumnName = "Features",
            NumberOfLeaves = leaves,
            NumberOfTrees = trees,
            LearningRate = learningRate,
            MinimumExampleCountPerLeaf = 5,
            NumberOfThreads = 1,
        });
        var pipeline = ml.Transforms.Categorical.OneHotEncoding("ContractEncoded", nameof(Customer.Contract))
            .Append(ml.Transforms.Concatenate("Features", nameof(Customer.TenureMonths), nameof(Customer.MonthlyCharges), nameof(Customer.SupportCalls), "ContractEncoded"))
            .Append(trainer);
        return pipeline.Fit(train).WithInputSchema(train.Schema);
    }

    /// <summary>ML.NET's evaluation, stored as Kubeflow classification metrics (scalar values and the confusion matrix).</summary>
    [Step]
    public static (double Auc, CalibratedBinaryClassificationMetrics Metrics) Evaluate(ITransformer model, IDataView test)
    {
        var metrics = new MLContext(seed: 1).BinaryClassification.Evaluate(model.Transform(test), labelColumnName: nameof(Customer.Churned));
        return (Math.Round(metrics.AreaUnderRocCurve, 4), metrics);
    }

    /// <summary>The model with the best area under the ROC curve; the first one wins a tie.</summary>
    [Step]
    public static (ITransformer Best, double Auc) PickBest(List<ITransformer> models, List<double> aucs)
    {
        if (models.Count == 0 || models.Count != aucs.Count)
        {
            throw new ArgumentException($"expected one AUC per model, got {models.Count} models and {aucs.Count} AUCs");
        }

        var best = 0;
        for (var i = 1; i < models.Count; i++)
        {
            best = aucs[i] > aucs[best] ? i : best;
        }

        Console.WriteLine($"Best model: #{best} with AUC {aucs[best]}.");
        return (models[best], aucs[best]);
    }

    /// <summary>The chosen model's ROC curve and confusion matrix, which Vertex AI and the dashboard draw.</summary>
    [Step]
    public static ClassificationMetrics ReportBest(ITransformer model, IDataView test)
    {
        var scored = model.Transform(test);
        var metrics = new MLContext(seed: 1).BinaryClassification.Evaluate(scored, labelColumnName: nameof(Customer.Churned));
        return metrics.ToClassificationMetrics(RocCurve.Compute(scored, nameof(Customer.Churned)));
    }

    /// <summary>One customer.</summary>
    private sealed class Customer
    {
        public float TenureMonths { get; set; }

        public float MonthlyCharges { get; set; }

        public float SupportCalls { get; set; }

        public string Contract { get; set; } = "";

        public bool Churned { get; set; }
    }
}
