using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using PipelineSdk.Generators;

namespace PipelineSdk.Generators.Tests.Infrastructure;

/// <summary>Compiles sources with the real PipelineSdk runtime referenced and runs the generator on them.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly ImmutableArray<MetadataReference> References =
    [
        .. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll")
            .Select(path => MetadataReference.CreateFromFile(path)),
        MetadataReference.CreateFromFile(typeof(StepAttribute).Assembly.Location),
    ];

    public static string RepoRoot => Metadata("RepoRoot");

    public static string BaselineDirectory => Metadata("BaselineDirectory");

    public static CSharpCompilation Compile(params string[] sources) =>
        Compile(sources.Select((source, i) => (source, $"Source{i}.cs")).ToArray());

    // What <ImplicitUsings>enable</ImplicitUsings> gives a console project, so sources read as in a real project.
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    public static CSharpCompilation Compile(params (string Source, string Path)[] files) =>
        CSharpCompilation.Create(
            "TestApp",
            files.Select(f => CSharpSyntaxTree.ParseText(f.Source, ParseOptions, f.Path))
                .Append(CSharpSyntaxTree.ParseText(ImplicitUsings, ParseOptions, "ImplicitUsings.cs")),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, concurrentBuild: false));

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            [new PipelineGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator; returns its result and the compilation with the generated sources added.</summary>
    public static (GeneratorRunResult Result, Compilation Output) Run(Compilation compilation)
    {
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return (driver.GetRunResult().Results.Single(), output);
    }

    /// <summary>Emits <paramref name="compilation"/> and fails with every error or warning if it does not compile cleanly.</summary>
    public static byte[] EmitClean(Compilation compilation)
    {
        using var stream = new MemoryStream();
        var emitted = compilation.Emit(stream);
        var problems = emitted.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.That(problems, Is.Empty, () => "The generated code does not compile cleanly:\n" + string.Join("\n", problems));
        Assert.That(emitted.Success, Is.True);
        return stream.ToArray();
    }

    private static string Metadata(string key) =>
        typeof(GeneratorHarness).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
