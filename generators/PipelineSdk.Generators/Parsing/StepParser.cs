using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PipelineSdk.Generators.Diagnostics;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Parsing;

/// <summary>Turns a <c>[Step]</c> method symbol into a <see cref="StepModel"/>, or the diagnostics that say why it cannot be one.</summary>
internal static class StepParser
{
    public const string SingleOutputName = "Output";

    /// <summary>Whether <paramref name="method"/> is a step: <c>[Step]</c>, or <c>[ContainerStep]</c> (a command in an image).</summary>
    public static bool IsStep(IMethodSymbol method) =>
        method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() is AttributeReader.Step or AttributeReader.ContainerStep);

    /// <summary>Whether <paramref name="method"/> has <c>[Step]</c> itself.</summary>
    public static bool HasStepAttribute(IMethodSymbol method) =>
        AttributeReader.Has(method, AttributeReader.Step);

    /// <summary>
    /// The generator's step stage: the step with its code fingerprint, computed once however many pipelines call it, or
    /// null when it has errors (the step analyzer reports them, and no pipeline calling it is emitted).
    /// </summary>
    public static SharedStepModel? ParseShared(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IMethodSymbol method || InGenericType(method))
        {
            return null;
        }

        try
        {
            return Parse(method, context.SemanticModel.Compilation, new List<DiagnosticInfo>(), cancellationToken, computeFingerprint: true, context.SemanticModel) is { } step
                ? new SharedStepModel("Step." + SharedName(method) + ".g.cs", step, null)
                : null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new SharedStepModel("Step." + SharedName(method) + ".g.cs", null, method.Name + ": " + e.GetType().Name + ": " + e.Message);
        }
    }

    /// <summary>The class generated for a step's descriptor, one per assembly (see <see cref="StepModel.SharedClass"/>).</summary>
    public static string SharedClassName(IMethodSymbol method) => "global::PipelineSdk.Generated." + SharedName(method);

    /// <summary>The step's type and name, and a hash of its whole signature, so overloads get names of their own.</summary>
    private static string SharedName(IMethodSymbol method)
    {
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(PipelineParser.Key(method)));
        var suffix = string.Concat(hash.Take(4).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        var typeName = method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", "");
        return new string((typeName + "_" + method.Name + "_" + suffix).Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray());
    }

    /// <summary>Parses <paramref name="method"/>, adding a located diagnostic for each problem with its signature.</summary>
    /// <param name="model">A semantic model of the step's syntax tree to fingerprint with, when the caller has one.</param>
    public static StepModel? Parse(IMethodSymbol method, Compilation compilation, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken, bool computeFingerprint = true, SemanticModel? model = null)
    {
        var declaration = method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) as MethodDeclarationSyntax;
        if (declaration is null)
        {
            // A step from a referenced assembly: its signature was checked where it was compiled.
            return null;
        }

        var name = method.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat);
        var errorCount = diagnostics.Count;
        if (!method.IsStatic)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticCatalog.StepMustBeStatic, declaration.Identifier.GetLocation(), name));
        }

        if (Inaccessibility(method) is { } inaccessible)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticCatalog.StepNotAccessible, declaration.Identifier.GetLocation(), name, inaccessible));
        }

        if (AttributeReader.NamedString(method, AttributeReader.Step, "Name") is { } explicitName && Naming.Validate(explicitName, Naming.MaxPipelineNameLength) is { } invalid)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticCatalog.InvalidName, AttributeReader.AttributeLocation(method, declaration), "step", explicitName, invalid));
        }

        if (method.IsGenericMethod)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticCatalog.StepIsGeneric, declaration.TypeParameterList!.GetLocation(), name));
        }

        var parameters = new List<StepParameterModel>();
        for (var i = 0; i < method.Parameters.Length; i++)
        {
            var parameter = method.Parameters[i];
            var parameterSyntax = declaration.ParameterList.Parameters[i];
            if (parameter.RefKind != RefKind.None || parameter.Type is IPointerTypeSymbol or IFunctionPointerTypeSymbol)
            {
                var how = parameter.RefKind switch
                {
                    RefKind.Ref => "passed by ref",
                    RefKind.Out => "an out parameter",
                    RefKind.In => "passed by in",
                    RefKind.RefReadOnlyParameter => "passed by ref readonly",
                    _ => "a pointer",
                };
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticCatalog.StepParameterByReference, parameterSyntax.GetLocation(), name, parameter.Name, how));
                continue;
            }

            if (parameter.Type.ToDisplayString() == "System.Threading.CancellationToken")
            {
                parameters.Add(new StepParameterModel(parameter.Name, null, IsCancellationToken: true));
                continue;
            }

            // A registry parameter is nullable (no model in a stage is null); its codec is the one of the type itself.
            var type = TypeMapper.Map(RegistryParser.IsRegistryParameter(parameter) ? parameter.Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated) : parameter.Type, compilation);
            if (type is null)
            {
                diagnostics.Add(Unsupported(parameterSyntax.Type!.GetLocation(), $"Parameter '{parameter.Name}'", name, parameter.Type));
                continue;
            }

            if (type.IsOutputOnly)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticCatalog.UnsupportedValueType, parameterSyntax.Type!.GetLocation(), $"Parameter '{parameter.Name}'", name, parameter.Type.ToDisplayString(), TypeMapper.OutputOnlyFix));
                continue;
            }

            parameters.Add(new StepParameterModel(parameter.Name, type, IsCancellationToken: false) { Registry = RegistryParser.Parameter(parameter, parameterSyntax, name, diagnostics) });
        }

        var (returnShape, asyncShape, resultType, outputs) = ParseReturn(method, declaration, name, compilation, diagnostics);
        outputs = RegistryParser.NameOutputs(method, name, returnShape, outputs, diagnostics);
        var settings = SettingsParser.Parse(method, declaration, name, diagnostics);
        if (ContainerStepParser.IsContainerStep(method))
        {
            settings = settings with { Container = ContainerStepParser.Parse(method, declaration, name, parameters, outputs, asyncShape, diagnostics) };
        }

        if (diagnostics.Skip(errorCount).Any(d => DiagnosticCatalog.ById(d.Id).DefaultSeverity == DiagnosticSeverity.Error))
        {
            return null;
        }

        var (parts, fingerprint) = computeFingerprint
            ? CodeFingerprinter.Compute(method, compilation, model, cancellationToken)
            : (EquatableArray<CodePartModel>.Empty, string.Empty);
        return new StepModel(
            method.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat.WithMemberOptions(SymbolDisplayMemberOptions.IncludeContainingType)),
            method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            method.Name,
            ComponentName(method),
            parameters.ToEquatableArray(),
            outputs.ToEquatableArray(),
            returnShape,
            asyncShape,
            resultType,
            AttributeReader.NamedBool(method, AttributeReader.Step, "EnableCache"),
            parts,
            fingerprint,
            settings)
        {
            SharedClass = SharedClassName(method),
        };
    }

    private static bool InGenericType(IMethodSymbol method)
    {
        for (var type = method.ContainingType; type is not null; type = type.ContainingType)
        {
            if (type.IsGenericType)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The component name: the attribute's <c>Name</c>, else the method name in kebab-case.</summary>
    public static string ComponentName(IMethodSymbol method) =>
        AttributeReader.NamedString(method, AttributeReader.Step, "Name") ?? Naming.ToKebabCase(method.Name);

    /// <summary>PSDK0029 for a type an integration package supports (naming the package to add), else PSDK0005.</summary>
    private static DiagnosticInfo Unsupported(Location location, string what, string step, ITypeSymbol type) =>
        TypeMapper.MissingPackage(type) is { } missing
            ? DiagnosticInfo.Create(DiagnosticCatalog.IntegrationPackageMissing, location, what, step, type.ToDisplayString(), missing.Type, missing.Package)
            : DiagnosticInfo.Create(DiagnosticCatalog.UnsupportedValueType, location, what, step, type.ToDisplayString(), TypeMapper.Explain(type));

    private static (ReturnShape, AsyncShape, string?, List<PortModel>) ParseReturn(IMethodSymbol method, MethodDeclarationSyntax declaration, string name, Compilation compilation, List<DiagnosticInfo> diagnostics)
    {
        var outputs = new List<PortModel>();
        var type = method.ReturnType;
        var asyncShape = AsyncShape.None;
        var definition = (type as INamedTypeSymbol)?.ConstructedFrom.ToDisplayString();
        switch (definition)
        {
            case "System.Threading.Tasks.Task":
                return (ReturnShape.None, AsyncShape.Task, null, outputs);
            case "System.Threading.Tasks.ValueTask":
                return (ReturnShape.None, AsyncShape.ValueTask, null, outputs);
            case "System.Threading.Tasks.Task<TResult>":
                asyncShape = AsyncShape.Task;
                type = ((INamedTypeSymbol)type).TypeArguments[0];
                break;
            case "System.Threading.Tasks.ValueTask<TResult>":
                asyncShape = AsyncShape.ValueTask;
                type = ((INamedTypeSymbol)type).TypeArguments[0];
                break;
        }

        if (type.SpecialType == SpecialType.System_Void)
        {
            return (ReturnShape.None, asyncShape, null, outputs);
        }

        var resultSyntax = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithMiscellaneousOptions(
            SymbolDisplayMiscellaneousOptions.UseSpecialTypes | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier | SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers));
        if (type is INamedTypeSymbol { IsTupleType: true } tuple)
        {
            foreach (var element in tuple.TupleElements)
            {
                var elementType = TypeMapper.Map(element.Type, compilation);
                if (elementType is null or { IsArtifactList: true })
                {
                    diagnostics.Add(elementType is null
                        ? Unsupported(declaration.ReturnType.GetLocation(), $"Output '{element.Name}'", name, element.Type)
                        : DiagnosticInfo.Create(DiagnosticCatalog.UnsupportedValueType, declaration.ReturnType.GetLocation(), $"Output '{element.Name}'", name, element.Type.ToDisplayString(), TypeMapper.ListOutputFix));
                    continue;
                }

                outputs.Add(new PortModel(element.Name, elementType));
            }

            return (ReturnShape.Tuple, asyncShape, resultSyntax, outputs);
        }

        var single = TypeMapper.Map(type, compilation);
        if (single is null or { IsArtifactList: true })
        {
            diagnostics.Add(single is null
                ? Unsupported(declaration.ReturnType.GetLocation(), "The result", name, type)
                : DiagnosticInfo.Create(DiagnosticCatalog.UnsupportedValueType, declaration.ReturnType.GetLocation(), "The result", name, type.ToDisplayString(), TypeMapper.ListOutputFix));
        }
        else
        {
            outputs.Add(new PortModel(SingleOutputName, single));
        }

        return (ReturnShape.Single, asyncShape, resultSyntax, outputs);
    }

    /// <summary>Null when generated code in the same assembly can call <paramref name="method"/>; otherwise its offending accessibility.</summary>
    public static string? Inaccessibility(IMethodSymbol method)
    {
        for (ISymbol? symbol = method; symbol is not null and not INamespaceSymbol; symbol = symbol.ContainingSymbol)
        {
            switch (symbol.DeclaredAccessibility)
            {
                case Accessibility.Private:
                    return SymbolEqualityComparer.Default.Equals(symbol, method) ? "private" : $"inside private type '{symbol.Name}'";
                case Accessibility.Protected:
                case Accessibility.ProtectedAndInternal:
                    return SymbolEqualityComparer.Default.Equals(symbol, method) ? "protected" : $"inside protected type '{symbol.Name}'";
            }
        }

        return null;
    }
}
