using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace PipelineSdk.Generators.Parsing;

/// <summary>
/// Every attribute the generator reads, by its full name, and how their named arguments are read: one place, so the
/// parsers, the analyzers and the generator's wiring agree on them.
/// </summary>
internal static class AttributeReader
{
    /// <summary><c>[Pipeline]</c> on a method whose body is the graph.</summary>
    public const string Pipeline = "PipelineSdk.PipelineAttribute";

    /// <summary><c>[Step]</c> on a method that is a task.</summary>
    public const string Step = "PipelineSdk.StepAttribute";

    /// <summary><c>[ContainerStep]</c> on a partial method: a command in an image.</summary>
    public const string ContainerStep = "PipelineSdk.ContainerStepAttribute";

    /// <summary><c>[Retry]</c> on a step.</summary>
    public const string Retry = "PipelineSdk.RetryAttribute";

    /// <summary><c>[Resources]</c> on a step.</summary>
    public const string Resources = "PipelineSdk.ResourcesAttribute";

    /// <summary><c>[Env]</c> on a step.</summary>
    public const string Env = "PipelineSdk.EnvAttribute";

    /// <summary><c>[Default]</c> on a pipeline parameter of a collection type.</summary>
    public const string Default = "PipelineSdk.DefaultAttribute";

    /// <summary><c>[Artifact]</c> naming a step output in the registry.</summary>
    public const string Artifact = "PipelineSdk.ArtifactAttribute";

    /// <summary><c>[FromArtifact]</c> on a step parameter filled from the registry.</summary>
    public const string FromArtifact = "PipelineSdk.FromArtifactAttribute";

    /// <summary><c>[FromModel]</c> on a step parameter filled from a model stage.</summary>
    public const string FromModel = "PipelineSdk.FromModelAttribute";

    /// <summary><c>[assembly: PipelineSdkExtension]</c> of a referenced extension.</summary>
    public const string Extension = "PipelineSdk.PipelineSdkExtensionAttribute";

    /// <summary><c>[assembly: PipelineSdkMaterializer]</c> registering an artifact type.</summary>
    public const string Materializer = "PipelineSdk.PipelineSdkMaterializerAttribute";

    /// <summary>System.Text.Json's <c>[JsonSerializable]</c> on a context.</summary>
    public const string JsonSerializable = "System.Text.Json.Serialization.JsonSerializableAttribute";

    /// <summary>Whether <paramref name="symbol"/> has the attribute <paramref name="attribute"/> itself.</summary>
    public static bool Has(ISymbol symbol, string attribute) =>
        symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == attribute);

    /// <summary>Where the attribute of <paramref name="symbol"/> is written, else the declaration's name.</summary>
    public static Location AttributeLocation(ISymbol symbol, MethodDeclarationSyntax declaration) =>
        symbol.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() is Step or ContainerStep or Pipeline)?
            .ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? declaration.Identifier.GetLocation();

    public static bool? NamedBool(ISymbol symbol, string attribute, string property) =>
        NamedArgument(symbol, attribute, property) is { Value: bool value } ? value : null;

    public static int? NamedInt(ISymbol symbol, string attribute, string property) =>
        NamedArgument(symbol, attribute, property) is { Value: int value } ? value : null;

    public static string? NamedString(ISymbol symbol, string attribute, string property) =>
        NamedArgument(symbol, attribute, property)?.Value as string;

    private static TypedConstant? NamedArgument(ISymbol symbol, string attribute, string property)
    {
        // [ContainerStep] takes the step settings of [Step] (EnableCache, Name, DisplayName).
        var data = symbol.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() is { } name
            && (name == attribute || (attribute == Step && name == ContainerStep)));
        foreach (var argument in data?.NamedArguments ?? Enumerable.Empty<KeyValuePair<string, TypedConstant>>())
        {
            if (argument.Key == property)
            {
                return argument.Value;
            }
        }

        return null;
    }
}
