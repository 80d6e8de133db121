using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace PipelineSdk.MLNet.Evaluation;

/// <summary>
/// ML.NET metrics read back from their artifacts. ML.NET 6 gives its metrics classes no public constructor, so a read-back
/// object is made without one and its scalar properties are set from the stored values (the confusion matrix stays in the
/// artifact's metadata); the stored JSON is remembered with the object, so storing it again (as the local-process
/// orchestrator does with a child's outputs) writes exactly what the step wrote. This is the one place the package reaches
/// past ML.NET's public API; a test checks every stored value comes back.
/// </summary>
internal static class StoredMetrics
{
    private static readonly ConditionalWeakTable<object, JsonObject> Stored = new();

    /// <summary>A <typeparamref name="T"/> with the stored values of <paramref name="metadata"/>, by ML.NET property name.</summary>
    public static T Rebuild<T>(JsonObject metadata, IReadOnlyDictionary<string, string> propertyByName)
        where T : class
    {
        var value = (T)RuntimeHelpers.GetUninitializedObject(typeof(T));
        foreach (var (name, property) in propertyByName)
        {
            if (metadata[name] is JsonValue stored && BackingField(typeof(T), property) is { } field)
            {
                field.SetValue(value, field.FieldType == typeof(int) ? stored.GetValue<int>() : stored.GetValue<double>());
            }
        }

        Stored.AddOrUpdate(value, metadata);
        return value;
    }

    /// <summary>The metadata a read-back object was rebuilt from; null for metrics a step computed.</summary>
    public static JsonObject? Of(object value) => Stored.TryGetValue(value, out var metadata) ? (JsonObject)metadata.DeepClone() : null;

    private static FieldInfo? BackingField(Type type, string property)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current.GetField($"<{property}>k__BackingField", BindingFlags.Instance | BindingFlags.NonPublic) is { } field)
            {
                return field;
            }
        }

        return null;
    }
}
