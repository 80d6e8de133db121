using System.Text.Json;
using PipelineSdk.Store;

namespace PipelineSdk.Caching;

/// <summary>Why a step did or did not come from the cache.</summary>
public enum CacheDecision
{
    /// <summary>It reused the outputs of an earlier step run with the same cache key.</summary>
    Hit,

    /// <summary>It ran: some part of its cache key differs from the previous run of the same task.</summary>
    Changed,

    /// <summary>It ran because caching was off for it (the step, the pipeline or the run said so).</summary>
    Disabled,

    /// <summary>It ran because the same key's earlier outputs were gone (e.g. deleted artifacts).</summary>
    OutputsMissing,

    /// <summary>It ran: no earlier run of this task had a cache key to compare with.</summary>
    FirstRun,

    /// <summary>It never reached the cache lookup (an upstream task failed).</summary>
    NotEvaluated,
}

/// <summary>One part of a cache key that differs from the earlier step run.</summary>
/// <param name="Part"><c>code</c> (the step itself), <c>helper</c> (a method it uses), <c>input</c>, <c>output</c>, <c>env</c> (an environment variable), <c>container</c> (a container step's image, command, args or local command), <c>image</c> (the container image of a remote run) or <c>version</c>.</param>
/// <param name="Name">The symbol, input or output concerned.</param>
/// <param name="Description">A sentence for people.</param>
public sealed record CacheChange(string Part, string Name, string Description)
{
    /// <summary>For an input whose value the store can show (a parameter-typed value): the earlier value, as JSON.</summary>
    public string? Before { get; init; }

    /// <summary>For an input whose value the store can show: the value this step run had, as JSON.</summary>
    public string? After { get; init; }
}

/// <summary>A cache decision, what it was compared with, and every part that differed.</summary>
/// <param name="StepRun">The step run explained.</param>
/// <param name="Decision">The decision.</param>
/// <param name="ComparedWith">The earlier step run it was compared with (for a hit: the one reused).</param>
/// <param name="Changes">The differing parts of the key.</param>
public sealed record CacheExplanation(StepRunRecord StepRun, CacheDecision Decision, StepRunRecord? ComparedWith, IReadOnlyList<CacheChange> Changes)
{
    /// <summary>Explains task <paramref name="taskKey"/> of run <paramref name="runId"/>.</summary>
    /// <exception cref="Stacks.StackException">The run or task does not exist.</exception>
    public static CacheExplanation Explain(MetadataStore store, string runId, string taskKey)
    {
        var run = store.GetRun(runId) ?? throw new Stacks.StackException($"no run '{runId}' (see `pipelines runs list`)");
        var steps = store.GetStepRuns(runId);
        var step = steps.FirstOrDefault(s => s.TaskKey == taskKey) ?? throw new Stacks.StackException(
            $"run '{runId}' has no task '{taskKey}'; its tasks are {string.Join(", ", steps.Select(s => s.TaskKey))}");

        if (step.CacheKey is null)
        {
            return new CacheExplanation(step, CacheDecision.NotEvaluated, null, []);
        }

        if (step.Status == StepStatus.Cached && step.CachedFrom is { } source)
        {
            return new CacheExplanation(step, CacheDecision.Hit, store.GetStepRun(source), []);
        }

        var previous = store.FindPreviousStepRun(run.Pipeline, taskKey, step.Id);
        var changes = previous?.CacheKeyParts is { } before && step.CacheKeyParts is { } after
            ? WithValues(Compare(before, after), CachedInputValues.Of(store, previous), CachedInputValues.Of(store, step))
            : [];
        var decision = step.CacheEnabled == false ? CacheDecision.Disabled
            : previous is null ? CacheDecision.FirstRun
            : changes.Count == 0 ? CacheDecision.OutputsMissing
            : CacheDecision.Changed;
        return new CacheExplanation(step, decision, previous, changes);
    }

    /// <summary>One paragraph for people.</summary>
    public string Summary => Decision switch
    {
        CacheDecision.Hit => $"Cache hit: '{StepRun.TaskKey}' reused the outputs of step run {ComparedWith?.Id} (run {ComparedWith?.RunId}); its code, the code it uses, its inputs and outputs were unchanged.",
        CacheDecision.Changed => $"Cache miss: '{StepRun.TaskKey}' ran because {Changes.Count} part{(Changes.Count == 1 ? "" : "s")} of its cache key changed since step run {ComparedWith!.Id} (run {ComparedWith.RunId}).",
        CacheDecision.Disabled => $"'{StepRun.TaskKey}' ran because caching is off for it (EnableCache = false on the step or pipeline, or --no-cache).",
        CacheDecision.OutputsMissing => $"Cache miss: '{StepRun.TaskKey}' had the same cache key as step run {ComparedWith!.Id} (run {ComparedWith.RunId}), but that run's outputs were gone, so it ran again.",
        CacheDecision.FirstRun => $"Cache miss: no earlier run of '{StepRun.TaskKey}' in this pipeline had completed, so there was nothing to reuse.",
        _ => $"'{StepRun.TaskKey}' never reached the cache: {StepRun.Error ?? "it did not run"}.",
    };

    /// <summary>Input changes whose values are known on both sides read <c>input 'randomNum' changed: 9 → 7</c>.</summary>
    internal static List<CacheChange> WithValues(List<CacheChange> changes, Dictionary<string, string> before, Dictionary<string, string> after) =>
        [.. changes.Select(change => change.Part == "input" && before.TryGetValue(change.Name, out var old) && after.TryGetValue(change.Name, out var now)
            ? change with { Description = $"input '{change.Name}' changed: {old} → {now}", Before = old, After = now }
            : change)];

    /// <summary>The parts of two cache keys (their <see cref="CacheKey.PartsJson"/>) that differ, in words.</summary>
    internal static List<CacheChange> Compare(string beforeJson, string afterJson)
    {
        using var before = JsonDocument.Parse(beforeJson);
        using var after = JsonDocument.Parse(afterJson);
        var changes = new List<CacheChange>();
        if (Text(before.RootElement, "version") != Text(after.RootElement, "version"))
        {
            changes.Add(new CacheChange("version", "version", "the cache key format changed with a PipelineSdk update"));
        }

        var oldCode = Map(before.RootElement, "code");
        var newCode = Map(after.RootElement, "code");
        var stepSymbol = newCode.Keys.FirstOrDefault();
        foreach (var (symbol, hash) in newCode)
        {
            var isStep = symbol == stepSymbol;
            if (!oldCode.TryGetValue(symbol, out var oldHash))
            {
                changes.Add(new CacheChange(isStep ? "code" : "helper", symbol, isStep ? $"the step is now {symbol}" : $"it now also uses {symbol}"));
            }
            else if (oldHash != hash)
            {
                changes.Add(new CacheChange(isStep ? "code" : "helper", symbol, isStep ? $"the step's own code changed ({symbol})" : $"a method it uses changed: {symbol}"));
            }
        }

        foreach (var symbol in oldCode.Keys.Where(s => !newCode.ContainsKey(s)))
        {
            changes.Add(new CacheChange("helper", symbol, $"it no longer uses {symbol}"));
        }

        Diff(Map(before.RootElement, "inputs"), Map(after.RootElement, "inputs"), "input", changes,
            (name, old, now) => $"input '{name}' changed (content {Short(old)} → {Short(now)})");
        Diff(Map(before.RootElement, "outputs"), Map(after.RootElement, "outputs"), "output", changes,
            (name, old, now) => $"output '{name}' changed type from {old} to {now}");
        Diff(Map(before.RootElement, "env"), Map(after.RootElement, "env"), "env", changes,
            (name, _, _) => $"environment variable '{name}' changed");
        Diff(Map(before.RootElement, "container"), Map(after.RootElement, "container"), "container", changes,
            (name, old, now) => $"the container step's {name} changed: {old} → {now}");
        if (Text(before.RootElement, "image") is var oldImage && Text(after.RootElement, "image") is var newImage && oldImage != newImage)
        {
            changes.Add(new CacheChange("image", "image", oldImage is null || newImage is null
                ? "one key is from a container image, the other from this machine"
                : $"the container image changed: {oldImage} → {newImage} (any change to the program makes a new image)"));
        }

        return changes;
    }

    private static void Diff(Dictionary<string, string> before, Dictionary<string, string> after, string part, List<CacheChange> changes, Func<string, string, string, string> describe)
    {
        foreach (var (name, value) in after)
        {
            if (!before.TryGetValue(name, out var old))
            {
                changes.Add(new CacheChange(part, name, $"{part} '{name}' is new"));
            }
            else if (old != value)
            {
                changes.Add(new CacheChange(part, name, describe(name, old, value)));
            }
        }

        foreach (var name in before.Keys.Where(n => !after.ContainsKey(n)))
        {
            changes.Add(new CacheChange(part, name, $"{part} '{name}' was removed"));
        }
    }

    private static Dictionary<string, string> Map(JsonElement root, string property) =>
        root.TryGetProperty(property, out var map) && map.ValueKind == JsonValueKind.Object
            ? map.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString(), StringComparer.Ordinal)
            : [];

    private static string? Text(JsonElement root, string property) => root.TryGetProperty(property, out var value) ? value.ToString() : null;

    private static string Short(string hash) => hash.Length > 8 ? hash[..8] : hash;
}
