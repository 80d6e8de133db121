using Microsoft.CodeAnalysis.CSharp;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Emitting;

/// <summary>Writes a value's runtime codec (<see cref="CodecModel"/>) as the C# expression that creates it.</summary>
internal static class CodecEmitter
{
    private const string ParameterCodecs = "global::PipelineSdk.Values.ParameterCodecs";
    private const string ArtifactCodecs = "global::PipelineSdk.Values.ArtifactCodecs";

    public static string CSharp(CodecModel codec) => codec switch
    {
        BuiltInCodec builtIn => $"{Codecs(builtIn.IsArtifact)}.{builtIn.Name}",
        CollectionCodec collection => $"{Codecs(collection.IsArtifact)}.{Shape(collection.Shape)}<{collection.ElementTypeSyntax}>({CSharp(collection.Element)})",
        ArtifactKindCodec kind => $"{ArtifactCodecs}.Kind<{kind.TypeSyntax}>()",
        MaterializerCodec materialized =>
            $"{ArtifactCodecs}.Materialized<{materialized.TypeSyntax}>(new {materialized.MaterializerSyntax}(), {Literal(materialized.TypeName)}, {Literal(materialized.SchemaTitle)})",
        JsonCodec json => $"{ArtifactCodecs}.Json<{json.TypeSyntax}>({json.ContextSyntax}.Default)",
        _ => throw new System.ArgumentOutOfRangeException(nameof(codec), codec, "A codec kind the emitter does not know"),
    };

    private static string Codecs(bool isArtifact) => isArtifact ? ArtifactCodecs : ParameterCodecs;

    private static string Shape(CollectionShape shape) => shape switch
    {
        CollectionShape.Array => "Array",
        CollectionShape.List => "List",
        _ => "Dictionary",
    };

    private static string Literal(string value) => SymbolDisplay.FormatLiteral(value, quote: true);
}
