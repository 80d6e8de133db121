using System.Linq;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Emitting;

/// <summary>The executor and inputs of a <c>[ContainerStep]</c>, written as the KFP compiler writes a container component.</summary>
internal static partial class SpecEmitter
{
    /// <summary>The container's image, command and args (no args when there are none, as KFP writes them).</summary>
    private static void WriteContainerStep(JsonObject container, ContainerModel step)
    {
        container["image"] = JsonRaw.String(step.Image);
        container["command"] = Strings(step.Command.ToArray());
        if (step.Args.Count > 0)
        {
            container["args"] = Strings(step.Args.ToArray());
        }
    }

    /// <summary>Inputs with a default are optional (<c>isOptional</c>, and <c>defaultValue</c> unless the default is null).</summary>
    private static void WriteOptionalInputs(JsonObject component, ContainerModel step)
    {
        foreach (var optional in step.OptionalInputs)
        {
            var definition = component.Object("inputDefinitions").Object("parameters").Object(optional.Name);
            if (optional.DefaultJson is not null)
            {
                definition["defaultValue"] = new JsonRaw(optional.DefaultJson);
            }

            definition["isOptional"] = JsonRaw.True;
        }
    }

    /// <summary>Whether <paramref name="argument"/> gives an optional input of a container step no value.</summary>
    private static bool IsAbsent(StepModel step, ArgumentModel argument) =>
        argument is { Source: ArgumentSource.Constant, ConstantJson: "null" }
        && step.Settings.Container?.OptionalInputs.Any(o => o.Name == argument.InputName && o.DefaultJson is null) == true;
}
