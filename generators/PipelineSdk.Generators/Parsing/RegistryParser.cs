using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PipelineSdk.Generators.Diagnostics;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Parsing;

/// <summary>
/// Reads the registry attributes of a step: <c>[Artifact("name")]</c> on its return value or on the method (naming an
/// output), and <c>[FromArtifact]</c>/<c>[FromModel]</c> on its parameters (filled from the registry at run time).
/// </summary>
internal static class RegistryParser
{
    /// <summary>Artifact names follow pipeline names: they appear in commands and URLs.</summary>
    private const int MaxNameLength = 128;

    private static readonly string[] Stages = { "none", "staging", "production", "archived" };

    /// <summary>The stages hold one version each: the ones a promoting output can put its version in.</summary>
    private static readonly string[] PromotionStages = { "staging", "production" };

    /// <summary>Gives the outputs named by <c>[Artifact]</c> attributes their names and tags; reports misplaced or invalid ones.</summary>
    public static List<PortModel> NameOutputs(IMethodSymbol method, string stepName, ReturnShape shape, List<PortModel> outputs, List<DiagnosticInfo> diagnostics)
    {
        var named = new List<PortModel>(outputs);
        var attributes = method.GetReturnTypeAttributes().Where(IsArtifact).Select(a => (Attribute: a, OnReturn: true))
            .Concat(method.GetAttributes().Where(IsArtifact).Select(a => (Attribute: a, OnReturn: false)));
        foreach (var (attribute, onReturn) in attributes)
        {
            var location = attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? method.Locations[0];
            var name = attribute.ConstructorArguments.FirstOrDefault().Value as string ?? "";
            var output = Named(attribute, "Output") as string;
            var stage = Named(attribute, "Stage") as string;
            if (Naming.Validate(name, MaxNameLength) is { } invalid)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticCatalog.InvalidName, location, "artifact", name, invalid));
                continue;
            }

            string? problem = null;
            var index = -1;
            if (shape == ReturnShape.None)
            {
                problem = "the step returns nothing to name";
            }
            else if (output is null && shape == ReturnShape.Tuple)
            {
                problem = $"the step returns a tuple; say which element with Output = \"{string.Join("\"/\"", outputs.Select(o => o.Name))}\" on [Artifact] on the method";
            }
            else if ((index = output is null ? 0 : outputs.FindIndex(o => o.Name == output)) < 0)
            {
                problem = $"the step has no output '{output}'; its outputs are {string.Join(", ", outputs.Select(o => o.Name))}";
            }
            else if (named[index].ArtifactName is { } taken)
            {
                problem = $"output '{outputs[index].Name}' is named '{taken}' already";
            }
            else if (onReturn && output is not null && shape == ReturnShape.Single)
            {
                problem = "Output is for tuple elements; leave it out on a single return value";
            }
            else if (stage is not null && !PromotionStages.Contains(stage))
            {
                problem = $"Stage '{stage}' is not a stage an output can promote to; use staging or production";
            }

            if (problem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticCatalog.InvalidNamedArtifact, location, $"[Artifact(\"{name}\")]", stepName, problem));
                continue;
            }

            var tags = Named(attribute, "Tags") is IEnumerable<TypedConstant> values ? values.Select(v => v.Value as string ?? "").ToEquatableArray() : EquatableArray<string>.Empty;
            named[index] = named[index] with { ArtifactName = name, Tags = tags, PromotesTo = stage };
        }

        return named;
    }

    /// <summary>Whether <paramref name="parameter"/> has <c>[FromArtifact]</c> or <c>[FromModel]</c>.</summary>
    public static bool IsRegistryParameter(IParameterSymbol parameter) =>
        parameter.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() is AttributeReader.FromArtifact or AttributeReader.FromModel);

    /// <summary>The registry source of a <c>[FromArtifact]</c>/<c>[FromModel]</c> parameter; null (and maybe a diagnostic) otherwise.</summary>
    public static RegistryInputModel? Parameter(IParameterSymbol parameter, ParameterSyntax syntax, string stepName, List<DiagnosticInfo> diagnostics)
    {
        var attributes = parameter.GetAttributes().Where(a => a.AttributeClass?.ToDisplayString() is AttributeReader.FromArtifact or AttributeReader.FromModel).ToList();
        if (attributes.Count == 0)
        {
            return null;
        }

        var attribute = attributes[0];
        var isModel = attribute.AttributeClass!.ToDisplayString() == AttributeReader.FromModel;
        var location = attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? syntax.GetLocation();
        var name = attribute.ConstructorArguments.FirstOrDefault().Value as string ?? "";
        var selector = Named(attribute, isModel ? "Stage" : "Version") as string ?? (isModel ? "production" : "latest");
        var shown = isModel ? $"[FromModel(\"{name}\")]" : $"[FromArtifact(\"{name}\")]";
        var problem = attributes.Count > 1 ? "use either [FromArtifact] or [FromModel], not both"
            : isModel && !Stages.Contains(selector) ? $"'{selector}' is not a stage; use none, staging, production or archived"
            : selector.Length == 0 ? "the version is empty; use latest, a version number or a tag"
            : !parameter.HasExplicitDefaultValue || parameter.ExplicitDefaultValue is not null ? $"give '{parameter.Name}' the default null (= null) so pipeline calls leave it out"
            : null;
        if (Naming.Validate(name, MaxNameLength) is { } invalid)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticCatalog.InvalidName, location, isModel ? "model" : "artifact", name, invalid));
            return null;
        }

        if (problem is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticCatalog.InvalidNamedArtifact, location, shown, stepName, problem));
            return null;
        }

        return new RegistryInputModel(name, selector, isModel);
    }

    private static bool IsArtifact(AttributeData attribute) => attribute.AttributeClass?.ToDisplayString() == AttributeReader.Artifact;

    private static object? Named(AttributeData attribute, string property)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Key == property)
            {
                return argument.Value.Kind == TypedConstantKind.Array ? argument.Value.Values : argument.Value.Value;
            }
        }

        return null;
    }
}
