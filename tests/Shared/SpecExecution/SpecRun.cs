using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PipelineSdk.Tests.Shared.SpecExecution;

/// <summary>Where a job's containers run: the image's /app folder, the folder mounted at /gcs, the machine's environment.</summary>
internal sealed record TaskMachine(string AppDirectory, string GcsRoot, IReadOnlyDictionary<string, string> Environment);

/// <summary>
/// Runs a submitted PipelineSpec with the meaning Vertex AI and Kubeflow's driver give it, reading nothing but the
/// spec and the runtime config: each DAG's tasks start when their <c>dependentTasks</c> have ended (a failed upstream
/// stops them unless their trigger strategy is <c>ALL_UPSTREAM_TASKS_COMPLETED</c>); inputs are resolved from the
/// enclosing DAG's inputs (<c>componentInputParameter</c>/<c>Artifact</c>, with the component's defaults), sibling
/// outputs, constants and <c>taskFinalStatus</c>; <c>triggerPolicy.condition</c> is evaluated on them (CEL);
/// <c>parameterIterator</c> fans a DAG out per item up to <c>iteratorPolicy.parallelismLimit</c> and collects its outputs
/// in iteration order; a DAG's outputs come from <c>parameters.valueFromParameter</c> and <c>artifactSelectors</c>;
/// container tasks start their executor's command under the executor contract (<see cref="ContainerTask"/>). Every
/// task, DAG and iteration is recorded as <c>jobDetail.taskDetails</c> shows it.
/// </summary>
internal sealed partial class SpecRun(JsonObject spec, JsonObject runtimeConfig, string jobName, string jobId, TaskMachine machine, ExecutionCache? cache = null)
{
    private const string AllUpstreamCompleted = "ALL_UPSTREAM_TASKS_COMPLETED";
    private readonly Lock _gate = new();
    private readonly List<TaskRecord> _records = [];
    private long _nextId = 100;

    /// <summary>PIPELINE_STATE_RUNNING until the run ends, then SUCCEEDED, FAILED or CANCELLED.</summary>
    public string State { get; private set; } = "PIPELINE_STATE_RUNNING";

    /// <summary>Why the run failed.</summary>
    public string? Error { get; private set; }

    /// <summary>The pipeline's own outputs (root.dag.outputs), once it ended.</summary>
    public TaskValues PipelineOutputs { get; private set; } = new();

    public JsonObject Spec => spec;

    /// <summary>A copy of every record so far.</summary>
    public IReadOnlyList<TaskRecord> Records
    {
        get
        {
            lock (_gate)
            {
                return [.. _records];
            }
        }
    }

    /// <summary><c>jobDetail.taskDetails</c>: the tasks Vertex lists (not the steps of DAGs that never started).</summary>
    public JsonArray TaskDetails()
    {
        lock (_gate)
        {
            return new JsonArray([.. _records.Where(r => r.Reported).Select(r => (JsonNode)r.ToDetail())]);
        }
    }

    /// <summary>The container tasks by their local key, including those that never started.</summary>
    public IReadOnlyList<TaskRecord> Steps() => [.. Records.Where(r => r.StepKey is not null)];

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var root = spec["root"]!.AsObject();
        var rootRecord = Add(new TaskRecord { Id = NextId(), Name = spec["pipelineInfo"]!["name"]!.GetValue<string>() });
        rootRecord.State = "RUNNING";
        rootRecord.Start = DateTimeOffset.UtcNow;
        var inputs = new TaskValues();
        foreach (var (name, value) in runtimeConfig["parameterValues"]?.AsObject() ?? [])
        {
            inputs.Parameters[name] = value?.DeepClone();
        }

        foreach (var (name, definition) in root["inputDefinitions"]?["parameters"]?.AsObject() ?? [])
        {
            if (!inputs.Parameters.ContainsKey(name) && definition!["defaultValue"] is { } fallback)
            {
                inputs.Parameters[name] = fallback.DeepClone();
            }
        }

        var result = await RunComponentAsync(root, inputs, new Scope(rootRecord.Id, "", ""), rootRecord, cancellationToken);
        PipelineOutputs = result.Outputs;
        State = cancellationToken.IsCancellationRequested ? "PIPELINE_STATE_CANCELLED" : result.State == "SUCCEEDED" ? "PIPELINE_STATE_SUCCEEDED" : "PIPELINE_STATE_FAILED";
        Error = result.State == "SUCCEEDED" ? null : result.Error ?? "Some tasks failed.";
    }

    /// <summary>Where a DAG's tasks are: its record, the local key prefix (called pipelines) and suffix (loop indices).</summary>
    private sealed record Scope(string ParentId, string KeyPrefix, string KeySuffix);

    private sealed record Outcome(string State, string? Error, TaskValues Outputs);

    [GeneratedRegex("^(condition|condition-branches|exit-handler|for-loop)-[0-9]+$")]
    private static partial Regex GroupName();

    private string NextId() => Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);

    private TaskRecord Add(TaskRecord record)
    {
        lock (_gate)
        {
            _records.Add(record);
        }

        return record;
    }

    private void End(TaskRecord record, string state, string? error = null, TaskValues? outputs = null)
    {
        lock (_gate)
        {
            record.State = state;
            record.Error = error;
            record.End = DateTimeOffset.UtcNow;
            record.Outputs = outputs ?? record.Outputs;
        }
    }

    /// <summary>Runs a component with resolved <paramref name="inputs"/>: its DAG, or its container.</summary>
    private async Task<Outcome> RunComponentAsync(JsonObject component, TaskValues inputs, Scope scope, TaskRecord record, CancellationToken cancellationToken)
    {
        if (component["dag"] is not JsonObject dag)
        {
            throw new InvalidOperationException("a container task is run by RunTaskAsync");
        }

        var tasks = dag["tasks"]!.AsObject();
        var ended = new Dictionary<string, Outcome>(StringComparer.Ordinal);
        var running = new Dictionary<Task<Outcome>, string>();
        while (ended.Count < tasks.Count)
        {
            foreach (var (name, node) in tasks)
            {
                if (!ended.ContainsKey(name) && !running.ContainsValue(name) && Dependencies(node!).All(ended.ContainsKey))
                {
                    var upstream = new Dictionary<string, Outcome>(ended, StringComparer.Ordinal);
                    running[RunTaskAsync(name, node!.AsObject(), upstream, inputs, scope, cancellationToken)] = name;
                }
            }

            if (running.Count == 0)
            {
                var stuck = tasks.Select(t => t.Key).Where(t => !ended.ContainsKey(t)).ToList();
                var reason = $"tasks {string.Join(", ", stuck)} depend on tasks this DAG does not have, or on each other";
                foreach (var name in stuck)
                {
                    ended[name] = new Outcome("FAILED", reason, new TaskValues());
                }

                break;
            }

            var done = await Task.WhenAny(running.Keys);
            ended[running[done]] = await done;
            running.Remove(done);
        }

        var failed = ended.Where(e => e.Value.State == "FAILED").Select(e => e.Key).Order(StringComparer.Ordinal).ToList();
        var outputs = failed.Count == 0 ? DagOutputs(dag, ended) : new TaskValues();
        var state = cancellationToken.IsCancellationRequested ? "CANCELLED" : failed.Count > 0 ? "FAILED" : "SUCCEEDED";
        var error = failed.Count > 0 ? $"The DAG failed because some tasks failed. The failed tasks are: [{string.Join(", ", failed)}]." : null;
        End(record, state, error, outputs);
        return new Outcome(state, error, outputs);
    }

    private static TaskValues DagOutputs(JsonObject dag, Dictionary<string, Outcome> ended)
    {
        var outputs = new TaskValues();
        foreach (var (name, selector) in dag["outputs"]?["parameters"]?.AsObject() ?? [])
        {
            // valueFromOneof: the first selected producer that gave the output (the branch that ran).
            foreach (var from in ParameterSelectors(selector!))
            {
                var producer = from["producerSubtask"]!.GetValue<string>();
                var key = from["outputParameterKey"]!.GetValue<string>();
                if (ended.TryGetValue(producer, out var outcome) && outcome.Outputs.Parameters.TryGetValue(key, out var value))
                {
                    outputs.Parameters[name] = value?.DeepClone();
                    break;
                }
            }
        }

        foreach (var (name, selectors) in dag["outputs"]?["artifacts"]?.AsObject() ?? [])
        {
            var list = new List<RuntimeArtifactValue>();
            foreach (var selector in selectors!["artifactSelectors"]!.AsArray())
            {
                var producer = selector!["producerSubtask"]!.GetValue<string>();
                if (ended.TryGetValue(producer, out var outcome) && outcome.Outputs.Artifacts.TryGetValue(selector["outputArtifactKey"]!.GetValue<string>(), out var artifacts))
                {
                    list.AddRange(artifacts);
                }
            }

            outputs.Artifacts[name] = list;
        }

        return outputs;
    }

    /// <summary>A DAG parameter output's producers: its <c>valueFromParameter</c>, or the <c>valueFromOneof.parameterSelectors</c>.</summary>
    private static IEnumerable<JsonNode> ParameterSelectors(JsonNode output) =>
        output["valueFromOneof"]?["parameterSelectors"]?.AsArray().Select(s => s!)
        ?? [output["valueFromParameter"] ?? throw new FormatException($"a DAG output selects nothing the executor knows: {output.ToJsonString()}")];

    private static IEnumerable<string> Dependencies(JsonNode task) =>
        task["dependentTasks"]?.AsArray().Select(d => d!.GetValue<string>()) ?? [];

    private async Task<Outcome> RunTaskAsync(string name, JsonObject task, Dictionary<string, Outcome> upstream, TaskValues dagInputs, Scope scope, CancellationToken cancellationToken)
    {
        // Let the DAG loop start the other ready tasks first: tasks of one DAG run side by side.
        await Task.Yield();
        var componentName = task["componentRef"]!["name"]!.GetValue<string>();
        var component = spec["components"]?[componentName]?.AsObject() ?? throw new InvalidOperationException($"task {name} refers to a component {componentName} the spec does not have");
        var isContainer = component["dag"] is null;
        var record = Add(new TaskRecord
        {
            Id = NextId(),
            ParentId = scope.ParentId,
            Name = task["taskInfo"]?["name"]?.GetValue<string>() ?? name,
            StepKey = isContainer ? scope.KeyPrefix + name + scope.KeySuffix : null,
        });

        var strategy = task["triggerPolicy"]?["strategy"]?.GetValue<string>();
        var blocked = Dependencies(task).Where(d => upstream[d].State != "SUCCEEDED").ToList();
        if (cancellationToken.IsCancellationRequested)
        {
            return NotStarted(record, component, name, scope, "CANCELLED", "The job was cancelled.");
        }

        if (blocked.Count > 0 && strategy != AllUpstreamCompleted)
        {
            var notTriggered = blocked.All(d => upstream[d].State == "NOT_TRIGGERED");
            return NotStarted(record, component, name, scope, notTriggered ? "NOT_TRIGGERED" : "CANCELLED",
                $"Upstream tasks did not succeed: {string.Join(", ", blocked)}.");
        }

        TaskValues inputs;
        try
        {
            inputs = ResolveInputs(name, task, component, upstream, dagInputs);
            if (task["triggerPolicy"]?["condition"]?.GetValue<string>() is { Length: > 0 } condition
                && !CelCondition.Evaluate(condition, inputs.Parameters))
            {
                return NotStarted(record, component, name, scope, "NOT_TRIGGERED", $"The trigger condition {condition} was false.");
            }
        }
        catch (FormatException e)
        {
            record.Start = DateTimeOffset.UtcNow;
            End(record, "FAILED", e.Message);
            return new Outcome("FAILED", e.Message, new TaskValues());
        }

        record.Start = DateTimeOffset.UtcNow;
        record.State = "RUNNING";
        if (isContainer && spec["deploymentSpec"]!["executors"]![component["executorLabel"]!.GetValue<string>()]!["importer"] is JsonObject importer)
        {
            var imported = Import(importer, component, inputs);
            End(record, "SUCCEEDED", null, imported);
            return new Outcome("SUCCEEDED", null, imported);
        }

        if (isContainer)
        {
            var cacheKey = cache is not null && task["cachingOptions"]?["enableCache"]?.GetValue<bool>() == true
                ? ExecutionCache.Key(spec["deploymentSpec"]!["executors"]![component["executorLabel"]!.GetValue<string>()]!["container"]!, component, inputs)
                : null;
            if (cacheKey is not null && cache!.Find(cacheKey) is { } cached)
            {
                End(record, "SKIPPED", null, cached);
                return new Outcome("SUCCEEDED", null, cached);
            }

            var (state, error, outputs, log) = await new ContainerTask(spec, jobName, jobId, runtimeConfig["gcsOutputDirectory"]!.GetValue<string>(), machine)
                .RunAsync(name, record, component, inputs, cancellationToken);
            record.Log = log;
            End(record, state, error, outputs);
            if (cacheKey is not null && state == "SUCCEEDED")
            {
                cache!.Add(cacheKey, outputs);
            }

            return new Outcome(state, error, outputs);
        }

        var inner = GroupName().IsMatch(name)
            ? scope with { ParentId = record.Id }
            : new Scope(record.Id, scope.KeyPrefix + name + scope.KeySuffix + "/", "");
        if (task["parameterIterator"] is JsonObject iterator)
        {
            return await RunLoopAsync(name, task, iterator, component, inputs, inner, record, cancellationToken);
        }

        if (task["artifactIterator"] is JsonObject artifactIterator)
        {
            return await RunArtifactLoopAsync(name, task, artifactIterator, component, inputs, inner, record, cancellationToken);
        }

        return await RunComponentAsync(component, inputs, inner, record, cancellationToken);
    }

    /// <summary>One DAG per item, at most parallelismLimit at once; outputs collected in iteration order.</summary>
    private async Task<Outcome> RunLoopAsync(string name, JsonObject task, JsonObject iterator, JsonObject component, TaskValues inputs, Scope inner, TaskRecord record, CancellationToken cancellationToken)
    {
        JsonArray items;
        var itemInput = iterator["itemInput"]!.GetValue<string>();
        try
        {
            var source = iterator["items"]!;
            var list = source["raw"] is { } raw
                ? JsonNode.Parse(raw.GetValue<string>())
                : inputs.Parameters.TryGetValue(source["inputParameter"]!.GetValue<string>(), out var value)
                    ? value
                    : throw new FormatException($"the iterator's items input {source["inputParameter"]} is not an input of task {name}");
            items = list as JsonArray ?? throw new FormatException($"the iterator's items are {list?.ToJsonString()}, not a list");
            if (!(component["inputDefinitions"]?["parameters"]?.AsObject().ContainsKey(itemInput) ?? false))
            {
                throw new FormatException($"the iterator's itemInput {itemInput} is not an input of {task["componentRef"]!["name"]}");
            }
        }
        catch (FormatException e)
        {
            End(record, "FAILED", e.Message);
            return new Outcome("FAILED", e.Message, new TaskValues());
        }

        return await RunIterationsAsync(name, task, component, inputs, inner, record, items.Count, (values, index) => values.Parameters[itemInput] = items[index]?.DeepClone(), cancellationToken);
    }

    /// <summary>Runs the loop's DAG once per item (<paramref name="setItem"/> gives an iteration its item); outputs collected in iteration order.</summary>
    private async Task<Outcome> RunIterationsAsync(string name, JsonObject task, JsonObject component, TaskValues inputs, Scope inner, TaskRecord record, int count, Action<TaskValues, int> setItem, CancellationToken cancellationToken)
    {
        var limit = task["iteratorPolicy"]?["parallelismLimit"]?.GetValue<int>() is > 0 and var l ? l : count;
        using var slots = new SemaphoreSlim(Math.Max(1, limit));
        var iterations = Enumerable.Range(0, count).Select(async index =>
        {
            await slots.WaitAsync(CancellationToken.None);
            try
            {
                var iteration = Add(new TaskRecord { Id = NextId(), ParentId = record.Id, Name = record.Name, IterationIndex = index, Start = DateTimeOffset.UtcNow, State = "RUNNING" });
                var values = new TaskValues();
                foreach (var (key, value) in inputs.Parameters)
                {
                    values.Parameters[key] = value?.DeepClone();
                }

                foreach (var (key, value) in inputs.Artifacts)
                {
                    values.Artifacts[key] = value;
                }

                setItem(values, index);
                var suffix = inner.KeySuffix + "[" + index.ToString(CultureInfo.InvariantCulture) + "]";
                return await RunComponentAsync(component, values, inner with { ParentId = iteration.Id, KeySuffix = suffix }, iteration, cancellationToken);
            }
            finally
            {
                slots.Release();
            }
        }).ToList();
        var outcomes = await Task.WhenAll(iterations);

        var failed = outcomes.Select((o, i) => (o, i)).Where(p => p.o.State != "SUCCEEDED").ToList();
        var outputs = new TaskValues();
        if (failed.Count == 0)
        {
            foreach (var output in component["outputDefinitions"]?["parameters"]?.AsObject() ?? [])
            {
                outputs.Parameters[output.Key] = new JsonArray([.. outcomes.Select(o => o.Outputs.Parameters.GetValueOrDefault(output.Key)?.DeepClone())]);
            }

            foreach (var output in component["outputDefinitions"]?["artifacts"]?.AsObject() ?? [])
            {
                outputs.Artifacts[output.Key] = [.. outcomes.SelectMany(o => o.Outputs.Artifacts.GetValueOrDefault(output.Key) ?? [])];
            }
        }

        var state = cancellationToken.IsCancellationRequested ? "CANCELLED" : failed.Count > 0 ? "FAILED" : "SUCCEEDED";
        var error = failed.Count > 0 ? $"Iterations {string.Join(", ", failed.Select(f => f.i))} of {name} failed: {failed[0].o.Error}" : null;
        End(record, state, error, outputs);
        return new Outcome(state, error, outputs);
    }

    /// <summary>A task that did not start; the steps inside it (when it is a DAG) are recorded, unreported, with the same state.</summary>
    private Outcome NotStarted(TaskRecord record, JsonObject component, string name, Scope scope, string state, string reason)
    {
        End(record, state, state == "NOT_TRIGGERED" ? null : reason);
        if (component["dag"] is JsonObject)
        {
            AddStepsInside(component, GroupName().IsMatch(name) ? scope : new Scope(record.Id, scope.KeyPrefix + name + scope.KeySuffix + "/", ""), state, reason);
        }

        return new Outcome(state, reason, new TaskValues());
    }

    private void AddStepsInside(JsonObject component, Scope scope, string state, string reason)
    {
        foreach (var (name, task) in component["dag"]!["tasks"]!.AsObject())
        {
            var inner = spec["components"]![task!["componentRef"]!["name"]!.GetValue<string>()]!.AsObject();
            if (inner["dag"] is null)
            {
                Add(new TaskRecord
                {
                    Id = NextId(), ParentId = scope.ParentId, Name = task["taskInfo"]?["name"]?.GetValue<string>() ?? name,
                    StepKey = scope.KeyPrefix + name + scope.KeySuffix, Reported = false, State = state, Error = reason,
                });
            }
            else
            {
                AddStepsInside(inner, GroupName().IsMatch(name) ? scope : new Scope(scope.ParentId, scope.KeyPrefix + name + scope.KeySuffix + "/", ""), state, reason);
            }
        }
    }

    /// <summary>
    /// The task's inputs as the driver resolves them; a binding to a name the enclosing DAG or the producer does not
    /// have, or an input the component does not declare, fails the task as Vertex AI fails it.
    /// </summary>
    private TaskValues ResolveInputs(string name, JsonObject task, JsonObject component, Dictionary<string, Outcome> upstream, TaskValues dagInputs)
    {
        var resolved = new TaskValues();
        var declaredParameters = component["inputDefinitions"]?["parameters"]?.AsObject() ?? [];
        var declaredArtifacts = component["inputDefinitions"]?["artifacts"]?.AsObject() ?? [];
        foreach (var (input, binding) in task["inputs"]?["parameters"]?.AsObject() ?? [])
        {
            if (!declaredParameters.ContainsKey(input))
            {
                throw new FormatException($"task {name} binds parameter {input}, which {task["componentRef"]!["name"]} does not declare");
            }

            resolved.Parameters[input] = binding switch
            {
                _ when binding!["runtimeValue"] is { } runtime => runtime["constant"]?.DeepClone(),
                _ when binding["componentInputParameter"] is { } parameter => dagInputs.Parameters.TryGetValue(parameter.GetValue<string>(), out var value)
                    ? value?.DeepClone()
                    : throw new FormatException($"task {name}: input {input} reads the DAG input {parameter}, which the DAG was not given"),
                _ when binding["taskOutputParameter"] is { } output => ProducerParameter(name, input, output, upstream),
                _ when binding["taskFinalStatus"] is { } status => FinalStatus(name, status["producerTask"]!.GetValue<string>(), upstream),
                _ => throw new FormatException($"task {name}: input {input} has a binding this executor does not know: {binding.ToJsonString()}"),
            };
            if (binding["parameterExpressionSelector"]?.GetValue<string>() is { } selector)
            {
                resolved.Parameters[input] = ParameterSelector.Apply(name, input, resolved.Parameters[input], selector);
            }
        }

        foreach (var (input, binding) in task["inputs"]?["artifacts"]?.AsObject() ?? [])
        {
            if (!declaredArtifacts.ContainsKey(input))
            {
                throw new FormatException($"task {name} binds artifact {input}, which {task["componentRef"]!["name"]} does not declare");
            }

            resolved.Artifacts[input] = binding switch
            {
                _ when binding!["componentInputArtifact"] is { } artifact => dagInputs.Artifacts.TryGetValue(artifact.GetValue<string>(), out var list)
                    ? list
                    : throw new FormatException($"task {name}: input {input} reads the DAG artifact {artifact}, which the DAG was not given"),
                _ when binding["taskOutputArtifact"] is { } output => upstream.TryGetValue(output["producerTask"]!.GetValue<string>(), out var producer)
                    && producer.Outputs.Artifacts.TryGetValue(output["outputArtifactKey"]!.GetValue<string>(), out var produced)
                        ? produced
                        : throw new FormatException($"task {name}: input {input} reads artifact {output["outputArtifactKey"]} of {output["producerTask"]}, which it did not produce (or is not upstream)"),
                _ => throw new FormatException($"task {name}: artifact {input} has a binding this executor does not know: {binding.ToJsonString()}"),
            };
        }

        foreach (var (input, definition) in declaredParameters)
        {
            if (!resolved.Parameters.ContainsKey(input) && task["parameterIterator"]?["itemInput"]?.GetValue<string>() != input)
            {
                resolved.Parameters[input] = definition!["defaultValue"] is { } fallback
                    ? fallback.DeepClone()
                    : definition["isOptional"]?.GetValue<bool>() == true ? null
                    : throw new FormatException($"task {name}: required input {input} is not bound");
            }
        }

        foreach (var (input, definition) in declaredArtifacts)
        {
            if (!resolved.Artifacts.ContainsKey(input) && definition!["isOptional"]?.GetValue<bool>() != true && task["artifactIterator"]?["itemInput"]?.GetValue<string>() != input)
            {
                throw new FormatException($"task {name}: required artifact {input} is not bound");
            }
        }

        return resolved;
    }

    private static JsonNode? ProducerParameter(string name, string input, JsonNode output, Dictionary<string, Outcome> upstream)
    {
        var producer = output["producerTask"]!.GetValue<string>();
        var key = output["outputParameterKey"]!.GetValue<string>();
        return upstream.TryGetValue(producer, out var outcome) && outcome.Outputs.Parameters.TryGetValue(key, out var value)
            ? value?.DeepClone()
            : throw new FormatException($"task {name}: input {input} reads output {key} of {producer}, which it did not produce (or is not upstream)");
    }

    /// <summary>Kubeflow's PipelineTaskFinalStatus of the producer task, as JSON.</summary>
    private JsonNode FinalStatus(string name, string producer, Dictionary<string, Outcome> upstream)
    {
        if (!upstream.TryGetValue(producer, out var outcome))
        {
            throw new FormatException($"task {name}: taskFinalStatus names {producer}, which is not upstream of it");
        }

        var status = new JsonObject
        {
            ["state"] = outcome.State,
            ["pipelineJobResourceName"] = jobName,
            ["pipelineTaskName"] = producer,
        };
        if (outcome.State != "SUCCEEDED")
        {
            status["error"] = new JsonObject { ["code"] = 9, ["message"] = outcome.Error ?? outcome.State };
        }

        return status;
    }
}
