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

    public const string Conditions = """
        using PipelineSdk;

        namespace Demo.Branching;

        public static class Coins
        {
            [Step] public static string Flip() => "heads";
            [Step] public static int Roll() => 4;
            [Step] public static double Score() => 0.9;
            [Step] public static void Say(string text) { }
            [Step] public static bool IsReady() => true;

            [Pipeline]
            public static void Branching(double threshold = 0.8, bool loud = false)
            {
                var side = Flip();
                var roll = Roll();
                if (side == "heads")
                {
                    Say("heads");
                }

                if (roll < 3)
                {
                    Say("low");
                }
                else if (roll > 5 || loud)
                {
                    Say("high");
                }
                else
                {
                    Say("middle");
                    if (Score() >= threshold && !IsReady())
                    {
                        Say("good but not ready");
                    }
                }

                if (Score() > roll)
                {
                    Say("score beats roll");
                }
            }
        }
        """;

    public const string Loops = """
        using System.Collections.Generic;
        using PipelineSdk;

        namespace Demo.Looping;

        public static class Sweep
        {
            [Step] public static List<string> Shards() => new() { "a", "b" };
            [Step] public static List<int> Sizes(string shard) => new() { 1, 2 };
            [Step] public static double Train(string shard, double rate, int size) => rate * size;
            [Step] public static double Best(List<double> scores) => 0;
            [Step] public static void Log(string shard, int epochs) { }

            [Pipeline(LoopParallelism = 4)]
            public static double Looping(List<int> epochs)
            {
                var shards = Shards();
                var scores = new List<double>();
                foreach (var rate in new[] { 0.1, 0.01 }.WithParallelism(2))
                {
                    scores.Add(Train("all", rate, 1));
                }

                foreach (var shard in shards)
                {
                    foreach (var size in Sizes(shard))
                    {
                        Train(shard, 0.5, size);
                    }

                    foreach (var count in epochs)
                    {
                        Log(shard, count);
                    }
                }

                return Best(scores);
            }
        }
        """;

    public const string ExitHandlers = """
        using PipelineSdk;

        namespace Demo.Cleanup;

        public static class Jobs
        {
            [Step] public static int Prepare() => 1;
            [Step] public static int Work(int input, string message) => input;
            [Step] public static void Notify(string channel, TaskFinalStatus status) { }

            [Pipeline]
            public static void Guarded(string message = "hello")
            {
                var prepared = Prepare();
                try
                {
                    var done = Work(prepared, message);
                    Work(done, "again");
                }
                finally
                {
                    Notify("#ops", TaskFinalStatus.Current);
                }
            }
        }
        """;

    public const string NestedPipelines = """
        using System.Collections.Generic;
        using PipelineSdk;

        namespace Demo.Nesting;

        public static class Stages
        {
            [Step] public static int Load(int rows) => rows;
            [Step] public static double Fit(int data, double rate) => rate;
            [Step] public static void Publish(double score) { }
            [Step] public static List<double> Rates() => new() { 0.1 };

            [Pipeline]
            public static double TrainOnce(int rows, double rate = 0.1)
            {
                var data = Load(rows);
                if (data > 10)
                {
                    Fit(data, 0.5);
                }

                return Fit(data, rate);
            }

            [Pipeline]
            public static void Outer(int rows = 100)
            {
                var score = TrainOnce(rows);
                if (score > 0.5)
                {
                    Publish(score);
                }

                foreach (var rate in Rates())
                {
                    TrainOnce(rows, rate);
                }
            }
        }
        """;

    public const string StepSettings = """
        using System.Threading.Tasks;
        using PipelineSdk;

        namespace Demo.Settings;

        public static class Training
        {
            [Step(DisplayName = "Load the data")]
            [Retry(3, BackoffSeconds = 10, BackoffFactor = 1.5, MaxBackoffSeconds = 600)]
            public static int Load() => 1;

            [Step(Image = "us-docker.pkg.dev/my-project/images/trainer-gpu:1.2")]
            [Resources(Cpu = "4", Memory = "16G", CpuRequest = "500m", MemoryRequest = "256Mi", Accelerator = "NVIDIA_TESLA_T4", AcceleratorCount = 2)]
            [Env("LOG_LEVEL", "debug")]
            [Env("_MODE", "fast \"mode\"")]
            public static async Task<double> Train(int rows)
            {
                await Task.Yield();
                return rows * 0.5;
            }

            [Step(DisplayName = "Report")]
            [Retry(2)]
            [Resources(Memory = "1Gi", Accelerator = "NVIDIA_L4")]
            public static void Report(double score) { }

            [Pipeline]
            public static async Task SettingsPipeline()
            {
                var rows = Load();
                var score = await Train(rows);
                Report(score);
                Report(score);
            }
        }
        """;

    /// <summary>KFP's pipeline_with_importer in C#: a constant URI with metadata, and a pipeline parameter URI with reimport in a branch.</summary>
    public const string Importers = """
        using System.Collections.Generic;
        using PipelineSdk;
        using PipelineSdk.Artifacts;

        namespace Demo;

        public static class Importing
        {
            [Step]
            public static string Train(Dataset dataset) => dataset.ReadAllText().Length.ToString();

            [Pipeline(Name = "pipeline-with-importer")]
            public static void PipelineWithImporter(string dataset2 = "gs://ml-pipeline-playground/shakespeare2.txt")
            {
                var first = Importer.Import<Dataset>("gs://ml-pipeline-playground/shakespeare1.txt", metadata: new Dictionary<string, object> { ["key"] = "value" });
                var scalar = Train(first);
                if (scalar == "123")
                {
                    var second = Importer.Import<Dataset>(dataset2, reimport: true);
                    Train(second);
                }
            }
        }
        """;
}
