using System.ComponentModel;

namespace PipelineSdk.Descriptors;

/// <summary>
/// The pipelines compiled into the running program. Generated code registers each pipeline from a module
/// initializer, so <see cref="Hosting.PipelineApp"/> finds them without reflection.
/// </summary>
public static class PipelineRegistry
{
    private static readonly Lock Gate = new();
    private static readonly SortedDictionary<string, PipelineDescriptor> ByName = new(StringComparer.Ordinal);

    /// <summary>The registered pipelines, ordered by name.</summary>
    public static IReadOnlyList<PipelineDescriptor> All
    {
        get
        {
            lock (Gate)
            {
                return [.. ByName.Values];
            }
        }
    }

    /// <summary>Registers a pipeline; called by generated code. Registering the same descriptor twice is harmless.</summary>
    /// <exception cref="InvalidOperationException">Two different pipelines have the same name.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void Register(PipelineDescriptor pipeline)
    {
        lock (Gate)
        {
            if (ByName.TryGetValue(pipeline.Name, out var existing) && existing.MethodName != pipeline.MethodName)
            {
                throw new InvalidOperationException(
                    $"Two pipelines are named '{pipeline.Name}': {existing.MethodName} and {pipeline.MethodName}. Give one of them another name with [Pipeline(Name = \"...\")].");
            }

            ByName[pipeline.Name] = pipeline;
        }
    }

    /// <summary>Finds a pipeline by its spec name (e.g. <c>vertex-example-pipeline</c>) or its method name.</summary>
    public static PipelineDescriptor? Find(string name)
    {
        lock (Gate)
        {
            if (ByName.TryGetValue(name, out var byName))
            {
                return byName;
            }

            return ByName.Values.FirstOrDefault(p =>
                p.MethodName == name || p.MethodName.EndsWith("." + name, StringComparison.Ordinal));
        }
    }
}
