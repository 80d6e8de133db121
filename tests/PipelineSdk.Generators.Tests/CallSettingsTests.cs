using System.Text.Json;
using Microsoft.CodeAnalysis;
using PipelineSdk.Generators.Tests.Infrastructure;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Generators.Tests;

/// <summary>Settings chained on one call (<c>.WithRetry(3)</c>, ...), <c>.After(...)</c> and <c>StepCall.Of</c>: spec, generated code and diagnostics.</summary>
public class CallSettingsTests
{
    private const string Scenario = """
        using System.Threading.Tasks;
        using PipelineSdk;

        namespace Demo.PerCall;

        public static class Training
        {
            [Step] public static int Load(int rows) => rows;

            [Step, Retry(1)]
            [Env("MODE", "default")]
            public static double Train(int data, double rate) => rate * data;

            [Step] public static void PrintText(string text) { }

            [Step] public static async Task Upload(double score) => await Task.Yield();

            [Pipeline]
            public static double Inner(int rows)
            {
                var data = Load(rows);
                return Train(data, 0.5);
            }

            [Pipeline]
            public static async Task PerCall(int rows = 100)
            {
                var data = Load(rows).WithCaching(false).WithDisplayName("Load rows");
                var small = Train(data, 0.1);
                var large = Train(data, 0.01)
                    .WithRetry(3, backoffSeconds: 10, backoffFactor: 1.5)
                    .WithEnv("MODE", "large")
                    .WithEnv("BATCH", "512")
                    .WithResources(cpu: "8", memory: "32G", accelerator: "NVIDIA_TESLA_T4", acceleratorCount: "2")
                    .WithImage("us-docker.pkg.dev/my-project/images/trainer-gpu:1.2");
                var first = StepCall.Of(() => PrintText("1st task"));
                var second = StepCall.Of(() => PrintText("2nd task")).After(first);
                StepCall.Of(() => PrintText("3rd task")).After(first, second);
                await Upload(small).WithRetry(2).After(large);
                var fresh = Inner(rows).WithCaching(false);
                var cached = Inner(rows);
                await Upload(fresh).After(cached);
            }
        }
        """;

    [Test]
    public void Generated_sources_and_spec_match_the_approved_files_and_are_valid()
    {
        var (result, output, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.Compile(Scenario));

        Assert.That(diagnostics, Is.Empty);
        var files = result.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());
        foreach (var (name, json) in GeneratorOutputTests.ReadSpecs(GeneratorHarness.EmitClean(output)))
        {
            SpecChecker.AssertValid(json);
            files[name + ".json"] = json;
        }

        Baseline.Verify("CallSettings", files);
    }

    [Test]
    public void Calls_with_their_own_settings_get_their_own_component_and_executor_as_KFP_gives_each_task()
    {
        using var spec = Spec(Scenario, "per-call");
        var tasks = spec.RootElement.GetProperty("root").GetProperty("dag").GetProperty("tasks");
        var executors = spec.RootElement.GetProperty("deploymentSpec").GetProperty("executors");

        // The plain call keeps the step's attributes; the configured one has its own executor with the overrides.
        Assert.That(tasks.GetProperty("train").GetProperty("componentRef").GetProperty("name").GetString(), Is.EqualTo("comp-train"));
        Assert.That(tasks.GetProperty("train-2").GetProperty("componentRef").GetProperty("name").GetString(), Is.EqualTo("comp-train-2"));
        Assert.That(tasks.GetProperty("train").GetProperty("retryPolicy").GetProperty("maxRetryCount").GetInt32(), Is.EqualTo(1));
        var retry = tasks.GetProperty("train-2").GetProperty("retryPolicy");
        Assert.That((retry.GetProperty("maxRetryCount").GetInt32(), retry.GetProperty("backoffDuration").GetString(), retry.GetProperty("backoffFactor").GetDouble()), Is.EqualTo((3, "10s", 1.5)));
        Assert.That(Env(executors.GetProperty("exec-train")), Is.EqualTo(new[] { "MODE=default" }));
        Assert.That(Env(executors.GetProperty("exec-train-2")), Is.EqualTo(new[] { "MODE=large", "BATCH=512" }));
        var container = executors.GetProperty("exec-train-2").GetProperty("container");
        Assert.That(container.GetProperty("image").GetString(), Is.EqualTo("us-docker.pkg.dev/my-project/images/trainer-gpu:1.2"));
        Assert.That(container.GetProperty("resources").GetProperty("accelerator").GetProperty("resourceCount").GetString(), Is.EqualTo("2"));
        Assert.That(container.GetProperty("resources").GetProperty("resourceMemoryLimit").GetString(), Is.EqualTo("32G"));
        Assert.That(executors.GetProperty("exec-train").GetProperty("container").TryGetProperty("resources", out _), Is.False);
        Assert.That(container.GetProperty("args").EnumerateArray().Select(a => a.GetString()), Does.Contain("train-2"), "step mode finds the variant by its component name");

        // Caching and display name are the task's own.
        Assert.That(tasks.GetProperty("load").GetProperty("cachingOptions").EnumerateObject(), Is.Empty);
        Assert.That(tasks.GetProperty("load").GetProperty("taskInfo").GetProperty("name").GetString(), Is.EqualTo("Load rows"));
        Assert.That(tasks.GetProperty("train").GetProperty("cachingOptions").GetProperty("enableCache").GetBoolean(), Is.True);
    }

    [Test]
    public void After_orders_tasks_without_data_as_dependentTasks()
    {
        using var spec = Spec(Scenario, "per-call");
        var tasks = spec.RootElement.GetProperty("root").GetProperty("dag").GetProperty("tasks");

        Assert.That(DependsOn(tasks, "print-text"), Is.Empty);
        Assert.That(DependsOn(tasks, "print-text-2"), Is.EqualTo(new[] { "print-text" }));
        Assert.That(DependsOn(tasks, "print-text-3"), Is.EqualTo(new[] { "print-text", "print-text-2" }));
        Assert.That(DependsOn(tasks, "upload"), Is.EqualTo(new[] { "train", "train-2" }), "its input's producer and the task it runs after");
        Assert.That(DependsOn(tasks, "upload-2"), Is.EqualTo(new[] { "inner", "inner-2" }));
    }

    [Test]
    public void Caching_switched_off_on_a_called_pipeline_turns_it_off_for_its_task_and_every_task_in_it()
    {
        using var spec = Spec(Scenario, "per-call");
        var root = spec.RootElement.GetProperty("root").GetProperty("dag").GetProperty("tasks");
        var components = spec.RootElement.GetProperty("components");

        Assert.That(root.GetProperty("inner").GetProperty("cachingOptions").EnumerateObject(), Is.Empty);
        Assert.That(root.GetProperty("inner-2").GetProperty("cachingOptions").GetProperty("enableCache").GetBoolean(), Is.True);
        var off = root.GetProperty("inner").GetProperty("componentRef").GetProperty("name").GetString()!;
        var on = root.GetProperty("inner-2").GetProperty("componentRef").GetProperty("name").GetString()!;
        Assert.That(off, Is.Not.EqualTo(on));
        foreach (var task in components.GetProperty(off).GetProperty("dag").GetProperty("tasks").EnumerateObject())
        {
            Assert.That(task.Value.GetProperty("cachingOptions").EnumerateObject(), Is.Empty, task.Name);
        }

        foreach (var task in components.GetProperty(on).GetProperty("dag").GetProperty("tasks").EnumerateObject())
        {
            Assert.That(task.Value.GetProperty("cachingOptions").GetProperty("enableCache").GetBoolean(), Is.True, task.Name);
        }
    }

    [Test]
    public void A_called_pipeline_task_takes_a_display_name_of_its_own()
    {
        using var spec = Spec("""
            using PipelineSdk;
            public static class C
            {
                [Step] public static int Load(int rows) => rows;
                [Pipeline] public static int Inner(int rows) => Load(rows);
                [Pipeline]
                public static void P()
                {
                    Inner(1).WithDisplayName("Small sample");
                    Inner(2);
                }
            }
            """, "p");
        var tasks = spec.RootElement.GetProperty("root").GetProperty("dag").GetProperty("tasks");

        Assert.That(tasks.GetProperty("inner").GetProperty("taskInfo").GetProperty("name").GetString(), Is.EqualTo("Small sample"));
        Assert.That(tasks.GetProperty("inner-2").GetProperty("taskInfo").GetProperty("name").GetString(), Is.EqualTo("inner-2"));
    }

    [Test]
    public void After_inside_a_condition_makes_the_condition_wait()
    {
        using var spec = Spec("""
            using PipelineSdk;
            public static class C
            {
                [Step] public static int A() => 1;
                [Step] public static void B(string s) { }
                [Pipeline]
                public static void P(bool go = true)
                {
                    var a = A();
                    if (go)
                    {
                        StepCall.Of(() => B("x")).After(a);
                    }
                }
            }
            """, "p");
        var tasks = spec.RootElement.GetProperty("root").GetProperty("dag").GetProperty("tasks");

        Assert.That(DependsOn(tasks, "condition-1"), Is.EqualTo(new[] { "a" }));
    }

    [Test]
    public void Resources_from_string_pipeline_parameters_are_read_when_the_task_starts_as_KFP_writes_them()
    {
        using var spec = Spec("""
            using PipelineSdk;
            public static class C
            {
                [Step] public static int SumNumbers(int a, int b) => a + b;
                [Pipeline]
                public static void Pipeline(string cpuLimit = "4000m", string memoryLimit = "15G", string acceleratorType = "NVIDIA_TESLA_P4", string acceleratorLimit = "1", bool inBranch = false)
                {
                    SumNumbers(1, 2).WithResources(cpu: cpuLimit, memory: memoryLimit, accelerator: acceleratorType, acceleratorCount: acceleratorLimit);
                    if (inBranch)
                    {
                        SumNumbers(3, 4).WithResources(cpu: cpuLimit, memory: "1G");
                    }
                }
            }
            """, "pipeline");
        var root = spec.RootElement.GetProperty("root").GetProperty("dag").GetProperty("tasks");
        var executors = spec.RootElement.GetProperty("deploymentSpec").GetProperty("executors");

        var resources = executors.GetProperty("exec-sum-numbers").GetProperty("container").GetProperty("resources");
        Assert.That(Compact(resources.GetRawText()), Is.EqualTo(Compact("""
            {"accelerator":{"resourceCount":"{{$.inputs.parameters['pipelinechannel--acceleratorLimit']}}","resourceType":"{{$.inputs.parameters['pipelinechannel--acceleratorType']}}"},
             "resourceCpuLimit":"{{$.inputs.parameters['pipelinechannel--cpuLimit']}}","resourceMemoryLimit":"{{$.inputs.parameters['pipelinechannel--memoryLimit']}}"}
            """)));
        var inputs = root.GetProperty("sum-numbers").GetProperty("inputs").GetProperty("parameters");
        Assert.That(inputs.GetProperty("pipelinechannel--cpuLimit").GetProperty("componentInputParameter").GetString(), Is.EqualTo("cpuLimit"));
        Assert.That(inputs.GetProperty("pipelinechannel--acceleratorLimit").GetProperty("componentInputParameter").GetString(), Is.EqualTo("acceleratorLimit"));

        // Inside a condition the parameter enters the branch's DAG as a channel, like any value from outside it.
        var branch = spec.RootElement.GetProperty("components").GetProperty("comp-condition-1");
        Assert.That(branch.GetProperty("inputDefinitions").GetProperty("parameters").TryGetProperty("pipelinechannel--cpuLimit", out _), Is.True);
        var inner = branch.GetProperty("dag").GetProperty("tasks").GetProperty("sum-numbers-2").GetProperty("inputs").GetProperty("parameters");
        Assert.That(inner.GetProperty("pipelinechannel--cpuLimit").GetProperty("componentInputParameter").GetString(), Is.EqualTo("pipelinechannel--cpuLimit"));
        var constantMemory = executors.GetProperty("exec-sum-numbers-2").GetProperty("container").GetProperty("resources");
        Assert.That(constantMemory.GetProperty("memoryLimit").GetDouble(), Is.EqualTo(1.0), "a constant keeps its numeric field");
        Assert.That(constantMemory.TryGetProperty("cpuLimit", out _), Is.False, "a parameter has none");
    }

    [Test]
    public void The_step_of_a_finally_block_takes_settings_of_its_own_and_still_gets_the_final_status()
    {
        using var spec = Spec("""
            using PipelineSdk;
            public static class C
            {
                [Step] public static int Work(string message) => message.Length;
                [Step] public static void Notify(string channel, TaskFinalStatus status) { }
                [Pipeline]
                public static void P()
                {
                    try
                    {
                        Work("x");
                    }
                    finally
                    {
                        StepCall.Of(() => Notify("#ml", TaskFinalStatus.Current)).WithRetry(2).WithDisplayName("Tell the team");
                    }
                }
            }
            """, "p");
        var notify = spec.RootElement.GetProperty("root").GetProperty("dag").GetProperty("tasks").GetProperty("notify");

        Assert.That(notify.GetProperty("triggerPolicy").GetProperty("strategy").GetString(), Is.EqualTo("ALL_UPSTREAM_TASKS_COMPLETED"));
        Assert.That(notify.GetProperty("inputs").GetProperty("parameters").GetProperty("status").GetProperty("taskFinalStatus").GetProperty("producerTask").GetString(), Is.EqualTo("exit-handler-1"));
        Assert.That(notify.GetProperty("retryPolicy").GetProperty("maxRetryCount").GetInt32(), Is.EqualTo(2));
        Assert.That(notify.GetProperty("taskInfo").GetProperty("name").GetString(), Is.EqualTo("Tell the team"));
    }

    [TestCase("Train(data, 0.1).WithRetry(rows)", "PSDK0040", "rows", "WithRetry on the call to 'Train': maxRetries is the pipeline parameter 'rows'; settings are fixed when the pipeline is compiled, so write a constant")]
    [TestCase("Train(data, 0.1).WithRetry(-1)", "PSDK0040", "-1", "WithRetry on the call to 'Train': the retry count -1 is negative")]
    [TestCase("Train(data, 0.1).WithRetry(2, backoffFactor: 0.5)", "PSDK0040", "backoffFactor: 0.5", "BackoffFactor is 0.5")]
    [TestCase("Train(data, 0.1).WithEnv(\"A\", \"1\").WithEnv(\"A\", \"2\")", "PSDK0040", "\"A\"", "'A' is set twice; keep one WithEnv(\"A\", ...)")]
    [TestCase("Train(data, 0.1).WithEnv(\"1A\", \"1\")", "PSDK0040", "\"1A\"", "\"1A\" is not a valid variable name")]
    [TestCase("Train(data, 0.1).WithResources(cpu: \"lots\")", "PSDK0040", "cpu: \"lots\"", "Cpu \"lots\" is not a CPU quantity")]
    [TestCase("Train(data, 0.1).WithResources()", "PSDK0040", "WithResources", "it sets nothing")]
    [TestCase("Train(data, 0.1).WithResources(accelerator: \"A100\")", "PSDK0024", "accelerator: \"A100\"", "did you mean NVIDIA_TESLA_A100 or NVIDIA_A100_80GB?")]
    [TestCase("Train(data, 0.1).WithDisplayName(\"\")", "PSDK0040", "\"\"", "the display name is empty")]
    [TestCase("Train(data, 0.1).WithImage(\"my image\")", "PSDK0040", "\"my image\"", "which contains white space")]
    [TestCase("Train(data, 0.1).After(rows)", "PSDK0040", "rows", "After on the call to 'Train': the pipeline parameter 'rows' is not an earlier task")]
    [TestCase("Inner(rows).WithRetry(2)", "PSDK0040", "WithRetry", "a called pipeline takes only WithCaching, WithDisplayName and After")]
    [TestCase("data.WithRetry(2)", "PSDK0040", "WithRetry", "WithRetry is chained on the local 'data', which does not hold a step output; chain it on the step call itself")]
    [TestCase("System.Math.Abs(1).WithRetry(2)", "PSDK0040", "WithRetry", "chained on a call to 'Abs', which is not a [Step] or [Pipeline] method")]
    [TestCase("StepCall.Of(() => System.Console.WriteLine())", "PSDK0040", "StepCall.Of(() => System.Console.WriteLine())", "its argument must be a lambda whose body is one step call")]
    public void Misuse_is_one_precise_diagnostic_at_the_argument(string statement, string id, string at, string message)
    {
        var source = $$"""
            using PipelineSdk;
            public static class C
            {
                [Step] public static int Load(int rows) => rows;
                [Step] public static double Train(int data, double rate) => rate;
                [Pipeline] public static double Inner(int rows) => Train(Load(rows), 0.5);
                [Pipeline]
                public static void P(int rows = 3)
                {
                    var data = Load(rows);
                    {{statement}};
                }
            }
            """;
        var (_, _, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.Compile(source));

        var relevant = diagnostics.Where(d => d.Id != "PSDK0020").ToList();
        Assert.That(relevant.Select(d => d.Id), Is.EqualTo(new[] { id }), string.Join("\n", relevant));
        var diagnostic = relevant[0];
        Assert.That(diagnostic.GetMessage(), Does.Contain(message));
        Assert.That(diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan), Is.EqualTo(at));
    }

    /// <summary>The spec of <paramref name="pipeline"/>, generated without warnings and structurally valid.</summary>
    internal static JsonDocument Spec(string source, string pipeline)
    {
        var (_, output, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.Compile(source));
        Assert.That(diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning), Is.Empty);
        var json = GeneratorOutputTests.ReadSpecs(GeneratorHarness.EmitClean(output))[pipeline];
        SpecChecker.AssertValid(json);
        return JsonDocument.Parse(json);
    }

    private static string Compact(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);

    private static string[] Env(JsonElement executor) =>
        executor.GetProperty("container").TryGetProperty("env", out var env)
            ? [.. env.EnumerateArray().Select(e => e.GetProperty("name").GetString() + "=" + e.GetProperty("value").GetString())]
            : [];

    private static string[] DependsOn(JsonElement tasks, string task) =>
        tasks.GetProperty(task).TryGetProperty("dependentTasks", out var dependsOn) ? [.. dependsOn.EnumerateArray().Select(d => d.GetString()!)] : [];
}
