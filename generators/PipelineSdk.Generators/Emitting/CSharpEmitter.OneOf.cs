using System.Linq;
using PipelineSdk.Generators.Graph;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Emitting;

internal static partial class CSharpEmitter
{
    /// <summary>A OneOf value: the branches group, and per branch its key and the output of its task.</summary>
    private static string OneOfBinding(DagGraph dag, ArgumentModel argument)
    {
        var oneOf = dag.Pipeline.OneOfs[argument.OneOf];
        var branches = oneOf.Branches.Select(b => Literal(dag.Groups[dag.Tasks[b.Call].Scope].Key));
        var values = oneOf.Branches.Select(b => $"new {Descriptors}TaskOutputBinding({Literal(argument.InputName)}, {Literal(dag.Tasks[b.Call].Key)}, {Literal(b.Reference!)})");
        return $"new {Descriptors}OneOfBinding({Literal(argument.InputName)}, {Literal(dag.Groups[oneOf.Group].Key)}, {ArrayOf("string", branches)}, {ArrayOf($"{Descriptors}TaskOutputBinding", values)})";
    }
}
