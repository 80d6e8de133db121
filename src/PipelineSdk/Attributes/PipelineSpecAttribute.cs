using System.Collections.Concurrent;
using System.ComponentModel;
using System.Reflection;

namespace PipelineSdk;

/// <summary>
/// Carries a generated pipeline spec in the assembly's metadata, so the build can write
/// <c>pipelines/&lt;name&gt;.json</c> without running user code. Emitted by the generator; not for hand use.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true, Inherited = false)]
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class PipelineSpecAttribute(string pipelineName, string specJson) : Attribute
{
    /// <summary>The pipeline's name in the spec.</summary>
    public string PipelineName { get; } = pipelineName;

    /// <summary>The Kubeflow v2 PipelineSpec as JSON.</summary>
    public string SpecJson { get; } = specJson;

    private static readonly ConcurrentDictionary<Assembly, IReadOnlyDictionary<string, string>> SpecsByAssembly = new();

    /// <summary>The spec of pipeline <paramref name="pipelineName"/> recorded in <paramref name="assembly"/>.</summary>
    /// <exception cref="InvalidOperationException">The assembly records no spec of that name (it was not built by the generator).</exception>
    internal static string Read(Assembly assembly, string pipelineName) =>
        SpecsByAssembly.GetOrAdd(assembly, static a => a.GetCustomAttributes<PipelineSpecAttribute>().ToDictionary(s => s.PipelineName, s => s.SpecJson, StringComparer.Ordinal))
            .TryGetValue(pipelineName, out var spec)
            ? spec
            : throw new InvalidOperationException($"{assembly.GetName().Name} records no spec of pipeline '{pipelineName}'; rebuild it with the PipelineSdk generator");
}
