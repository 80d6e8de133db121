using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using PipelineSdk.Artifacts;
using PipelineSdk.Descriptors;
using PipelineSdk.Store;
using PipelineSdk.Values;

namespace PipelineSdk.Orchestration;

/// <summary>
/// The DAG half of the local orchestrator: blocks run as Kubeflow runs them — a branch whose condition is false is
/// recorded as not triggered, loop iterations fan out up to their limit and collect outputs in iteration order, the
/// step of a finally block runs after its try block whatever happened, and a called pipeline runs with its own parameters.
/// </summary>
public sealed partial class LocalOrchestrator
{
    /// <summary>Runs the nodes of one DAG level: each starts once the siblings it depends on have finished.</summary>
    private async Task RunNodesAsync(Frame frame, IReadOnlyList<DagNode> nodes)
    {
        foreach (var node in nodes)
        {
            frame.Outcomes[node.Key] = new TaskCompletionSource<Outcome>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (node is PipelineTask)
            {
                frame.Run.Report(frame.DisplayKey(node.Key), TaskState.Queued);
            }
        }

        foreach (var node in nodes)
        {
            _ = StartAsync(frame, node);
        }

        await Task.WhenAll(nodes.Select(n => frame.Outcomes[n.Key].Task)).ConfigureAwait(false);
    }

    private Task StartAsync(Frame frame, DagNode node)
    {
        var dependencies = Task.WhenAll(node.DependsOn.Select(key => frame.Outcomes[key].Task));
        // A node with nothing to wait for starts on the pool, so the loop starting a level's nodes (or a loop's iterations)
        // goes on; a node that waits runs on the thread its last dependency finished on (steps run inline, no second hop).
        return dependencies.IsCompleted ? Task.Run(() => StartWhenReadyAsync(frame, node, dependencies)) : StartWhenReadyAsync(frame, node, dependencies);
    }

    private async Task StartWhenReadyAsync(Frame frame, DagNode node, Task<Outcome[]> dependencies)
    {
        var done = frame.Outcomes[node.Key];
        try
        {
            var upstream = await dependencies.ConfigureAwait(false);
            // The step of a finally block runs whatever happened in its try block (ALL_UPSTREAM_TASKS_COMPLETED); any other
            // failed upstream still stops it, as it stops every task.
            // A dry run cannot tell how a try block that runs steps will end: its finally step is decided at run time.
            var guarded = frame.Run.Plan is null ? (node as PipelineTask)?.ExitHandlerOf : null;
            var blocker = node.DependsOn.Zip(upstream).FirstOrDefault(u => u.Second.Status is NodeStatus.Failed or NodeStatus.NotRun && u.First != guarded);
            if (blocker.First is not null && frame.Run.Remote is { } remote && node is PipelineTask consumer && ArtifactTakenFrom(consumer, blocker.First) is { } input)
            {
                var runs = $"it takes artifact '{input}' from '{frame.DisplayKey(blocker.First)}', which runs: {remote.Name} keys a task's inputs by artifact, not content, and that run makes a new one";
                frame.Run.Predict(frame.DisplayKey(consumer.Key), TaskForecast.Runs, runs);
                frame.Run.Add(new StepRunResult(frame.DisplayKey(consumer.Key), consumer.Step.Name, StepStatus.NotRun, null, Empty, EmptyArtifacts, runs, null));
                done.SetResult(Outcome.NotRun(runs));
                return;
            }

            if (blocker.First is not null || frame.Run.Cancellation.IsCancellationRequested)
            {
                var reason = blocker.First is null ? "run cancelled"
                    : frame.Run.Plan is not null ? $"it takes the outcome of '{frame.DisplayKey(blocker.First)}', which runs first"
                    : $"upstream task '{frame.DisplayKey(blocker.First)}' {(blocker.Second.Status == NodeStatus.Failed ? "failed" : "did not run")}";
                RecordNotRun(frame, node, reason, StepStatus.NotRun);
                done.SetResult(Outcome.NotRun(reason));
                return;
            }

            done.SetResult(await RunNodeAsync(frame, node).ConfigureAwait(false));
        }
        catch (BlockFailedException e)
        {
            // A condition or loop that cannot be evaluated fails like a step: its steps do not run, the rest goes on.
            var reason = $"'{frame.DisplayKey(node.Key)}' failed: {e.Message}";
            try
            {
                RecordNotRun(frame, node, reason, StepStatus.NotRun);
                frame.Run.Failures.Add(reason);
                done.SetResult(new Outcome(NodeStatus.Failed, null, reason, []));
            }
            catch (Exception recording)
            {
                done.TrySetException(recording);
            }
        }
        catch (Exception e)
        {
            done.TrySetException(e);
        }
    }

    private async Task<Outcome> RunNodeAsync(Frame frame, DagNode node)
    {
        switch (node)
        {
            case PipelineTask task:
                await frame.Run.Slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                try
                {
                    var result = await ExecuteAsync(frame, task).ConfigureAwait(false);
                    return new Outcome(result.Succeeded ? NodeStatus.Succeeded : NodeStatus.Failed, result, result.Error, []);
                }
                finally
                {
                    frame.Run.Slots.Release();
                }

            case ConditionNode condition:
                return await RunBranchAsync(frame, condition, Holds(frame, condition.Condition)).ConfigureAwait(false);
            case BranchesNode branches:
                var group = frame.Child(branches.Key);
                var taken = false;
                var outcomes = new List<Outcome>();
                // Every condition is evaluated before any branch runs or is recorded: one that cannot be fails the whole group.
                var conditions = branches.Branches.Select(branch => Holds(frame, branch.Condition)).ToList();
                foreach (var (branch, condition) in branches.Branches.Zip(conditions))
                {
                    // The conditions exclude each other already; checking `taken` keeps it so.
                    var holds = !taken && condition;
                    taken |= holds;
                    group.Outcomes[branch.Key] = new TaskCompletionSource<Outcome>();
                    var outcome = await RunBranchAsync(group, branch, holds).ConfigureAwait(false);
                    group.Outcomes[branch.Key].SetResult(outcome);
                    outcomes.Add(outcome);
                }

                return Outcome.Of(outcomes, [group]);
            case LoopNode loop:
                return await RunLoopAsync(frame, loop).ConfigureAwait(false);
            case ExitHandlerNode guarded:
                var inner = frame.Child(guarded.Key);
                await RunNodesAsync(inner, guarded.Nodes).ConfigureAwait(false);
                return Outcome.Of(inner.Results(), [inner]);
            case SubPipelineNode call:
                return await RunSubPipelineAsync(frame, call).ConfigureAwait(false);
            default:
                throw new InvalidOperationException($"unknown node {node.GetType().Name}");
        }
    }

    private static bool Holds(Frame frame, Condition condition)
    {
        try
        {
            return condition.Evaluate(binding => Resolve(frame, binding, null).Value);
        }
        catch (InvalidOperationException e)
        {
            throw new BlockFailedException($"its condition could not be evaluated: {e.Message}");
        }
    }

    private async Task<Outcome> RunBranchAsync(Frame frame, ConditionNode branch, bool holds)
    {
        if (!holds)
        {
            RecordNotRun(frame, branch, $"the condition of '{frame.DisplayKey(branch.Key)}' was false", StepStatus.NotTriggered);
            return new Outcome(NodeStatus.NotTriggered, null, null, []);
        }

        var inner = frame.Child(branch.Key);
        await RunNodesAsync(inner, branch.Nodes).ConfigureAwait(false);
        return Outcome.Of(inner.Results(), [inner]);
    }

    private async Task<Outcome> RunLoopAsync(Frame frame, LoopNode loop)
    {
        var items = LoopItems(frame, loop);
        using var limit = new SemaphoreSlim(loop.ParallelismLimit ?? Math.Max(1, items.Count));
        var iterations = items.Select((item, i) => frame.Child(loop.Key, $"{frame.Suffix}[{i.ToString(CultureInfo.InvariantCulture)}]", (loop.Key, item))).ToList();
        await Task.WhenAll(iterations.Select(async iteration =>
        {
            await limit.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                await RunNodesAsync(iteration, loop.Nodes).ConfigureAwait(false);
            }
            finally
            {
                limit.Release();
            }
        })).ConfigureAwait(false);
        return Outcome.Of(iterations.SelectMany(i => i.Results()), iterations);
    }

    private static List<object?> LoopItems(Frame frame, LoopNode loop)
    {
        if (loop.Items is ConstantBinding constant)
        {
            using var document = JsonDocument.Parse(constant.Json);
            var codec = (ParameterCodec)loop.ItemCodec;
            return [.. document.RootElement.EnumerateArray().Select(codec.ReadJson)];
        }

        if (loop.ItemCodec is ArtifactCodec)
        {
            return ArtifactLoopItems(frame, loop);
        }

        var list = Resolve(frame, loop.Items, null).Value as System.Collections.IEnumerable
            ?? throw new BlockFailedException("its items are null, not a list");
        return [.. list.Cast<object?>()];
    }

    private async Task<Outcome> RunSubPipelineAsync(Frame frame, SubPipelineNode call)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (parameter, binding) in call.Parameters.Zip(call.Inputs))
        {
            values[parameter.Name] = Resolve(frame, binding, parameter.Codec).Value;
        }

        var key = frame.DisplayKey(call.Key);
        var inner = Frame.ForPipeline(frame.Run, call.Parameters, values, key + "/");
        await RunNodesAsync(inner, call.Nodes).ConfigureAwait(false);
        var outcome = Outcome.Of(inner.Results(), [inner]);
        if (call.Output is null || outcome.Status != NodeStatus.Succeeded)
        {
            return outcome;
        }

        return outcome with { Step = frame.Run.AddCall(OutputOf(inner, key, call.Output, call.OutputCodec)) };
    }

    /// <summary>A pipeline's returned value as the <c>Output</c> of a pseudo-task named after the pipeline or its call.</summary>
    private static StepRunResult OutputOf(Frame frame, string key, InputBinding output, ValueCodec? codec)
    {
        var resolved = Resolve(frame, output, codec);
        // A task output keeps its stored artifact; a collected list has none of its own (its items have theirs).
        var artifact = output is TaskOutputBinding or OneOfBinding && resolved.Artifacts is [var single] ? single : new ArtifactRecord(0, "", "", "", 0, resolved.Record.ContentHash, 0, "Output");
        return new StepRunResult(key, "pipeline", StepStatus.Completed, null,
            new Dictionary<string, object?> { ["Output"] = resolved.Value }, new Dictionary<string, ArtifactRecord> { ["Output"] = artifact }, null, null);
    }

    /// <summary>The input of <paramref name="task"/> that takes an artifact output of task <paramref name="producer"/>, or null.</summary>
    private static string? ArtifactTakenFrom(PipelineTask task, string producer) =>
        task.Inputs.Select((binding, i) => (Binding: binding, Port: task.Step.Inputs[i]))
            .FirstOrDefault(p => p.Binding is TaskOutputBinding from && from.ProducerTask == producer && p.Port.Codec is ArtifactCodec).Port?.Name;

    /// <summary>Records every step of a node that will not run, and why.</summary>
    private void RecordNotRun(Frame frame, DagNode node, string reason, StepStatus status)
    {
        foreach (var (key, task) in StepsOf(frame.Prefix, frame.Suffix, node))
        {
            if (frame.Run.Plan is not null)
            {
                frame.Run.Predict(key, status == StepStatus.NotTriggered ? TaskForecast.NotTriggered : TaskForecast.DecidedAtRunTime, reason);
                frame.Run.Add(new StepRunResult(key, task.Step.Name, status, null, Empty, EmptyArtifacts, reason, null));
                continue;
            }

            frame.Run.Recorder.RecordHits(); // step runs keep the order the tasks ended in
            _store.RecordNotRun(frame.Run.Id, key, task.Step.Name, reason, task.DependsOn, status);
            frame.Run.Report(key, status == StepStatus.NotTriggered ? TaskState.NotTriggered : TaskState.NotRun, detail: reason);
            frame.Run.Add(new StepRunResult(key, task.Step.Name, status, null, Empty, EmptyArtifacts, reason, null));
        }
    }

    private static IEnumerable<(string Key, PipelineTask Task)> StepsOf(string prefix, string suffix, DagNode node) => node switch
    {
        PipelineTask task => [(prefix + task.Key + suffix, task)],
        ConditionNode condition => condition.Nodes.SelectMany(n => StepsOf(prefix, suffix, n)),
        BranchesNode branches => branches.Branches.SelectMany(n => StepsOf(prefix, suffix, n)),
        LoopNode loop => loop.Nodes.SelectMany(n => StepsOf(prefix, suffix, n)),
        ExitHandlerNode guarded => guarded.Nodes.SelectMany(n => StepsOf(prefix, suffix, n)),
        SubPipelineNode call => call.Nodes.SelectMany(n => StepsOf(prefix + call.Key + suffix + "/", "", n)),
        _ => [],
    };

    /// <summary>
    /// The value of <paramref name="binding"/> seen from <paramref name="frame"/>, with what the store records about it.
    /// <paramref name="codec"/> is the consuming input's (it reads constants and builds collected lists); null for condition operands.
    /// </summary>
    private static ResolvedInput Resolve(Frame frame, InputBinding binding, ValueCodec? codec)
    {
        switch (binding)
        {
            case TaskOutputBinding fromTask:
                var producer = frame.Find(fromTask.ProducerTask).Step
                    ?? throw new InvalidOperationException($"task '{fromTask.ProducerTask}' has no outputs");
                var artifact = producer.Artifacts[fromTask.OutputName];
                object? Produced() => producer.Outputs[fromTask.OutputName];
                // An artifact input is read back from the store (its stored copy, as on Vertex AI), never the producer's object;
                // a remote cache's prediction leaves remote artifacts unread.
                object? Value() => codec is null || artifact.Uri.Length == 0 || frame.Run.Remote is not null ? Produced() : ArtifactInputs.ValueOf(codec, artifact.Uri, artifact.MetadataJson, Produced);
                return ResolvedInput.Later(Value, new StepInputRecord(fromTask.InputName, "task", artifact.Id == 0 ? null : artifact.Id, artifact.ContentHash), [artifact]);
            case PipelineParameterBinding fromParameter:
                var (parameter, hash) = frame.Parameter(fromParameter.ParameterName);
                return new ResolvedInput(parameter, new StepInputRecord(fromParameter.InputName, "parameter", null, hash));
            case ConstantBinding constant:
                var bytes = Encoding.UTF8.GetBytes(constant.Json);
                var constantValue = codec?.FromBytes(bytes);
                return new ResolvedInput(constantValue, new StepInputRecord(constant.InputName, "constant", null, ContentHash.Of(codec is null ? bytes : codec.ToBytes(constantValue))));
            case LoopItemBinding { Field: null } item when frame.LoopItem(item.Loop) is ArtifactRecord storedItem:
                return ArtifactLoopItem(item, storedItem, codec);
            case LoopItemBinding item:
                var itemValue = item.Field is null ? frame.LoopItem(item.Loop) : LoopItemField(item, frame.LoopItem(item.Loop), codec);
                return new ResolvedInput(itemValue, new StepInputRecord(item.InputName, "loop-item", null, HashOf(codec, itemValue)));
            case CollectedBinding collected:
                var producers = frame.Find(collected.Loop).Frames
                    .Select(iteration => iteration.Outcomes[collected.ProducerTask].Task.Result.Step
                        ?? throw new InvalidOperationException($"an iteration of '{collected.Loop}' has no output from '{collected.ProducerTask}'"))
                    .ToList();
                var stored = producers.Select(p => p.Artifacts[collected.OutputName]).ToList();
                var combined = ContentHash.Of(Encoding.UTF8.GetBytes(string.Join(",", stored.Select(a => a.ContentHash))));
                List<object?> Items() => [.. producers.Select(p => p.Outputs[collected.OutputName])];
                var list = codec switch
                {
                    null => Items(),
                    ArtifactCodec when frame.Run.Remote is not null => null,
                    ArtifactCodec artifacts => ArtifactInputs.ListOf(artifacts, stored),
                    _ => codec.FromItems(Items()),
                };
                return new ResolvedInput(list, new StepInputRecord(collected.InputName, "collected", null, combined), stored);
            case OneOfBinding oneOf:
                return ResolveOneOf(frame, oneOf, codec);
            case FinalStatusBinding final:
                var status = FinalStatus(frame, final.Guarded);
                return new ResolvedInput(status, new StepInputRecord(final.InputName, "final-status", null, HashOf(codec, status)));
            default:
                throw new InvalidOperationException($"unknown binding {binding.GetType().Name}");
        }
    }

    /// <summary>How a try block ended, as Kubeflow tells the exit handler's task.</summary>
    private static TaskFinalStatus FinalStatus(Frame frame, string guardedKey)
    {
        var guarded = frame.Find(guardedKey);
        var key = frame.DisplayKey(guardedKey);
        if (frame.Run.Cancellation.IsCancellationRequested)
        {
            return new TaskFinalStatus("CANCELLED", frame.Run.Id, key, 1, "the run was cancelled");
        }

        if (guarded.Status == NodeStatus.Succeeded)
        {
            return new TaskFinalStatus("SUCCEEDED", frame.Run.Id, key, null, null);
        }

        var failed = frame.Run.Steps().FirstOrDefault(s => s.Status == StepStatus.Failed && guarded.Frames.Any(f => f.Owns(s.TaskKey)));
        return new TaskFinalStatus("FAILED", frame.Run.Id, key, 2, failed is null ? guarded.Error ?? "a guarded task did not run" : $"task '{failed.TaskKey}' failed: {failed.Error}");
    }

    private static string HashOf(ValueCodec? codec, object? value) =>
        ContentHash.Of(codec is null ? Encoding.UTF8.GetBytes(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "") : codec.ToBytes(value));

    /// <summary>A resolved input: its value, what the store records about it, and the stored artifacts behind it (several for a collected list).</summary>
    /// <summary>A block could not start (a condition that cannot be evaluated, loop items that are no list).</summary>
    private sealed class BlockFailedException(string message) : Exception(message);

    private sealed record ResolvedInput(object? Given, StepInputRecord Record, IReadOnlyList<ArtifactRecord>? Stored = null)
    {
        private Lazy<object?>? _later;

        /// <summary>An input read when first asked for: a task served from the cache needs only its hash.</summary>
        public static ResolvedInput Later(Func<object?> read, StepInputRecord record, IReadOnlyList<ArtifactRecord> stored) =>
            new(null, record, stored) { _later = new Lazy<object?>(read) };

        public object? Value => _later is null ? Given : _later.Value;

        /// <summary>Whether the value exists already (given, or read): a task that does not run disposes only those.</summary>
        public bool IsRead => _later is null || _later.IsValueCreated;

        public IReadOnlyList<ArtifactRecord> Artifacts => Stored ?? [];
    }

    private enum NodeStatus
    {
        Succeeded,
        Failed,
        NotRun,
        NotTriggered,
    }

    /// <summary>How a node ended: a task's result, or a block's aggregate with the frames it ran (loop iterations, a branch).</summary>
    private sealed record Outcome(NodeStatus Status, StepRunResult? Step, string? Error, IReadOnlyList<Frame> Frames)
    {
        public static Outcome NotRun(string reason) => new(NodeStatus.NotRun, null, reason, []);

        /// <summary>A block failed when a node in it failed or did not run; untaken branches do not count.</summary>
        public static Outcome Of(IEnumerable<Outcome> children, IReadOnlyList<Frame> frames)
        {
            var bad = children.FirstOrDefault(c => c.Status is NodeStatus.Failed or NodeStatus.NotRun);
            return new Outcome(bad is null ? NodeStatus.Succeeded : NodeStatus.Failed, null, bad?.Error, frames);
        }
    }

    /// <summary>
    /// One DAG level being run: the outcomes of its nodes, and the way to the values it can see — the enclosing levels',
    /// the item of a loop iteration, the parameters of the pipeline (or called pipeline) it belongs to.
    /// </summary>
    private sealed class Frame
    {
        private readonly Frame? _parent;
        private readonly (string Loop, object? Item)? _loopItem;
        private readonly Dictionary<string, (object? Value, string Hash)>? _parameters;

        private Frame(RunState run, Frame? parent, string prefix, string suffix, (string, object?)? loopItem, Dictionary<string, (object?, string)>? parameters)
        {
            Run = run;
            _parent = parent;
            Prefix = prefix;
            Suffix = suffix;
            _loopItem = loopItem;
            _parameters = parameters;
        }

        public RunState Run { get; }

        /// <summary>Prepended to task keys: the called pipelines' path, e.g. <c>train-pipeline/</c>.</summary>
        public string Prefix { get; }

        /// <summary>Appended to task keys: the loop iterations, e.g. <c>[2]</c>.</summary>
        public string Suffix { get; }

        public ConcurrentDictionary<string, TaskCompletionSource<Outcome>> Outcomes { get; } = new(StringComparer.Ordinal);

        /// <summary>Whether every node of this level succeeded or was not triggered.</summary>
        public bool AllSucceeded => Results().All(r => r.Status is NodeStatus.Succeeded or NodeStatus.NotTriggered);

        /// <summary>The level of a pipeline (or a called one): it sees its own parameters and tasks only.</summary>
        public static Frame ForPipeline(RunState run, IReadOnlyList<PipelineParameter> parameters, IReadOnlyDictionary<string, object?> values, string prefix) =>
            new(run, null, prefix, "", null, parameters.ToDictionary(
                p => p.Name, p => (values.GetValueOrDefault(p.Name), ContentHash.Of(p.Codec.ToBytes(values.GetValueOrDefault(p.Name)))), StringComparer.Ordinal));

        /// <summary>The top level of a run: it sees the run's parameters, hashed once when the run started.</summary>
        public static Frame ForRun(RunState run) => new(run, null, "", "", null, new Dictionary<string, (object?, string)>(run.Parameters, StringComparer.Ordinal));

        public Frame Child(string key, string? suffix = null, (string, object?)? loopItem = null) => new(Run, this, Prefix, suffix ?? Suffix, loopItem, null);

        public string DisplayKey(string key) => Prefix + key + Suffix;

        public IEnumerable<Outcome> Results() => Outcomes.Values.Select(o => o.Task.Result);

        /// <summary>Whether the task with this display key ran in this level or a level inside it.</summary>
        public bool Owns(string displayKey) =>
            Outcomes.Values.Where(o => o.Task.IsCompletedSuccessfully).Select(o => o.Task.Result)
                .Any(o => o.Step?.TaskKey == displayKey || o.Frames.Any(f => f.Owns(displayKey)));

        public Outcome Find(string key)
        {
            for (var frame = this; frame is not null; frame = frame._parent)
            {
                if (frame.Outcomes.TryGetValue(key, out var outcome) && outcome.Task.IsCompleted)
                {
                    return outcome.Task.Result;
                }
            }

            throw new InvalidOperationException($"no finished task '{key}' is visible here");
        }

        public object? LoopItem(string loop)
        {
            for (var frame = this; frame is not null; frame = frame._parent)
            {
                if (frame._loopItem is { } item && item.Loop == loop)
                {
                    return item.Item;
                }
            }

            throw new InvalidOperationException($"no item of loop '{loop}' is visible here");
        }

        public (object? Value, string Hash) Parameter(string name)
        {
            for (var frame = this; frame is not null; frame = frame._parent)
            {
                if (frame._parameters is { } parameters)
                {
                    return parameters[name];
                }
            }

            throw new InvalidOperationException($"no parameter '{name}' is visible here");
        }
    }
}
