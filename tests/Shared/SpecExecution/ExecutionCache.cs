using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace PipelineSdk.Tests.Shared.SpecExecution;

/// <summary>
/// Vertex AI's execution cache, shared by the jobs of one project: a container task with
/// <c>cachingOptions.enableCache</c> whose container, output definitions and resolved inputs (parameter values, input
/// artifact URIs) equal those of an earlier successful execution is not run; it reports SKIPPED with a CACHED execution
/// and that execution's outputs.
/// </summary>
internal sealed class ExecutionCache
{
    private readonly ConcurrentDictionary<string, TaskValues> _executions = new(StringComparer.Ordinal);

    public static string Key(JsonNode container, JsonObject component, TaskValues inputs)
    {
        var parts = new StringBuilder();
        parts.Append(container.ToJsonString()).Append('\n').Append(component["outputDefinitions"]?.ToJsonString()).Append('\n');
        foreach (var (name, value) in inputs.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            parts.Append("p:").Append(name).Append('=').Append(value?.ToJsonString() ?? "null").Append('\n');
        }

        foreach (var (name, artifacts) in inputs.Artifacts.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            parts.Append("a:").Append(name).Append('=').Append(string.Join(",", artifacts.Select(a => a.Uri))).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(parts.ToString())));
    }

    public TaskValues? Find(string key) => _executions.TryGetValue(key, out var outputs) ? outputs : null;

    public void Add(string key, TaskValues outputs) => _executions.TryAdd(key, outputs);
}
