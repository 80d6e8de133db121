using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PipelineSdk.Generators.Diagnostics;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Parsing;

/// <summary>The checks of a pipeline as a whole: its signature and parameters, the names it generates, and values nothing reads.</summary>
internal sealed class PipelineChecks(PipelineParser parser) : PipelineParserJob(parser)
{
    // Members of the generated runner class `Pipelines.<method>`; a pipeline method with one of these names would clash with them.
    private static readonly HashSet<string> RunnerMembers = new() { "Pipelines", "Name", "SpecJson", "Descriptor", "RunAsync", "Result" };

    internal void CheckSignature()
    {
        var where = State.Declaration.Identifier.GetLocation();
        if (!State.Pipeline.IsStatic)
        {
            State.Report(DiagnosticCatalog.PipelineSignature, where, State.Name, "is an instance method; make it static");
        }

        if (State.Pipeline.IsGenericMethod)
        {
            State.Report(DiagnosticCatalog.PipelineSignature, where, State.Name, "is generic; a pipeline's parameter types must be fixed");
        }

        if (StepParser.Inaccessibility(State.Pipeline) is { } inaccessible)
        {
            State.Report(DiagnosticCatalog.PipelineSignature, where, State.Name, $"is {inaccessible}; make it and its containing types internal or public so generated code can call it");
        }

        if (Flow.ReturnedType() is { } returned && TypeMapper.Map(returned, State.SemanticModel.Compilation) is null && returned.TypeKind != TypeKind.Error)
        {
            State.Report(DiagnosticCatalog.PipelineSignature, State.Declaration.ReturnType.GetLocation(), State.Name,
                $"returns '{returned.ToDisplayString()}', which cannot pass between steps; return void, Task, or a step output of a supported type");
        }
    }

    internal List<PipelineParameterModel> ParseParameters()
    {
        var parameters = new List<PipelineParameterModel>();
        var syntaxes = State.Declaration.ParameterList.Parameters;
        for (var i = 0; i < State.Pipeline.Parameters.Length && i < syntaxes.Count; i++)
        {
            var parameter = State.Pipeline.Parameters[i];
            var syntax = syntaxes[i];
            if (parameter.RefKind != RefKind.None || parameter.IsParams)
            {
                var what = parameter.IsParams ? "a params parameter" : "a by-reference parameter";
                State.Report(DiagnosticCatalog.PipelineSignature, syntax.GetLocation(), State.Name, $"has {what} '{parameter.Name}'; pipeline parameters are plain values, so remove the modifier");
                continue;
            }

            var type = TypeMapper.Map(parameter.Type, State.SemanticModel.Compilation);
            if (type is null or { IsArtifact: true })
            {
                if (parameter.Type.TypeKind == TypeKind.Error)
                {
                    State.Unresolved = true;
                    continue;
                }

                State.Report(DiagnosticCatalog.UnsupportedValueType, (syntax.Type ?? (SyntaxNode)syntax).GetLocation(), $"Parameter '{parameter.Name}'", State.Name, parameter.Type.ToDisplayString(), type is null ? TypeMapper.Explain(parameter.Type) : TypeMapper.PipelineParameterFix);
                continue;
            }

            if (Constants.CollectionDefault(parameter, syntax, type) is { } collectionDefault)
            {
                if (collectionDefault.Json is not null)
                {
                    // The typed runner takes null for "the spec's default".
                    parameters.Add(new PipelineParameterModel(parameter.Name, type.TypeSyntax.EndsWith("?") ? type : type with { TypeSyntax = type.TypeSyntax + "?" }, collectionDefault.Json, "null"));
                }

                continue;
            }

            string? defaultJson = null;
            string? defaultCSharp = null;
            if (parameter.HasExplicitDefaultValue)
            {
                defaultJson = JsonLiteral.From(parameter.ExplicitDefaultValue);
                if (defaultJson is null)
                {
                    State.Report(DiagnosticCatalog.UnsupportedArgument, (syntax.Default?.Value ?? (SyntaxNode)syntax).GetLocation(), State.Name, parameter.Name, "a default value with no JSON form (NaN or infinity)");
                    continue;
                }

                defaultCSharp = CSharpLiteral(parameter.ExplicitDefaultValue);
            }
            else if (syntax.Default is not null)
            {
                // A default that is not a constant does not compile; the compiler says why.
                State.Unresolved = true;
            }

            parameters.Add(new PipelineParameterModel(parameter.Name, type, defaultJson, defaultCSharp));
        }

        return parameters;
    }

    /// <summary>Names that would clash in the generated runner or spec.</summary>
    internal void CheckGeneratedNames()
    {
        if (RunnerMembers.Contains(State.Pipeline.Name) || System.Text.RegularExpressions.Regex.IsMatch(State.Pipeline.Name, "^(s_step|InvokeStep)[0-9]+$"))
        {
            State.Report(DiagnosticCatalog.NameCollision, State.Declaration.Identifier.GetLocation(),
                $"The generated runner class 'Pipelines.{State.Pipeline.Name}' of pipeline '{State.Name}' would have a member of the same name",
                "rename the method; [Pipeline(Name = \"...\")] keeps the pipeline's name in the spec");
        }

        foreach (var collision in TaskNames.Alone(State.Calls).Collisions)
        {
            State.Report(DiagnosticCatalog.NameCollision, State.CallSyntax[collision.Call].GetLocation(), $"{collision.What} of pipeline '{State.Name}'", collision.Fix);
        }
    }

    /// <summary>Locals holding step outputs that nothing reads (info), and parameters no step receives (warning).</summary>
    internal void CheckUnused()
    {
        var body = (SyntaxNode?)State.Declaration.Body ?? State.Declaration.ExpressionBody;
        var used = new HashSet<string>(
            body?.DescendantNodes().OfType<IdentifierNameSyntax>().Select(i => i.Identifier.ValueText) ?? Enumerable.Empty<string>());
        foreach (var (identifier, step) in State.OutputLocals)
        {
            if (!used.Contains(identifier.ValueText))
            {
                State.Report(DiagnosticCatalog.UnusedStepOutput, identifier.GetLocation(), identifier.ValueText, step);
            }
        }

        var parameters = State.Declaration.ParameterList.Parameters;
        foreach (var parameter in parameters)
        {
            if (!parameter.Identifier.IsMissing && !used.Contains(parameter.Identifier.ValueText))
            {
                State.Report(DiagnosticCatalog.UnusedPipelineParameter, parameter.Identifier.GetLocation(), parameter.Identifier.ValueText, State.Name);
            }
        }
    }

    private static string CSharpLiteral(object? value) => value switch
    {
        null => "null",
        double d => SymbolDisplay.FormatPrimitive(d, quoteStrings: false, useHexadecimalNumbers: false) + "d",
        long l => SymbolDisplay.FormatPrimitive(l, quoteStrings: false, useHexadecimalNumbers: false) + "L",
        _ => SymbolDisplay.FormatPrimitive(value, quoteStrings: true, useHexadecimalNumbers: false),
    };
}
