using PipelineSdk.Generators.Tests.Infrastructure;

namespace PipelineSdk.Generators.Tests;

/// <summary>Pipeline sources the tests share, one per construct the generator handles.</summary>
internal static class Scenarios
{
    public static string QuickStart => File.ReadAllText(Path.Combine(GeneratorHarness.RepoRoot, "examples", "QuickStart", "QuickStart.cs"));

    /// <summary>Every artifact kind: a JSON record, byte[], Stream, FileInfo, DirectoryInfo, a materializer, the KFP artifact classes.</summary>
    public static string Artifacts => File.ReadAllText(Path.Combine(GeneratorHarness.RepoRoot, "tests", "PipelineSdk.Tests.ArtifactsApp", "ArtifactPipelines.cs"));

    public const string ParametersAndConstants = """
        using System.Collections.Generic;
        using PipelineSdk;

        namespace Demo.Training;

        public static class Training
        {
            [Step]
            public static List<double> MakeRates(int count, double start) => new() { start, start * count };

            [Step]
            public static string Describe(string name, long seed, bool verbose, double learningRate, List<double> rates, Dictionary<string, int> limits)
                => $"{name}:{seed}:{verbose}:{learningRate}:{rates.Count}:{limits.Count}";

            [Pipeline]
            public static void TrainModel(Dictionary<string, int> limits, long seed, int epochs = 5, double learningRate = 0.1, string name = "model \"v1\"", bool verbose = false)
            {
                var rates = MakeRates(epochs, 0.5);
                Describe(name, seed, verbose, learningRate, rates, limits);
                Describe("constant", 42, true, 1, rates, limits);
            }
        }
        """;

    public const string TuplesAndAsync = """
        using System.Threading;
        using System.Threading.Tasks;
        using PipelineSdk;

        namespace Demo;

        internal static class Shapes
        {
            [Step]
            public static (int Train, int Test) Split(int total) => (total * 8 / 10, total - (total * 8 / 10));

            [Step]
            public static async Task<int> Fit(int rows, CancellationToken cancellationToken)
            {
                await Task.Yield();
                return rows * 2;
            }

            [Step]
            public static int Add(int a, int b) => a + b;

            [Step]
            public static ValueTask Report(int value) => ValueTask.CompletedTask;

            [Step]
            public static void Log(string message) { }

            [Pipeline]
            public static async Task Shapes_Pipeline(int total = 100)
            {
                var (train, test) = Split(total);
                var split = Split(50);
                var model = await Fit(train, default);
                var sum = Add(Add(model, test), split.Test);
                await Report(sum);
                Log("done");
            }
        }
        """;

    public const string CacheSettings = """
        using PipelineSdk;

        public static class Settings
        {
            [Step]
            public static int Unset() => 1;

            [Step(EnableCache = true)]
            public static int ForcedOn(int x) => x;

            [Step(EnableCache = false, Name = "never-cached")]
            public static int ForcedOff(int x) => x;

            [Pipeline(EnableCache = false, Name = "settings-demo")]
            public static void SettingsPipeline()
            {
                var x = Unset();
                ForcedOn(x);
                ForcedOff(x);
            }
        }
        """;
}
