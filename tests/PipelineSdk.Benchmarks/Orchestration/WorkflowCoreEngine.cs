using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using WorkflowCore.Interface;
using WorkflowCore.Models;
using WorkflowCore.Models.LifeCycleEvents;

namespace PipelineSdk.Benchmarks.Orchestration;

/// <summary>
/// WorkflowCore with its default in-memory persistence, running a <see cref="TrivialGraph"/> as a workflow:
/// a chain as <c>StartWith … Then …</c>, a fan-out as one <c>Parallel</c> branch per increment.
/// </summary>
public sealed class WorkflowCoreEngine : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly IWorkflowHost _host;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _running = new(StringComparer.Ordinal);

    public WorkflowCoreEngine()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddWorkflow();
        _services = services.BuildServiceProvider();
        _host = _services.GetRequiredService<IWorkflowHost>();
        _host.OnLifeCycleEvent += OnLifeCycleEvent;
        _host.Start();
    }

    public void Register(string workflowId, TrivialGraph graph) =>
        _services.GetRequiredService<IWorkflowRegistry>().RegisterWorkflow(new GraphWorkflow(workflowId, graph));

    /// <summary>Runs the workflow once and returns the sum of its step outputs.</summary>
    public async Task<long> RunAsync(string workflowId, TrivialGraph graph)
    {
        var reference = Guid.NewGuid().ToString("N");
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _running[reference] = done;
        var data = new GraphData { Values = new int[graph.Count] };
        await _host.StartWorkflow(workflowId, 1, data, reference).ConfigureAwait(false);
        await done.Task.WaitAsync(TimeSpan.FromMinutes(10)).ConfigureAwait(false);
        return data.Values.Sum(v => (long)v);
    }

    public void Dispose()
    {
        _host.Stop();
        _services.Dispose();
    }

    private void OnLifeCycleEvent(LifeCycleEvent evt)
    {
        if (evt is WorkflowCompleted or WorkflowTerminated && evt.Reference is { } reference && _running.TryRemove(reference, out var done))
        {
            if (evt is WorkflowCompleted)
            {
                done.TrySetResult();
            }
            else
            {
                done.TrySetException(new InvalidOperationException($"WorkflowCore terminated workflow {evt.WorkflowInstanceId}"));
            }
        }
    }

    public sealed class GraphData
    {
        public int[] Values { get; set; } = [];
    }

    public sealed class SourceBody : StepBody
    {
        public int Output { get; set; }

        public override ExecutionResult Run(IStepExecutionContext context)
        {
            Output = TrivialSteps.Source();
            return ExecutionResult.Next();
        }
    }

    public sealed class IncrementBody : StepBody
    {
        public int Value { get; set; }

        public int Output { get; set; }

        public override ExecutionResult Run(IStepExecutionContext context)
        {
            Output = TrivialSteps.Increment(Value);
            return ExecutionResult.Next();
        }
    }

    private sealed class GraphWorkflow(string id, TrivialGraph graph) : IWorkflow<GraphData>
    {
        public string Id => id;

        public int Version => 1;

        public void Build(IWorkflowBuilder<GraphData> builder)
        {
            var source = builder.StartWith<SourceBody>().Output((step, data) => data.Values[0] = step.Output);
            if (graph.Shape == GraphShape.Chain)
            {
                IStepBuilder<GraphData, IncrementBody>? previous = null;
                for (var i = 1; i < graph.Count; i++)
                {
                    var index = i;
                    var next = previous is null ? source.Then<IncrementBody>() : previous.Then<IncrementBody>();
                    previous = next
                        .Input((step, data) => step.Value = data.Values[index - 1])
                        .Output((step, data) => data.Values[index] = step.Output);
                }

                return;
            }

            var parallel = source.Parallel();
            for (var i = 1; i < graph.Count; i++)
            {
                var index = i;
                parallel.Do(branch => branch.StartWith<IncrementBody>()
                    .Input((step, data) => step.Value = data.Values[0])
                    .Output((step, data) => data.Values[index] = step.Output));
            }

            parallel.Join();
        }
    }
}
