using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using PipelineSdk.Generators;

namespace PipelineSdk.Benchmarks.Generator;

/// <summary>
/// A generated C# project of <c>steps</c> steps in <c>steps / 5</c> pipelines, shaped like real pipeline code:
/// int, tuple, list, string and bool ports; pipeline parameters with defaults; constants; a helper class the
/// steps call (so code fingerprints follow calls); one cache setting. Pipeline <c>p</c> calls its own five steps
/// and also the first step of pipeline <c>p + 1</c>, so every <c>Load</c> step is used by exactly two pipelines.
/// </summary>
public sealed class SyntheticProject
{
    public const int StepsPerPipeline = 5;
    private const int StepsPerFile = 50;
    private const int PipelinesPerFile = 10;

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly ImmutableArray<MetadataReference> References =
    [
        .. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll")
            .Select(path => MetadataReference.CreateFromFile(path)),
        MetadataReference.CreateFromFile(typeof(StepAttribute).Assembly.Location),
    ];

    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    private const string UnrelatedSource = "namespace Synthetic;\npublic static class Unrelated\n{\n    public static int Value(int x) => x + 1;\n}\n";

    private SyntheticProject(int steps, IReadOnlyList<(string Path, string Text)> files)
    {
        Steps = steps;
        Files = files;
    }

    public int Steps { get; }

    public int Pipelines => Steps / StepsPerPipeline;

    public IReadOnlyList<(string Path, string Text)> Files { get; }

    /// <summary>The step whose body the edit-loop benchmark changes.</summary>
    public static string EditedStep => "Load0";

    /// <summary>How many pipelines call <see cref="EditedStep"/>: its own and the one before it (the last pipeline's next is the first).</summary>
    public static int PipelinesUsingEditedStep => 2;

    public static SyntheticProject Create(int steps)
    {
        if (steps % StepsPerPipeline != 0 || steps < StepsPerPipeline)
        {
            throw new ArgumentOutOfRangeException(nameof(steps), $"must be a positive multiple of {StepsPerPipeline}");
        }

        var files = new List<(string, string)>
        {
            ("Helpers.cs", """
                namespace Synthetic;
                public static class Helpers
                {
                    public static int Mix(int seed, int salt) => unchecked(seed * 31 + salt);
                    public static double Spread(double mean) => Math.Sqrt(Math.Abs(mean)) + Offset;
                    private const double Offset = 0.5;
                }
                """),
            ("Unrelated.cs", UnrelatedSource),
            ("ImplicitUsings.cs", ImplicitUsings),
        };

        for (var first = 0; first < steps; first += StepsPerFile)
        {
            var text = new StringBuilder("using PipelineSdk;\nnamespace Synthetic;\n\npublic static class ").Append(StepClass(first)).Append("\n{\n");
            for (var i = first; i < Math.Min(first + StepsPerFile, steps); i++)
            {
                text.Append(StepSource(i));
            }

            files.Add(($"{StepClass(first)}.cs", text.Append("}\n").ToString()));
        }

        var pipelines = steps / StepsPerPipeline;
        for (var first = 0; first < pipelines; first += PipelinesPerFile)
        {
            var text = new StringBuilder("using PipelineSdk;\nnamespace Synthetic;\n\npublic static class Flows").Append(first / PipelinesPerFile).Append("\n{\n");
            for (var p = first; p < Math.Min(first + PipelinesPerFile, pipelines); p++)
            {
                text.Append(PipelineSource(p, pipelines));
            }

            files.Add(($"Flows{first / PipelinesPerFile}.cs", text.Append("}\n").ToString()));
        }

        return new SyntheticProject(steps, files);
    }

    public ImmutableArray<SyntaxTree> Parse() => [.. Files.Select(f => CSharpSyntaxTree.ParseText(f.Text, ParseOptions, f.Path))];

    public static CSharpCompilation Compile(IEnumerable<SyntaxTree> trees) =>
        CSharpCompilation.Create(
            "SyntheticPipelines",
            trees,
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, optimizationLevel: OptimizationLevel.Release));

    public static GeneratorDriver CreateDriver(bool trackSteps = false) =>
        CSharpGeneratorDriver.Create(
            [new PipelineGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Emits to memory, as the compiler would write the assembly; returns its size.</summary>
    public static long Emit(Compilation compilation)
    {
        using var assembly = new MemoryStream();
        var result = compilation.Emit(assembly);
        if (!result.Success)
        {
            throw new InvalidOperationException("The synthetic project does not compile: " + string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(5)));
        }

        return assembly.Length;
    }

    /// <summary>The compilation with <c>Unrelated.cs</c> edited (a method body no step uses).</summary>
    public static Compilation WithUnrelatedEdit(Compilation compilation) =>
        Replace(compilation, "Unrelated.cs", text => text.Replace("x + 1", "x + 2", StringComparison.Ordinal));

    /// <summary>The compilation with the body of <see cref="EditedStep"/> edited.</summary>
    public static Compilation WithStepBodyEdit(Compilation compilation) =>
        Replace(compilation, $"{StepClass(0)}.cs", text => text.Replace("Load0(int seed) => Helpers.Mix(seed, 0);", "Load0(int seed) => Helpers.Mix(seed, 0) + 1;", StringComparison.Ordinal));

    private static Compilation Replace(Compilation compilation, string path, Func<string, string> edit)
    {
        var old = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        var text = old.GetText().ToString();
        var edited = edit(text);
        if (edited == text)
        {
            throw new InvalidOperationException($"The edit of {path} changed nothing.");
        }

        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(edited, ParseOptions, path));
    }

    private static string StepClass(int step) => $"Steps{step / StepsPerFile}";

    private static string Call(int step, string name) => $"{StepClass(step)}.{name}{step}";

    private static string StepSource(int i) => (i % StepsPerPipeline) switch
    {
        0 => $"    [Step] public static int Load{i}(int seed) => Helpers.Mix(seed, {i});\n",
        1 => $"    [Step] public static (double Mean, double Spread) Stats{i}(int value)\n    {{\n        var mean = value * 0.5;\n        return (mean, Helpers.Spread(mean));\n    }}\n",
        2 => $"    [Step] public static List<double> Scale{i}(double mean, double spread) => new() {{ mean / (spread + 1), spread * {i} }};\n",
        3 => $"    [Step(EnableCache = false)] public static string Describe{i}(List<double> values, string label) => label + \":\" + values.Count;\n",
        _ => $"    [Step] public static bool Check{i}(string text, int limit) => text.Length < limit;\n",
    };

    private static string PipelineSource(int p, int pipelines)
    {
        var first = p * StepsPerPipeline;
        var next = (p + 1) % pipelines * StepsPerPipeline;
        return $$"""
                [Pipeline]
                public static void Pipeline{{p}}(int seed = {{p}}, string label = "p{{p}}")
                {
                    var loaded = {{Call(first, "Load")}}(seed);
                    {{(next == first ? "" : Call(next, "Load") + "(seed);")}}
                    var (mean, spread) = {{Call(first + 1, "Stats")}}(loaded);
                    var scaled = {{Call(first + 2, "Scale")}}(mean, spread);
                    var text = {{Call(first + 3, "Describe")}}(scaled, label);
                    {{Call(first + 4, "Check")}}(text, 100);
                }

            """;
    }
}
