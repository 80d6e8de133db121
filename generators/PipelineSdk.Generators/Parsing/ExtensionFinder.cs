using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using PipelineSdk.Generators.Model;

namespace PipelineSdk.Generators.Parsing;

/// <summary>Finds the PipelineSdk extensions (e.g. PipelineSdk.Gcp) among the compilation's references.</summary>
internal static class ExtensionFinder
{
    /// <summary>The registrar types, fully qualified with <c>global::</c>, in a stable order.</summary>
    public static EquatableArray<string> Find(Compilation compilation, CancellationToken cancellationToken)
    {
        var registrars = new SortedSet<string>(System.StringComparer.Ordinal);
        foreach (var assembly in compilation.SourceModule.ReferencedAssemblySymbols)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var attribute in assembly.GetAttributes())
            {
                if (attribute.AttributeClass?.ToDisplayString() == AttributeReader.Extension
                    && attribute.ConstructorArguments.FirstOrDefault().Value is INamedTypeSymbol registrar
                    && registrar.DeclaredAccessibility == Accessibility.Public)
                {
                    registrars.Add(registrar.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
                }
            }
        }

        return registrars.ToEquatableArray();
    }
}
