using System.Threading.Tasks.Dataflow;

namespace PipelineSdk.Benchmarks.Orchestration;

/// <summary>The graphs run by plain method calls and by TPL Dataflow: engines that record nothing.</summary>
public static class OtherEngines
{
    /// <summary>Calls the steps directly in topological order; returns the sum of the outputs.</summary>
    public static long DirectCalls(TrivialGraph graph)
    {
        var values = new int[graph.Count];
        long sum = 0;
        for (var i = 0; i < graph.Count; i++)
        {
            var producer = graph.Producer[i];
            values[i] = producer < 0 ? TrivialSteps.Source() : TrivialSteps.Increment(values[producer]);
            sum += values[i];
        }

        return sum;
    }

    /// <summary>
    /// One Dataflow block per task, linked along the graph's edges (a broadcast block where a task feeds several);
    /// the run ends when every block has completed. Returns the sum of the outputs.
    /// </summary>
    public static async Task<long> TplDataflowAsync(TrivialGraph graph)
    {
        var outputs = new int[graph.Count];
        var blocks = new TransformBlock<int, int>[graph.Count];
        var fanOuts = new BroadcastBlock<int>?[graph.Count];
        var link = new DataflowLinkOptions { PropagateCompletion = true };
        var consumers = new int[graph.Count];
        for (var i = 1; i < graph.Count; i++)
        {
            consumers[graph.Producer[i]]++;
        }

        for (var i = 0; i < graph.Count; i++)
        {
            var index = i;
            var isSource = graph.Producer[i] < 0;
            blocks[i] = new TransformBlock<int, int>(input =>
            {
                var value = isSource ? TrivialSteps.Source() : TrivialSteps.Increment(input);
                outputs[index] = value;
                return value;
            });
            if (consumers[i] > 1)
            {
                fanOuts[i] = new BroadcastBlock<int>(v => v);
                blocks[i].LinkTo(fanOuts[i]!, link);
            }
        }

        var sinks = new List<Task>();
        for (var i = 0; i < graph.Count; i++)
        {
            var producer = graph.Producer[i];
            if (producer >= 0)
            {
                var from = (ISourceBlock<int>?)fanOuts[producer] ?? blocks[producer];
                from.LinkTo(blocks[i], link);
            }

            if (consumers[i] == 0)
            {
                // A leaf's output has nowhere to go: drain it so the block can complete.
                var drain = new ActionBlock<int>(_ => { });
                blocks[i].LinkTo(drain, link);
                sinks.Add(drain.Completion);
            }
        }

        blocks[0].Post(0);
        blocks[0].Complete();
        await Task.WhenAll(sinks).ConfigureAwait(false);
        long sum = 0;
        foreach (var value in outputs)
        {
            sum += value;
        }

        return sum;
    }
}
