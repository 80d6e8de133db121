using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PipelineSdk.Generators.Graph;
using Microsoft.CodeAnalysis.CSharp;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Emitting;

/// <summary>
/// Writes a step's settings into the spec the way the KFP compiler does (retryPolicy and display name on the task;
/// image, env and resources on the executor's container), and into generated C# as a <c>StepSettings</c>.
/// </summary>
internal static class SettingsEmitter
{
    /// <summary>The container's image override, <c>env</c> and <c>resources</c>.</summary>
    public static void WriteContainerSettings(JsonObject container, StepSettingsModel settings)
    {
        if (settings.Image is not null)
        {
            container["image"] = JsonRaw.String(settings.Image);
        }

        if (settings.Environment.Count > 0)
        {
            container["env"] = new JsonArray(settings.Environment.Select(variable =>
            {
                var entry = new JsonObject();
                entry["name"] = JsonRaw.String(variable.Name);
                entry["value"] = JsonRaw.String(variable.Value);
                return (JsonNode)entry;
            }));
        }

        if (settings.Resources is { } resources)
        {
            WriteResources(container.Object("resources"), resources);
        }
    }

    /// <summary>
    /// The display name (<c>taskInfo.name</c>) of each task whose step has one, by task key. The Vertex AI console shows
    /// tasks by this name (and PipelineSdk matches Vertex's task details by it), so it is kept unique within the pipeline: a second task with the same display name (the step called
    /// twice, or two steps named alike) gets <c>" (2)"</c>, and so on; tasks without one keep their key.
    /// </summary>
    public static Dictionary<string, string> DisplayNames(DagGraph dag, EquatableArray<ComponentNode> components)
    {
        var used = new HashSet<string>(
            dag.Tasks.Where(t => components[t.Component].Step.Settings.DisplayName is null).Select(t => t.Key).Concat(dag.Groups.Select(g => g.Key)),
            System.StringComparer.Ordinal);
        var names = new Dictionary<string, string>(System.StringComparer.Ordinal);
        foreach (var task in dag.Tasks)
        {
            if (components[task.Component].Step.Settings.DisplayName is { } displayName)
            {
                var name = displayName;
                for (var n = 2; !used.Add(name); n++)
                {
                    name = $"{displayName} ({n.ToString(CultureInfo.InvariantCulture)})";
                }

                names[task.Key] = name;
            }
        }

        return names;
    }

    /// <summary>The task's <c>retryPolicy</c>, and its display name (<c>taskInfo.name</c>) when it has one.</summary>
    public static void WriteTaskSettings(JsonObject task, StepSettingsModel settings, string? displayName)
    {
        if (displayName is not null)
        {
            task.Object("taskInfo")["name"] = JsonRaw.String(displayName);
        }

        if (settings.Retry is { } retry)
        {
            // As KFP's RetryPolicy.to_proto: every field written, durations in whole seconds.
            var policy = task.Object("retryPolicy");
            policy["backoffDuration"] = JsonRaw.String(Seconds(retry.BackoffSeconds));
            policy["backoffFactor"] = Number(retry.BackoffFactor);
            policy["backoffMaxDuration"] = JsonRaw.String(Seconds(retry.MaxBackoffSeconds));
            policy["maxRetryCount"] = new JsonRaw(retry.MaxRetries.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// A C# expression for the runtime's <c>StepSettings</c>, or null when the step has none (generated code then
    /// omits the argument).
    /// </summary>
    public static string? CSharpExpression(StepSettingsModel settings)
    {
        if (settings.IsNone)
        {
            return null;
        }

        var parts = new System.Collections.Generic.List<string>();
        if (settings.Retry is { } retry)
        {
            parts.Add($"Retry = new global::PipelineSdk.Descriptors.RetrySettings({Int(retry.MaxRetries)}, global::System.TimeSpan.FromSeconds({Int(retry.BackoffSeconds)}), {Double(retry.BackoffFactor)}, global::System.TimeSpan.FromSeconds({Int(retry.MaxBackoffSeconds)}))");
        }

        if (settings.Resources is { } r)
        {
            // Only the parts the attribute sets, by name: six optional values are too easy to misplace by position.
            var set = new[] { ("Cpu", r.Cpu), ("Memory", r.Memory), ("CpuRequest", r.CpuRequest), ("MemoryRequest", r.MemoryRequest), ("Accelerator", r.Accelerator) }
                .Where(part => part.Item2 is not null)
                .Select(part => $"{part.Item1} = {Literal(part.Item2!)}")
                .Concat(r.AcceleratorCount == 0 ? Enumerable.Empty<string>() : new[] { $"AcceleratorCount = {Int(r.AcceleratorCount)}" });
            parts.Add($"Resources = new global::PipelineSdk.Descriptors.ResourceSettings {{ {string.Join(", ", set)} }}");
        }

        if (settings.Environment.Count > 0)
        {
            var pairs = settings.Environment.Select(v => $"new({Literal(v.Name)}, {Literal(v.Value)})");
            parts.Add($"Environment = new global::System.Collections.Generic.KeyValuePair<string, string>[] {{ {string.Join(", ", pairs)} }}");
        }

        if (settings.DisplayName is not null)
        {
            parts.Add($"DisplayName = {Literal(settings.DisplayName)}");
        }

        if (settings.TimeoutSeconds is { } timeout)
        {
            parts.Add($"Timeout = global::System.TimeSpan.FromSeconds({Int(timeout)})");
        }

        if (settings.Image is not null)
        {
            parts.Add($"Image = {Literal(settings.Image)}");
        }

        if (settings.Container is { } container)
        {
            var local = container.HasLocalCommand ? $", LocalCommand = {CSharpEmitter.Strings(container.LocalCommand)}" : "";
            parts.Add($"Container = new global::PipelineSdk.Descriptors.ContainerCommand {{ Image = {Literal(container.Image)}, Command = {CSharpEmitter.Strings(container.Command)}, Arguments = {CSharpEmitter.Strings(container.Args)}{local} }}");
        }

        return $"new global::PipelineSdk.Descriptors.StepSettings {{ {string.Join(", ", parts)} }}";
    }

    private static void WriteResources(JsonObject target, ResourcesModel resources)
    {
        // Both forms, as the KFP compiler writes them: the deprecated numbers (cores, GB) and the newer strings.
        WriteQuantity(target, "cpuLimit", "resourceCpuLimit", resources.Cpu, ResourceQuantities.Cores);
        WriteQuantity(target, "memoryLimit", "resourceMemoryLimit", resources.Memory, ResourceQuantities.Gigabytes);
        WriteQuantity(target, "cpuRequest", "resourceCpuRequest", resources.CpuRequest, ResourceQuantities.Cores);
        WriteQuantity(target, "memoryRequest", "resourceMemoryRequest", resources.MemoryRequest, ResourceQuantities.Gigabytes);
        if (resources.Accelerator is not null)
        {
            var accelerator = target.Object("accelerator");
            var count = resources.AcceleratorCountPlaceholder ?? Int(resources.AcceleratorCount);
            // A value from a pipeline parameter is known only when the task starts: KFP writes only the string fields then.
            var fromParameter = resources.AcceleratorCountPlaceholder is not null || ResourceQuantities.IsPlaceholder(resources.Accelerator);
            if (!fromParameter)
            {
                accelerator["count"] = JsonRaw.String(count);
            }

            accelerator["resourceCount"] = JsonRaw.String(count);
            accelerator["resourceType"] = JsonRaw.String(resources.Accelerator);
            if (!fromParameter)
            {
                accelerator["type"] = JsonRaw.String(resources.Accelerator);
            }
        }
    }

    private static void WriteQuantity(JsonObject target, string numberKey, string stringKey, string? quantity, System.Func<string, double> toNumber)
    {
        if (quantity is not null)
        {
            if (!ResourceQuantities.IsPlaceholder(quantity))
            {
                target[numberKey] = Number(toNumber(quantity));
            }

            target[stringKey] = JsonRaw.String(quantity);
        }
    }

    private static string Seconds(int seconds) => Int(seconds) + "s";

    private static JsonRaw Number(double value) => new(JsonLiteral.From(value) ?? "0");

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Double(double value) => JsonLiteral.From(value) ?? "2.0";

    private static string Literal(string value) => SymbolDisplay.FormatLiteral(value, quote: true);
}
