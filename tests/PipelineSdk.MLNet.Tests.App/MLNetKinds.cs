using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using PipelineSdk;
using PipelineSdk.MLNet.Models;

namespace MLNetKindsApp;

/// <summary>Every ML.NET type PipelineSdk.MLNet stores, each produced by one step and, where it can be, taken by another.</summary>
public static class MLNetKinds
{
    /// <summary>A table with a column of each stored type; y = 2a + 3b + noise, and a class from y.</summary>
    [Step]
    public static IDataView MakeTable(int rows)
    {
        var random = new Random(3);
        var table = Enumerable.Range(0, rows).Select(i =>
        {
            var a = (float)random.NextDouble();
            var b = (float)random.NextDouble();
            var y = (2 * a) + (3 * b) + (float)((random.NextDouble() - 0.5) * 0.2);
            return new Row
            {
                A = a,
                B = b,
                Y = y,
                Weight = y * 1.5,
                Index = i,
                Ticks = 1_000_000_000_000L + i,
                Positive = y > 2.5,
                Name = $"row {i}, \"quoted\" é",
                Class = y < 1.7 ? "low" : y < 3.3 ? "mid" : "high",
            };
        }).ToList();
        return new MLContext(1).Data.LoadFromEnumerable(table);
    }

    /// <summary>The table as text, one line a row, so tests compare what a consumer reads with what was written.</summary>
    [Step]
    public static string Describe(IDataView data)
    {
        var rows = new MLContext().Data.CreateEnumerable<Row>(data, reuseRowObject: false);
        return string.Join("\n", rows.Select(r => string.Create(CultureInfo.InvariantCulture,
            $"{r.A:R}|{r.B:R}|{r.Y:R}|{r.Weight:R}|{r.Index}|{r.Ticks}|{r.Positive}|{r.Name}|{r.Class}")));
    }

    [Step]
    public static ITransformer TrainRegression(IDataView data)
    {
        var ml = new MLContext(1);
        var pipeline = ml.Transforms.Concatenate("Features", nameof(Row.A), nameof(Row.B))
            .Append(ml.Regression.Trainers.Sdca(labelColumnName: nameof(Row.Y), maximumNumberOfIterations: 50));
        return pipeline.Fit(data).WithInputSchema(data.Schema);
    }

    /// <summary>Predicts with a model read back from its artifact, and evaluates it.</summary>
    [Step]
    public static (double RSquared, RegressionMetrics Metrics) EvaluateRegression(ITransformer model, IDataView data)
    {
        var metrics = new MLContext(1).Regression.Evaluate(model.Transform(data), labelColumnName: nameof(Row.Y));
        return (metrics.RSquared, metrics);
    }

    /// <summary>The input schema the model artifact carried, as "name:type" pairs.</summary>
    [Step]
    public static string ModelInputs(ITransformer model) =>
        string.Join(",", model.InputSchema()?.Select(c => $"{c.Name}:{c.Type}") ?? ["unknown"]);

    [Step]
    public static BinaryClassificationMetrics EvaluateBinary(IDataView data)
    {
        var ml = new MLContext(1);
        var pipeline = ml.Transforms.Concatenate("Features", nameof(Row.A), nameof(Row.B))
            .Append(ml.BinaryClassification.Trainers.LinearSvm(labelColumnName: nameof(Row.Positive), numberOfIterations: 10));
        return ml.BinaryClassification.EvaluateNonCalibrated(pipeline.Fit(data).Transform(data), labelColumnName: nameof(Row.Positive));
    }

    [Step]
    public static CalibratedBinaryClassificationMetrics EvaluateCalibrated(IDataView data)
    {
        var ml = new MLContext(1);
        var pipeline = ml.Transforms.Concatenate("Features", nameof(Row.A), nameof(Row.B))
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(labelColumnName: nameof(Row.Positive)));
        return ml.BinaryClassification.Evaluate(pipeline.Fit(data).Transform(data), labelColumnName: nameof(Row.Positive));
    }

    [Step]
    public static MulticlassClassificationMetrics EvaluateMulticlass(IDataView data)
    {
        var ml = new MLContext(1);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", nameof(Row.Class))
            .Append(ml.Transforms.Concatenate("Features", nameof(Row.A), nameof(Row.B)))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy());
        return ml.MulticlassClassification.Evaluate(pipeline.Fit(data).Transform(data));
    }

    [Pipeline]
    public static void MlNetKinds(int rows = 60)
    {
        var data = MakeTable(rows);
        Describe(data);
        var model = TrainRegression(data);
        EvaluateRegression(model, data);
        ModelInputs(model);
        EvaluateBinary(data);
        EvaluateCalibrated(data);
        EvaluateMulticlass(data);
    }

    /// <summary>One row of the table.</summary>
    public sealed class Row
    {
        public float A { get; set; }

        public float B { get; set; }

        public float Y { get; set; }

        public double Weight { get; set; }

        public int Index { get; set; }

        public long Ticks { get; set; }

        public bool Positive { get; set; }

        public string Name { get; set; } = "";

        public string Class { get; set; } = "";
    }
}
