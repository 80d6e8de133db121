using PipelineSdk;

/// <summary>
/// Fits y = slope·x + intercept by gradient descent: generate noisy data, split it, train, evaluate, report.
/// Deterministic for a given seed, so runs can be compared across orchestrators.
/// </summary>
public static class LinearRegression
{
    /// <summary>Samples x in [0, 1) and y = 3x + 2 plus Gaussian noise.</summary>
    [Step]
    public static (List<double> Xs, List<double> Ys) GenerateData(int samples, int seed)
    {
        if (samples < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(samples), samples, "need at least 2 samples");
        }

        var random = new Random(seed);
        var xs = new List<double>(samples);
        var ys = new List<double>(samples);
        for (var i = 0; i < samples; i++)
        {
            var x = random.NextDouble();
            xs.Add(x);
            ys.Add((3 * x) + 2 + (0.1 * Gaussian(random)));
        }

        return (xs, ys);
    }

    /// <summary>Keeps the last <paramref name="testFraction"/> of the samples for evaluation.</summary>
    [Step]
    public static (List<double> TrainX, List<double> TrainY, List<double> TestX, List<double> TestY) Split(List<double> xs, List<double> ys, double testFraction)
    {
        if (testFraction is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "must be between 0 and 1");
        }

        var trainCount = xs.Count - Math.Max(1, (int)(xs.Count * testFraction));
        return (xs[..trainCount], ys[..trainCount], xs[trainCount..], ys[trainCount..]);
    }

    /// <summary>Batch gradient descent on the mean squared error.</summary>
    [Step]
    public static (double Slope, double Intercept) Train(List<double> xs, List<double> ys, double learningRate, int epochs)
    {
        double slope = 0, intercept = 0;
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            double slopeGradient = 0, interceptGradient = 0;
            for (var i = 0; i < xs.Count; i++)
            {
                var error = (slope * xs[i]) + intercept - ys[i];
                slopeGradient += 2 * error * xs[i] / xs.Count;
                interceptGradient += 2 * error / xs.Count;
            }

            slope -= learningRate * slopeGradient;
            intercept -= learningRate * interceptGradient;
        }

        return (slope, intercept);
    }

    /// <summary>Mean squared error of the fitted line on the test samples.</summary>
    [Step]
    public static double Evaluate(double slope, double intercept, List<double> xs, List<double> ys) =>
        xs.Select((x, i) => Math.Pow((slope * x) + intercept - ys[i], 2)).Average();

    /// <summary>A one-line summary of the model.</summary>
    [Step]
    public static string Report(double slope, double intercept, double meanSquaredError) =>
        FormattableString.Invariant($"y = {slope:0.000}x + {intercept:0.000} (test MSE {meanSquaredError:0.0000})");

    /// <summary>The whole flow; every parameter can be set with --param.</summary>
    [Pipeline]
    public static void LinearRegressionPipeline(int samples = 200, int seed = 42, double testFraction = 0.2, double learningRate = 0.5, int epochs = 500)
    {
        var (xs, ys) = GenerateData(samples, seed);
        var (trainX, trainY, testX, testY) = Split(xs, ys, testFraction);
        var (slope, intercept) = Train(trainX, trainY, learningRate, epochs);
        var meanSquaredError = Evaluate(slope, intercept, testX, testY);
        Report(slope, intercept, meanSquaredError);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
