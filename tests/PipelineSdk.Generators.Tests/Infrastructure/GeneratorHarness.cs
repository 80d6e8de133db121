using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using PipelineSdk.Generators;
using PipelineSdk.Generators.Diagnostics.Analyzers;

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
        // What System.Text.Json's generated code needs besides System.*.dll from the test host.
        MetadataReference.CreateFromFile(typeof(System.Text.Encodings.Web.JavaScriptEncoder).Assembly.Location),
    ];

    /// <summary>ML.NET's assemblies (IDataView, the metrics, MLContext), for sources that use its types.</summary>
    public static readonly ImmutableArray<MetadataReference> MlNetReferences =
    [
        MetadataReference.CreateFromFile(typeof(Microsoft.ML.IDataView).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(Microsoft.ML.Data.RegressionMetrics).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(Microsoft.ML.MLContext).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(Microsoft.ML.ITransformer).Assembly.Location),
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

    /// <summary>
    /// Compiles the sources. When they declare a <c>JsonSerializerContext</c>, System.Text.Json's own source generator runs
    /// first, as in a real build, so the context's generated members exist when the generated pipeline code uses them.
    /// </summary>
    public static CSharpCompilation Compile(params (string Source, string Path)[] files)
    {
        var compilation = CSharpCompilation.Create(
            "TestApp",
            files.Select(f => CSharpSyntaxTree.ParseText(f.Source, ParseOptions, f.Path))
                .Append(CSharpSyntaxTree.ParseText(ImplicitUsings, ParseOptions, "ImplicitUsings.cs")),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, concurrentBuild: false));
        if (!files.Any(f => f.Source.Contains("JsonSerializerContext", StringComparison.Ordinal)))
        {
            return compilation;
        }

        CSharpGeneratorDriver.Create([.. JsonGenerator.Value], parseOptions: ParseOptions).RunGeneratorsAndUpdateCompilation(compilation, out var withJson, out _);
        return (CSharpCompilation)withJson;
    }

    /// <summary>System.Text.Json's source generator from the .NET reference pack this test runs on.</summary>
    private static readonly Lazy<ImmutableArray<ISourceGenerator>> JsonGenerator = new(() =>
    {
        var runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var packs = Path.GetFullPath(Path.Combine(runtime, "..", "..", "..", "packs", "Microsoft.NETCore.App.Ref"));
        var version = Directory.Exists(Path.Combine(packs, Path.GetFileName(runtime)))
            ? Path.GetFileName(runtime)
            : Directory.GetDirectories(packs, Environment.Version.Major + ".*").Select(Path.GetFileName).Max(StringComparer.Ordinal)!;
        var path = Path.Combine(packs, version, "analyzers", "dotnet", "cs", "System.Text.Json.SourceGeneration.dll");
        return new Microsoft.CodeAnalysis.Diagnostics.AnalyzerFileReference(path, new AssemblyLoader()).GetGenerators(LanguageNames.CSharp);
    });

    private sealed class AssemblyLoader : IAnalyzerAssemblyLoader
    {
        public void AddDependencyLocation(string fullPath)
        {
        }

        public Assembly LoadFromPath(string fullPath) => Assembly.LoadFrom(fullPath);
    }

    public static GeneratorDriver CreateDriver(bool trackSteps = true) =>
        CSharpGeneratorDriver.Create(
            [new PipelineGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator; returns its result and the compilation with the generated sources added.</summary>
    public static (GeneratorRunResult Result, Compilation Output) Run(Compilation compilation)
    {
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return (driver.GetRunResult().Results.Single(), output);
    }

    /// <summary>The generated files of pipelines (not of steps or container-step bodies).</summary>
    public static List<GeneratedSourceResult> PipelineSources(GeneratorRunResult result) =>
        [.. result.GeneratedSources.Where(s => !s.HintName.StartsWith("Step.", StringComparison.Ordinal) && !s.HintName.StartsWith("ContainerStep.", StringComparison.Ordinal))];

    /// <summary>Every generated file's text, one after the other: pipelines refer to the descriptors in their steps' files.</summary>
    public static string AllSources(GeneratorRunResult result) =>
        string.Join("\n", result.GeneratedSources.Select(s => s.SourceText.ToString()));

    /// <summary>The analyzers that ship beside the generator.</summary>
    public static ImmutableArray<DiagnosticAnalyzer> Analyzers { get; } = [new StepAnalyzer(), new PipelineAnalyzer()];

    /// <summary>
    /// What a build reports: runs the generator, then the analyzers over the compilation with the generated sources,
    /// as the compiler does. Analyzer exceptions are not swallowed: they fail the test.
    /// </summary>
    public static (GeneratorRunResult Result, Compilation Output, ImmutableArray<Diagnostic> Diagnostics) RunAll(Compilation compilation)
    {
        var (result, output) = Run(compilation);
        var analyzerDiagnostics = AnalyzerDiagnostics(output);
        return (result, output, [.. result.Diagnostics, .. analyzerDiagnostics]);
    }

    /// <summary>The analyzers' diagnostics, with <c>#pragma</c> and other suppressions applied as in a build.</summary>
    public static ImmutableArray<Diagnostic> AnalyzerDiagnostics(Compilation compilation)
    {
        Exception? failure = null;
        var options = new CompilationWithAnalyzersOptions(
            options: new AnalyzerOptions([]),
            onAnalyzerException: (exception, analyzer, diagnostic) => failure ??= exception,
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false,
            reportSuppressedDiagnostics: false);
        var diagnostics = compilation.WithAnalyzers(Analyzers, options).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        if (failure is not null)
        {
            throw new InvalidOperationException("An analyzer threw", failure);
        }

        return diagnostics;
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
