using System.Linq;
using Microsoft.CodeAnalysis;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Parsing;

/// <summary>
/// Decides at compile time how a .NET type passes between steps, or that it cannot: Kubeflow parameters
/// (<c>int long double bool string</c>, lists and string-keyed dictionaries of them) or artifacts (the KFP
/// artifact classes, <c>byte[]</c>, <c>Stream</c>, <c>FileInfo</c>, <c>DirectoryInfo</c>, types of a registered
/// materializer, records and classes listed in a <c>JsonSerializerContext</c>, and lists of artifacts as inputs).
/// </summary>
internal static class TypeMapper
{
    private const string GenericArtifact = "system.Artifact";

    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat.WithMiscellaneousOptions(
        SymbolDisplayMiscellaneousOptions.UseSpecialTypes | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier | SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers);

    /// <summary>The Kubeflow artifact classes of the runtime and their schema titles.</summary>
    private static readonly System.Collections.Generic.Dictionary<string, string> ArtifactKinds = new()
    {
        ["PipelineSdk.Artifacts.Artifact"] = "system.Artifact",
        ["PipelineSdk.Artifacts.Dataset"] = "system.Dataset",
        ["PipelineSdk.Artifacts.Model"] = "system.Model",
        ["PipelineSdk.Artifacts.Metrics"] = "system.Metrics",
        ["PipelineSdk.Artifacts.ClassificationMetrics"] = "system.ClassificationMetrics",
        ["PipelineSdk.Artifacts.Html"] = "system.HTML",
        ["PipelineSdk.Artifacts.Markdown"] = "system.Markdown",
    };

    /// <summary>Whether <paramref name="type"/> is one of the runtime's Kubeflow artifact classes (<c>Dataset</c>, <c>Model</c>, ...).</summary>
    public static bool IsArtifactKind(ITypeSymbol type) => ArtifactKinds.ContainsKey(type.ToDisplayString());

    /// <summary>The value type of <paramref name="type"/>, or null when no codec supports it (see <see cref="Explain"/>).</summary>
    public static ValueTypeModel? Map(ITypeSymbol type, Compilation compilation)
    {
        var syntax = type.ToDisplayString(TypeFormat);

        switch (type.SpecialType)
        {
            case SpecialType.System_Int32: return Parameter(syntax, "NUMBER_INTEGER", ParameterCodec("Int32"));
            case SpecialType.System_Int64: return Parameter(syntax, "NUMBER_INTEGER", ParameterCodec("Int64"));
            case SpecialType.System_Double: return Parameter(syntax, "NUMBER_DOUBLE", ParameterCodec("Double"));
            case SpecialType.System_Boolean: return Parameter(syntax, "BOOLEAN", ParameterCodec("Boolean"));
            case SpecialType.System_String: return Parameter(syntax, "STRING", ParameterCodec("String"));
        }

        if (type.ToDisplayString() == "PipelineSdk.TaskFinalStatus")
        {
            return Parameter(syntax, "TASK_FINAL_STATUS", ParameterCodec("TaskFinalStatus"));
        }

        if (type is IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Byte })
        {
            return Artifact(syntax, GenericArtifact, ArtifactCodec("Bytes"));
        }

        if (type is IArrayTypeSymbol { Rank: 1 } array)
        {
            return Map(array.ElementType, compilation) switch
            {
                { IsArtifact: false } element => Parameter(syntax, "LIST", new CollectionCodec(IsArtifact: false, CollectionShape.Array, element.TypeSyntax, element.Codec)),
                { IsArtifactList: false } element => ArtifactList(syntax, element, CollectionShape.Array),
                _ => null,
            };
        }

        if (type is not INamedTypeSymbol named || named.IsUnboundGenericType)
        {
            return null;
        }

        var name = named.ConstructedFrom.ToDisplayString();
        switch (name)
        {
            case "System.IO.Stream": return Artifact(syntax, GenericArtifact, ArtifactCodec("Stream"));
            case "System.IO.FileInfo": return Artifact(syntax, GenericArtifact, ArtifactCodec("File"));
            case "System.IO.DirectoryInfo": return Artifact(syntax, GenericArtifact, ArtifactCodec("Directory"));
            case "System.Collections.Generic.List<T>":
            case "System.Collections.Generic.IList<T>":
            case "System.Collections.Generic.IReadOnlyList<T>":
            case "System.Collections.Generic.ICollection<T>":
            case "System.Collections.Generic.IReadOnlyCollection<T>":
            case "System.Collections.Generic.IEnumerable<T>":
                return Map(named.TypeArguments[0], compilation) switch
                {
                    { IsArtifact: false } element => Parameter(syntax, "LIST", new CollectionCodec(IsArtifact: false, CollectionShape.List, element.TypeSyntax, element.Codec)),
                    { IsArtifactList: false } element => ArtifactList(syntax, element, CollectionShape.List),
                    _ => null,
                };
            case "System.Collections.Generic.Dictionary<TKey, TValue>":
            case "System.Collections.Generic.IDictionary<TKey, TValue>":
            case "System.Collections.Generic.IReadOnlyDictionary<TKey, TValue>":
                return named.TypeArguments[0].SpecialType == SpecialType.System_String && Map(named.TypeArguments[1], compilation) is { IsArtifact: false } value
                    ? Parameter(syntax, "STRUCT", new CollectionCodec(IsArtifact: false, CollectionShape.Dictionary, value.TypeSyntax, value.Codec))
                    : null;
        }

        if (ArtifactKinds.TryGetValue(name, out var schemaTitle))
        {
            return Artifact(syntax, schemaTitle, new ArtifactKindCodec(syntax));
        }

        var registry = TypeRegistry.Of(compilation);
        if (registry.Materializer(named) is { } materializer)
        {
            return Artifact(syntax, materializer.SchemaTitle, new MaterializerCodec(syntax, materializer.MaterializerSyntax, named.Name, materializer.SchemaTitle))
                with { IsOutputOnly = materializer.OutputOnly };
        }

        if (registry.JsonContext(named) is { } context)
        {
            return Artifact(syntax, GenericArtifact, new JsonCodec(syntax, context));
        }

        return null;
    }

    /// <summary>
    /// What to do about a type <see cref="Map"/> rejects, as the end of the PSDK0005 message: for a record, class or
    /// struct of the user's, the exact attribute to add; otherwise the supported types.
    /// </summary>
    public static string Explain(ITypeSymbol type)
    {
        var element = type is INamedTypeSymbol { IsGenericType: true } generic && generic.TypeArguments.Length == 1 ? generic.TypeArguments[0]
            : type is IArrayTypeSymbol array ? array.ElementType
            : type;
        if (element is INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct, SpecialType: SpecialType.None } own
            && own.Locations.Any(l => l.IsInSource))
        {
            var full = own.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted));
            return $"to pass it as a JSON artifact, add [JsonSerializable(typeof({full}))] to a partial class deriving from System.Text.Json.Serialization.JsonSerializerContext in this project, or register a materializer for it with [assembly: PipelineSdkMaterializer(typeof(...))]";
        }

        return "use int, long, double, bool, string, or a list or string-keyed dictionary of those (parameters); or an artifact: Dataset, Model, Metrics, ClassificationMetrics, Html, Markdown, Artifact, byte[], Stream, FileInfo, DirectoryInfo, a record or class listed in a JsonSerializerContext, or a type with a registered materializer";
    }

    /// <summary>Library types that an integration package makes artifacts, by full name, with the package.</summary>
    private static readonly System.Collections.Generic.Dictionary<string, string> IntegrationTypes = new()
    {
        ["Microsoft.ML.IDataView"] = "PipelineSdk.MLNet",
        ["Microsoft.ML.ITransformer"] = "PipelineSdk.MLNet",
        ["Microsoft.ML.Data.RegressionMetrics"] = "PipelineSdk.MLNet",
        ["Microsoft.ML.Data.BinaryClassificationMetrics"] = "PipelineSdk.MLNet",
        ["Microsoft.ML.Data.CalibratedBinaryClassificationMetrics"] = "PipelineSdk.MLNet",
        ["Microsoft.ML.Data.MulticlassClassificationMetrics"] = "PipelineSdk.MLNet",
    };

    /// <summary>
    /// For a type <see cref="Map"/> rejects that an integration package supports (itself, or as the element of a list), the
    /// type's name and the package (PSDK0029); null otherwise.
    /// </summary>
    public static (string Type, string Package)? MissingPackage(ITypeSymbol type)
    {
        var element = type is INamedTypeSymbol { IsGenericType: true } generic && generic.TypeArguments.Length == 1 ? generic.TypeArguments[0]
            : type is IArrayTypeSymbol array ? array.ElementType
            : type;
        foreach (var candidate in new[] { type, element })
        {
            if (IntegrationTypes.TryGetValue(candidate.OriginalDefinition.ToDisplayString(), out var package))
            {
                return (candidate.Name, package);
            }
        }

        return null;
    }

    /// <summary>The PSDK0005 advice for a list of artifacts as a step output.</summary>
    public const string ListOutputFix = "a step returns one artifact per output (lists of artifacts are step inputs only, e.g. the outputs a loop collected); return a named tuple of artifacts instead";

    /// <summary>The PSDK0005 advice for an artifact type as a pipeline parameter.</summary>
    public const string PipelineParameterFix = "pipeline parameters are Kubeflow parameters (int, long, double, bool, string, or a list or string-keyed dictionary of those); pass a path or URI as a string and load the artifact in a step";

    private static CodecModel ParameterCodec(string name) => new BuiltInCodec(IsArtifact: false, name);

    private static CodecModel ArtifactCodec(string name) => new BuiltInCodec(IsArtifact: true, name);

    private static ValueTypeModel Parameter(string syntax, string kfpType, CodecModel codec) => new(syntax, kfpType, IsArtifact: false, codec);

    private static ValueTypeModel Artifact(string syntax, string schemaTitle, CodecModel codec) => new(syntax, schemaTitle, IsArtifact: true, codec);

    private static ValueTypeModel ArtifactList(string syntax, ValueTypeModel element, CollectionShape shape) =>
        new(syntax, element.KfpType, IsArtifact: true, new CollectionCodec(IsArtifact: true, shape, element.TypeSyntax, element.Codec), IsArtifactList: true, element.IsOutputOnly);

    /// <summary>The PSDK0005 advice for a step input whose type is a step output only.</summary>
    public const string OutputOnlyFix =
        "its materializer stores it for Kubeflow and Vertex AI but cannot read it back, so it is a step output only; return the value a later step needs as another output of the producing step (e.g. a double)";
}
