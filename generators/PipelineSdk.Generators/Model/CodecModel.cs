namespace PipelineSdk.Generators.Model;

/// <summary>
/// The runtime codec that reads and writes a value, as data: Parsing decides it, Emitting alone writes it as C#
/// (<c>CodecEmitter</c>), so models hold no code.
/// </summary>
internal abstract record CodecModel;

/// <summary>A codec the runtime defines once, by name: <c>ParameterCodecs.Int32</c>, <c>ArtifactCodecs.Stream</c>, ...</summary>
/// <param name="IsArtifact">Whether it is one of the artifact codecs rather than the parameter codecs.</param>
/// <param name="Name">Its member name, e.g. <c>Int32</c> or <c>Bytes</c>.</param>
internal sealed record BuiltInCodec(bool IsArtifact, string Name) : CodecModel;

/// <summary>How a collection codec holds its elements.</summary>
internal enum CollectionShape
{
    /// <summary>A <c>T[]</c>.</summary>
    Array,

    /// <summary>A <c>List&lt;T&gt;</c> or one of the list interfaces.</summary>
    List,

    /// <summary>A string-keyed dictionary of <c>T</c> (a parameter only).</summary>
    Dictionary,
}

/// <summary>A codec of a collection made from its element's codec: <c>ParameterCodecs.List&lt;T&gt;(element)</c>, <c>ArtifactCodecs.Array&lt;T&gt;(element)</c>, ...</summary>
/// <param name="IsArtifact">Whether the elements are artifacts (a list of artifacts) rather than parameters.</param>
/// <param name="ElementTypeSyntax">The fully qualified element type.</param>
internal sealed record CollectionCodec(bool IsArtifact, CollectionShape Shape, string ElementTypeSyntax, CodecModel Element) : CodecModel
{
    /// <summary>The codec of a list of <paramref name="element"/> values, e.g. the outputs a loop collected.</summary>
    public static CollectionCodec ListOf(ValueTypeModel element) => new(element.IsArtifact, CollectionShape.List, element.TypeSyntax, element.Codec);
}

/// <summary>The codec of one of the runtime's artifact classes (<c>Dataset</c>, <c>Model</c>, ...): <c>ArtifactCodecs.Kind&lt;T&gt;()</c>.</summary>
internal sealed record ArtifactKindCodec(string TypeSyntax) : CodecModel;

/// <summary>The codec of a type a registered materializer stores.</summary>
/// <param name="MaterializerSyntax">The fully qualified materializer class, created once per codec.</param>
/// <param name="TypeName">The type's short name, which the runtime shows.</param>
/// <param name="SchemaTitle">The artifact schema title the materializer stores it as.</param>
internal sealed record MaterializerCodec(string TypeSyntax, string MaterializerSyntax, string TypeName, string SchemaTitle) : CodecModel;

/// <summary>The codec of a record or class listed in a <c>JsonSerializerContext</c>, stored as a JSON artifact.</summary>
/// <param name="ContextSyntax">The fully qualified context class, whose <c>Default</c> instance serializes it.</param>
internal sealed record JsonCodec(string TypeSyntax, string ContextSyntax) : CodecModel;
