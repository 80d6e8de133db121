using System.Linq;

namespace PipelineSdk.Generators.Model;

/// <summary>
/// Which calls share a component. Calls of one step share it while their settings agree; a call with settings of its
/// own (<c>.WithRetry(3)</c>, <c>.WithEnv(...)</c>) gets a component and executor of its own, as the KFP compiler gives
/// every task one (<c>comp-train-2</c>, <c>exec-train-2</c>). A called pipeline with caching switched off is a DAG of its own.
/// </summary>
internal static class ComponentIdentity
{
    public static string Of(CallModel call)
    {
        var step = call.Step;
        if (call.Pipeline is { } pipeline)
        {
            var cachingOff = pipeline.Calls.Count > 0 && pipeline.Calls.All(c => c.Step.EnableCache == false);
            return step.MethodDisplayName + (cachingOff ? "\n(caching off)" : "") + (step.Settings.DisplayName is { } name ? "\n" + name : "");
        }

        // Every importer is a component of its own (comp-importer, comp-importer-2, ...), as KFP compiles them.
        if (step.Importer is { } importer)
        {
            return string.Join("\n", step.MethodDisplayName, importer.ToString(), step.Outputs[0].Type.KfpType, step.Settings.DisplayName);
        }

        var settings = step.Settings;
        return settings.IsNone
            ? step.MethodDisplayName
            : string.Join("\n", step.MethodDisplayName, settings.Retry?.ToString(), settings.Resources?.ToString(),
                string.Join("\u0001", settings.Environment.Select(e => e.Name + "=" + e.Value)), settings.DisplayName, settings.Image, settings.TimeoutSeconds?.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
