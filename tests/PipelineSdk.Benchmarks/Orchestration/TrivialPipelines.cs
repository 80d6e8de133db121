using PipelineSdk.Descriptors;
using PipelineSdk.Values;

namespace PipelineSdk.Benchmarks.Orchestration;

/// <summary>The two graph shapes the orchestrator benchmarks run.</summary>
public enum GraphShape
{
    /// <summary><c>source → increment → increment → …</c>: every step waits for the one before.</summary>
    Chain,

    /// <summary><c>source → N × increment</c>: every increment takes the source's output and may run at once.</summary>
    FanOut,
}

/// <summary>The steps of the benchmark pipelines: as trivial as a step can be, so what is left is orchestration.</summary>
public static class TrivialSteps
{
    public static int Source() => 1;

    public static int Increment(int value) => value + 1;
}

/// <summary>
/// A graph of trivial steps in a form every engine under comparison can run: task <c>i</c> is the source when
/// <c>Producer[i]</c> is -1, else an increment of task <c>Producer[i]</c>'s output. Tasks are in topological order.
/// </summary>
public sealed class TrivialGraph
{
    private TrivialGraph(GraphShape shape, string[] keys, int[] producer)
    {
        Shape = shape;
        Keys = keys;
        Producer = producer;
    }

    public GraphShape Shape { get; }

    /// <summary>Task keys as the generator names them: <c>source</c>, <c>increment</c>, <c>increment-2</c>, …</summary>
    public IReadOnlyList<string> Keys { get; }

    public IReadOnlyList<int> Producer { get; }

    public int Count => Keys.Count;

    /// <summary>A graph of <paramref name="steps"/> tasks in all: one source and <paramref name="steps"/> - 1 increments.</summary>
    public static TrivialGraph Create(GraphShape shape, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 2);
        var keys = new string[steps];
        var producer = new int[steps];
        keys[0] = "source";
        producer[0] = -1;
        for (var i = 1; i < steps; i++)
        {
            keys[i] = i == 1 ? "increment" : $"increment-{i}";
            producer[i] = shape == GraphShape.Chain ? i - 1 : 0;
        }

        return new TrivialGraph(shape, keys, producer);
    }

    /// <summary>The same graph as the generator would describe it, for the PipelineSdk orchestrator.</summary>
    public PipelineDescriptor ToDescriptor(string pipelineName, bool enableCache)
    {
        var tasks = new PipelineTask[Count];
        for (var i = 0; i < Count; i++)
        {
            tasks[i] = Producer[i] < 0
                ? new PipelineTask { Key = Keys[i], Step = SourceStep, Inputs = [], DependsOn = [], EnableCache = enableCache }
                : new PipelineTask
                {
                    Key = Keys[i],
                    Step = IncrementStep,
                    Inputs = [new TaskOutputBinding("value", Keys[Producer[i]], "Output")],
                    DependsOn = [Keys[Producer[i]]],
                    EnableCache = enableCache,
                };
        }

        return new PipelineDescriptor { Name = pipelineName, MethodName = "PipelineSdk.Benchmarks." + pipelineName, Parameters = [], Nodes = tasks, SpecJson = "{}" };
    }

    internal static readonly StepDescriptor SourceStep = new()
    {
        Name = "source",
        MethodName = "PipelineSdk.Benchmarks.Orchestration.TrivialSteps.Source",
        Inputs = [],
        Outputs = [new StepPort("Output", ParameterCodecs.Int32)],
        CodeParts = [new CodePart("PipelineSdk.Benchmarks.Orchestration.TrivialSteps.Source()", "5f1e0a9c2b7d4e61")],
        CodeFingerprint = "0b1c7f3e9a4d2c85e6f70a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f",
        Invoke = (_, _) => new ValueTask<object?[]>([TrivialSteps.Source()]),
    };

    internal static readonly StepDescriptor IncrementStep = new()
    {
        Name = "increment",
        MethodName = "PipelineSdk.Benchmarks.Orchestration.TrivialSteps.Increment",
        Inputs = [new StepPort("value", ParameterCodecs.Int32)],
        Outputs = [new StepPort("Output", ParameterCodecs.Int32)],
        CodeParts = [new CodePart("PipelineSdk.Benchmarks.Orchestration.TrivialSteps.Increment(int)", "a3d94c1e7b2f6058")],
        CodeFingerprint = "7e2d4a91c0b35f68d1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8",
        Invoke = (inputs, _) => new ValueTask<object?[]>([TrivialSteps.Increment((int)inputs[0]!)]),
    };
}
