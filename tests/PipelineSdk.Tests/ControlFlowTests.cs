using PipelineSdk.Store;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Tests;

/// <summary>Conditions, loops, exit handlers and nested pipelines run locally with the semantics Vertex AI gives them.</summary>
[NonParallelizable]
public class ControlFlowTests
{
    private TempStore _store = null!;

    [SetUp]
    public void SetUp()
    {
        ControlFlowPipelines.Reset();
        _store = new TempStore();
    }

    [TearDown]
    public void TearDown() => _store.Dispose();

    [TestCase(4, false, new[] { "big", "middle", "scored" })]
    [TestCase(2, false, new[] { "low" })]
    [TestCase(2, true, new[] { "low" })]
    [TestCase(7, false, new[] { "big", "high" })]
    [TestCase(4, true, new[] { "big", "high" })]
    public async Task Exactly_the_branches_whose_conditions_hold_run(int value, bool loud, string[] said)
    {
        var run = await Pipelines.BranchPipeline.RunAsync(value, loud: loud, options: _store.Options());

        Assert.That(run.Status, Is.EqualTo(RunStatus.Completed), () => string.Join("; ", run.Steps.Select(s => $"{s.TaskKey}: {s.Error}")));
        Assert.That(ControlFlowPipelines.Said.Order(), Is.EqualTo(said.Order()));
        var notTriggered = run.Steps.Where(s => s.Status == StepStatus.NotTriggered).ToList();
        Assert.That(run.Steps.Select(s => s.Status), Is.All.AnyOf(StepStatus.Completed, StepStatus.NotTriggered), "every step either ran or is recorded as not triggered");
        Assert.That(run.Steps.Count(s => s.StepName == "say" && s.Status == StepStatus.Completed), Is.EqualTo(said.Length));
        using var store = _store.Open();
        var recorded = store.GetStepRuns(run.RunId).Where(s => s.Status == StepStatus.NotTriggered).Select(s => s.TaskKey);
        Assert.That(recorded, Is.EquivalentTo(notTriggered.Select(s => s.TaskKey)));
        Assert.That(notTriggered.Select(s => s.Error), Is.All.Contains("was false"));
    }

    [Test]
    public async Task A_parameter_in_a_condition_takes_the_value_given_at_run_time()
    {
        var run = await Pipelines.BranchPipeline.RunAsync(4, threshold: 0.5, options: _store.Options());

        Assert.That(ControlFlowPipelines.Said, Is.EquivalentTo(new[] { "big", "middle" }), "0.4 < 0.5: the nested branch is not taken");
        Assert.That(run.Steps.Count(s => s.StepName == "say" && s.Status == StepStatus.NotTriggered), Is.EqualTo(3), "low, high and scored");
    }

    [Test]
    public async Task A_loop_fans_out_up_to_its_limit_and_collects_outputs_for_the_steps_after_it()
    {
        var run = await Pipelines.LoopPipeline.RunAsync(6, _store.Options(maxParallelism: 8));

        Assert.That(run.Status, Is.EqualTo(RunStatus.Completed));
        Assert.That(run.Output, Is.EqualTo(1 + 4 + 9 + 16 + 25 + 36));
        Assert.That(run.Join, Is.EqualTo("1,4,9,16,25,36"));
        Assert.That(ControlFlowPipelines.MaxRunning, Is.InRange(1, 2), "WithParallelism(2)");
        Assert.That(run.Steps.Where(s => s.StepName == "square").Select(s => s.TaskKey).Order(),
            Is.EqualTo(Enumerable.Range(0, 6).Select(i => $"square[{i}]").Order()));
    }

    [Test]
    public async Task Collected_outputs_are_in_iteration_order_whatever_order_iterations_finish_in()
    {
        var run = await Pipelines.OrderedPipeline.RunAsync(_store.Options(maxParallelism: 4));

        Assert.That(run.Status, Is.EqualTo(RunStatus.Completed));
        Assert.That(run.Output, Is.EqualTo("10,20,30"));
        var returned = ControlFlowPipelines.Returned.ToList();
        Assert.That(returned.IndexOf(3), Is.LessThan(returned.IndexOf(1)), "the first iteration waited for the last one");
    }

    [Test]
    public async Task An_empty_loop_collects_an_empty_list()
    {
        var run = await Pipelines.LoopPipeline.RunAsync(0, _store.Options());

        Assert.That(run.Status, Is.EqualTo(RunStatus.Completed));
        Assert.That(run.Output, Is.Zero);
        Assert.That(run.Join, Is.Empty);
    }

    [Test]
    public async Task The_finally_step_runs_after_success_and_sees_SUCCEEDED()
    {
        var run = await Pipelines.GuardedPipeline.RunAsync(_store.Options());

        Assert.That(run.Status, Is.EqualTo(RunStatus.Completed));
        var status = ControlFlowPipelines.Statuses.Single();
        Assert.That(status.State, Is.EqualTo("SUCCEEDED"));
        Assert.That(status.PipelineTaskName, Is.EqualTo("exit-handler-1"));
        Assert.That(status.PipelineJobResourceName, Is.EqualTo(run.RunId));
        Assert.That(status.ErrorMessage, Is.Null);
    }

    [Test]
    public async Task The_finally_step_runs_after_a_failure_and_sees_FAILED_with_the_error()
    {
        ControlFlowPipelines.FailWork = true;

        var run = await Pipelines.GuardedPipeline.RunAsync(_store.Options());

        Assert.That(run.Status, Is.EqualTo(RunStatus.Failed));
        Assert.That(run["work"].Status, Is.EqualTo(StepStatus.Failed));
        Assert.That(run["work-2"].Status, Is.EqualTo(StepStatus.NotRun));
        Assert.That(run["notify"].Status, Is.EqualTo(StepStatus.Completed));
        var status = ControlFlowPipelines.Statuses.Single();
        Assert.That(status.State, Is.EqualTo("FAILED"));
        Assert.That(status.ErrorMessage, Does.Contain("task 'work' failed").And.Contain("the work broke"));
    }

    [Test]
    public async Task A_finally_step_without_a_status_parameter_also_runs_after_a_failure()
    {
        ControlFlowPipelines.FailWork = true;

        var run = await Pipelines.PlainExitPipeline.RunAsync(_store.Options());

        Assert.That(run.Status, Is.EqualTo(RunStatus.Failed));
        Assert.That(run["say"].Status, Is.EqualTo(StepStatus.Completed));
        Assert.That(ControlFlowPipelines.Said, Is.EqualTo(new[] { "exit" }));
    }

    [Test]
    public async Task A_pipeline_can_return_the_list_its_loop_collected()
    {
        var direct = await Pipelines.SquaresOf.RunAsync(3, _store.Options());
        var called = await Pipelines.SumOfSquares.RunAsync(3, _store.Options());

        Assert.That(direct.Output, Is.EqualTo(new List<int> { 1, 4, 9 }));
        Assert.That(called.Status, Is.EqualTo(RunStatus.Completed), () => string.Join("; ", called.Steps.Select(s => $"{s.TaskKey}: {s.Error}")));
        Assert.That(called.Output, Is.EqualTo(14));
        Assert.That(called.Steps.Select(s => s.TaskKey), Does.Contain("squares-of/square[2]"));
    }

    [Test]
    public async Task A_called_pipeline_runs_with_its_own_parameters_and_returns_its_output()
    {
        var run = await Pipelines.NestedPipeline.RunAsync(10, _store.Options());

        Assert.That(run.Status, Is.EqualTo(RunStatus.Completed), () => string.Join("; ", run.Steps.Select(s => $"{s.TaskKey}: {s.Error}")));
        Assert.That(run.Publish, Is.EqualTo("published 10"), "rows 10 → data 20 → fit at the default rate 0.5");
        Assert.That(run.GetOutput<string>("publish-2[1]"), Is.EqualTo("published 40"));
        Assert.That(run.Steps.Select(s => s.TaskKey), Is.SupersetOf(new[] { "train-once/load", "train-once/fit", "train-once-2[0]/fit", "train-once-2[1]/fit" }));
        using var store = _store.Open();
        Assert.That(store.GetStepRuns(run.RunId).Select(s => s.TaskKey), Does.Contain("train-once-2[1]/load"));
    }

    [Test]
    public async Task Steps_in_loops_and_branches_are_cached_per_iteration()
    {
        await Pipelines.NestedPipeline.RunAsync(10, _store.Options());
        var second = await Pipelines.NestedPipeline.RunAsync(10, _store.Options());

        Assert.That(second.Steps.Select(s => s.Status), Is.All.EqualTo(StepStatus.Cached));
        Assert.That(second.GetOutput<string>("publish-2[0]"), Is.EqualTo("published 20"));
    }
}

/// <summary>Every pipeline this test project compiles has a structurally valid spec.</summary>
public class CompiledSpecTests
{
    [Test]
    public void Every_registered_pipeline_has_a_structurally_valid_spec()
    {
        var pipelines = PipelineSdk.Descriptors.PipelineRegistry.All;

        Assert.That(pipelines.Select(p => p.Name), Does.Contain("guarded-pipeline").And.Contain("nested-pipeline"));
        foreach (var pipeline in pipelines)
        {
            SpecChecker.AssertValid(pipeline.SpecJson);
        }
    }
}

/// <summary>Conditions evaluate as their CEL form does on Vertex AI.</summary>
public class ConditionTests
{
    private static readonly Dictionary<string, object?> Values = new()
    {
        ["count"] = 3,
        ["big"] = 3_000_000_000L,
        ["score"] = 0.75,
        ["label"] = "b",
        ["ready"] = true,
        ["missing"] = null,
    };

    private static bool Holds(Descriptors.Condition condition) =>
        condition.Evaluate(binding => Values[((Descriptors.PipelineParameterBinding)binding).ParameterName]);

    private static Descriptors.InputBinding Value(string name) => new Descriptors.PipelineParameterBinding("", name);

    private static Descriptors.InputBinding Constant(string json) => new Descriptors.ConstantBinding("", json);

    [TestCase("count", "<", "3.5", true)]
    [TestCase("count", "==", "3", true)]
    [TestCase("big", ">", "2147483647", true)]
    [TestCase("score", ">=", "0.75", true)]
    [TestCase("score", "<", "1", true)]
    [TestCase("label", "<", "\"a\"", false)]
    [TestCase("label", "!=", "\"B\"", true)]
    [TestCase("ready", "==", "true", true)]
    [TestCase("missing", "==", "\"x\"", false)]
    [TestCase("missing", "!=", "\"x\"", true)]
    [TestCase("count", "==", "\"3\"", false)]
    public void Comparisons_compare_numbers_as_numbers_and_strings_ordinally(string name, string op, string constant, bool expected)
    {
        Assert.That(Holds(new Descriptors.Comparison(op, Value(name), Constant(constant))), Is.EqualTo(expected));
    }

    [Test]
    public void Logic_combines_and_ordering_a_missing_value_is_an_error()
    {
        var high = new Descriptors.Comparison(">", Value("score"), Constant("0.5"));
        var low = new Descriptors.Comparison("<", Value("count"), Constant("1"));

        Assert.That(Holds(new Descriptors.AllOf(high, new Descriptors.Not(low))), Is.True);
        Assert.That(Holds(new Descriptors.AnyOf(low, new Descriptors.IsTrue(Value("ready")))), Is.True);
        Assert.That(Holds(new Descriptors.AllOf(high, low)), Is.False);
        Assert.That(() => Holds(new Descriptors.Comparison("<", Value("missing"), Constant("1"))), Throws.InvalidOperationException.With.Message.Contains("cannot compare"));
    }
}
