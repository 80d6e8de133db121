using System.Text.Json;
using PipelineSdk.Descriptors;
using PipelineSdk.Values;

namespace PipelineSdk.Orchestration;

public sealed partial class LocalOrchestrator
{
    /// <summary>
    /// One field of a loop item, read as Kubeflow reads it (<c>parseJson(string_value)["a"]</c>): the item as JSON, the
    /// field's JSON value, decoded by the consuming input's codec (a condition operand gets the plain JSON value).
    /// </summary>
    private static object? LoopItemField(LoopItemBinding binding, object? item, ValueCodec? codec)
    {
        var itemCodec = binding.ItemCodec ?? throw new InvalidOperationException($"loop '{binding.Loop}' has no item codec to read the field '{binding.Field}' with");
        using var document = JsonDocument.Parse(itemCodec.ToBytes(item));
        if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty(binding.Field!, out var field))
        {
            throw new BlockFailedException($"the item of '{binding.Loop}' has no field '{binding.Field}'");
        }

        return codec is null ? field.Clone() : codec.FromBytes(System.Text.Encoding.UTF8.GetBytes(field.GetRawText()));
    }
}
