using System.Text.Json;
using System.Text.Json.Nodes;

namespace PipelineSdk.Execution;

/// <summary>
/// What one attempt of a step logged with <see cref="StepContext.LogMetadata(string, double, MetadataTarget?)"/>: for its run,
/// its step run, and each artifact output. A step process writes it beside its ExecutorOutput (<see cref="FileName"/>) so the
/// orchestrator that started the process records it as if the step had run in its own process.
/// </summary>
internal sealed class LoggedMetadata
{
    /// <summary>The file beside the ExecutorOutput that carries run and step metadata back to the orchestrator.</summary>
    public const string FileName = "pipelinesdk-metadata.json";

    private readonly Lock _gate = new();
    private JsonObject _run = [];
    private JsonObject _step = [];
    private Dictionary<string, JsonObject> _artifacts = new(StringComparer.Ordinal);

    /// <summary>Whether nothing was logged.</summary>
    public bool IsEmpty
    {
        get
        {
            lock (_gate)
            {
                return _run.Count == 0 && _step.Count == 0 && _artifacts.Count == 0;
            }
        }
    }

    /// <summary>Sets <paramref name="key"/> on <paramref name="target"/>; a later value for the same key wins.</summary>
    public void Set(MetadataTarget target, string key, JsonNode? value)
    {
        lock (_gate)
        {
            var into = target.Kind switch
            {
                MetadataTargetKind.Run => _run,
                MetadataTargetKind.Step => _step,
                _ => _artifacts.TryGetValue(target.OutputName!, out var found) ? found : _artifacts[target.OutputName!] = [],
            };
            into[key] = value;
        }
    }

    /// <summary>Forgets everything (a retried step starts over).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _run = [];
            _step = [];
            _artifacts = new(StringComparer.Ordinal);
        }
    }

    /// <summary>The run metadata as a JSON object.</summary>
    public string RunJson() => Json(() => _run);

    /// <summary>The step run's metadata as a JSON object.</summary>
    public string StepJson() => Json(() => _step);

    /// <summary>The JSON object of artifact <paramref name="outputName"/>'s metadata, or null when nothing was logged for it.</summary>
    public JsonObject? ArtifactMetadata(string outputName)
    {
        lock (_gate)
        {
            return _artifacts.TryGetValue(outputName, out var found) ? (JsonObject)found.DeepClone() : null;
        }
    }

    /// <summary>
    /// <paramref name="metadataJson"/> (what the artifact's codec wrote, e.g. a Metrics artifact's values) with what the step
    /// logged for output <paramref name="outputName"/> added; a logged key replaces the codec's.
    /// </summary>
    public string MergeInto(string outputName, string metadataJson)
    {
        if (ArtifactMetadata(outputName) is not { } logged)
        {
            return metadataJson;
        }

        var merged = JsonNode.Parse(metadataJson) as JsonObject ?? [];
        foreach (var (key, value) in logged)
        {
            merged[key] = value?.DeepClone();
        }

        return merged.ToJsonString();
    }

    /// <summary>Everything logged, as the file a step process writes: <c>{"run": {...}, "step": {...}, "artifacts": {"Output": {...}}}</c>.</summary>
    public string ToJson()
    {
        lock (_gate)
        {
            var artifacts = new JsonObject();
            foreach (var (name, metadata) in _artifacts)
            {
                artifacts[name] = metadata.DeepClone();
            }

            return new JsonObject { ["run"] = _run.DeepClone(), ["step"] = _step.DeepClone(), ["artifacts"] = artifacts }.ToJsonString();
        }
    }

    /// <summary>Adds what a step process wrote with <see cref="ToJson"/>.</summary>
    /// <exception cref="FormatException">The file is not of that form.</exception>
    public void Add(string json)
    {
        try
        {
            if (JsonNode.Parse(json) is not JsonObject root)
            {
                throw new FormatException($"{FileName} is not a JSON object");
            }

            AddAll(MetadataTarget.Run, root["run"]);
            AddAll(MetadataTarget.Step, root["step"]);
            if (root["artifacts"] is JsonObject artifacts)
            {
                foreach (var (name, metadata) in artifacts)
                {
                    AddAll(MetadataTarget.Artifact(name), metadata);
                }
            }
        }
        catch (JsonException e)
        {
            throw new FormatException($"{FileName} is not valid JSON: {e.Message}", e);
        }
    }

    private void AddAll(MetadataTarget target, JsonNode? values)
    {
        foreach (var (key, value) in values as JsonObject ?? [])
        {
            Set(target, key, value?.DeepClone());
        }
    }

    private string Json(Func<JsonObject> which)
    {
        lock (_gate)
        {
            return which().ToJsonString();
        }
    }
}
