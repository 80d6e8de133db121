using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using PipelineSdk.Generators.Tests.Infrastructure;

namespace PipelineSdk.Generators.Tests;

/// <summary>
/// Mutates valid pipeline sources thousands of times (delete, duplicate or swap tokens, truncate files, random edits
/// inside pipeline bodies) and checks that neither the generator nor the analyzers throw, that every PipelineSdk
/// diagnostic points into the source, and that generated code compiles whenever the user's code does.
/// The seed is fixed so a failure reproduces; PIPELINESDK_FUZZ_SEED and PIPELINESDK_FUZZ_COUNT explore further.
/// </summary>
public class FuzzTests
{
    private const int DefaultSeed = 20261124;
    private const int DefaultMutations = 2000;

    /// <summary>Uses the constructs the seeds do not: loops, conditions, named arguments, calls between pipelines.</summary>
    private const string ControlFlow = """
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using PipelineSdk;

        namespace Fuzz.Flow;

        public static class Flow
        {
            [Step] public static List<int> Items(int count) => new() { count };
            [Step] public static (int Good, string Label) Score(int item) => (item, "x");
            [Step(Name = "report-it", EnableCache = false)] public static void Report(string label, int good = 3) { }
            [Step] public static async Task<bool> Check(double threshold) { await Task.Yield(); return threshold > 0.5; }

            [Pipeline(Name = "flow")]
            public static async Task FlowPipeline(List<int> extra, int count = 3, double threshold = 0.5, string prefix = "p")
            {
                var items = Items(count);
                var (good, label) = Score(count);
                var scored = Score(good);
                Report(label, scored.Good);
                Report(good: 1, label: prefix);
                var ok = await Check(threshold);
                foreach (var item in items) { Report(prefix, item); }
                if (ok && good > 2 || label == "x") { Report(label); } else if (!ok) { Report(prefix); }
                Other();
            }

            [Pipeline] public static void Other() => Report("other");
        }
        """;

    private static readonly string[] Snippets =
    [
        "(", ")", ";", "{", "}", ",", ".", "=", "=>", "+ 1", "* 2", "!", "&&", "?", ":", "await ", "var z = ", "return ", "new[] { 1, 2 }",
        "null", "default", "\"text\"", "$\"{count}\"", "1.5", "double.NaN", "out var q", "ref ", "in ", "params ", "static ", "async ",
        "if (count > 1) ", "else ", "foreach (var i in items) ", "while (true) ", "x => x", "typeof(int)", "nameof(count)", "[Step] ",
        "[Pipeline] ", "GetFirstNum()", "Split(1)", "Items(3)", "Other()", "FlowPipeline(null)", "VertexExamplePipeline()", "Report(", "Add(",
        "_ = ", "(a, b) = ", "goto end; end: ", "lock (this) ", "using (null) ", "throw null;", "System.Console.WriteLine(", "checked(",
    ];

    [Test]
    public void Generator_and_analyzers_survive_mutated_pipelines()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("PIPELINESDK_FUZZ_SEED"), CultureInfo.InvariantCulture, out var s) ? s : DefaultSeed;
        var count = int.TryParse(Environment.GetEnvironmentVariable("PIPELINESDK_FUZZ_COUNT"), CultureInfo.InvariantCulture, out var c) ? c : DefaultMutations;
        var sources = new (string Path, string Text)[]
        {
            ("QuickStart.cs", Scenarios.QuickStart),
            ("ParametersAndConstants.cs", Scenarios.ParametersAndConstants),
            ("TuplesAndAsync.cs", Scenarios.TuplesAndAsync),
            ("CacheSettings.cs", Scenarios.CacheSettings),
            ("Artifacts.cs", Scenarios.Artifacts),
            ("ControlFlow.cs", ControlFlow),
        };

        // One small compilation per seed file (with only the references they need), so each run re-reads only that file's pipelines.
        var references = GeneratorHarness.Compile("").References.Where(r => Path.GetFileNameWithoutExtension(r.Display) is
            "System.Private.CoreLib" or "System.Runtime" or "System.Collections" or "System.Linq" or "System.Console" or "System.Threading"
            or "System.Threading.Tasks" or "netstandard" or "mscorlib" or "System.Memory" or "System.Text.Json" or "System.Text.Encodings.Web" or "System.IO.FileSystem" or "PipelineSdk").ToList();
        var baselines = sources.ToDictionary(f => f.Path, f => GeneratorHarness.Compile((f.Text, f.Path)).WithReferences(references));
        foreach (var baseline in baselines.Values)
        {
            Assert.That(baseline.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error), Is.Empty);
        }

        // Two workers with their own random streams and drivers: deterministic, and both cores busy.
        var stopwatch = Stopwatch.StartNew();
        var outcomes = new Outcome[Workers];
        Parallel.For(0, Workers, new ParallelOptions { MaxDegreeOfParallelism = Workers }, worker =>
            outcomes[worker] = Run(new Random(seed + worker), count / Workers + (worker < count % Workers ? 1 : 0), sources, baselines));

        var failures = outcomes.SelectMany(o => o.Failures).ToList();
        var generatedChecked = outcomes.Sum(o => o.GeneratedChecked);
        TestContext.Out.WriteLine($"{outcomes.Sum(o => o.Mutations)} mutations (seed {seed}) in {stopwatch.Elapsed.TotalSeconds:F1} s; the generated code was compiled for {generatedChecked} of them");
        Assert.That(failures, Is.Empty, () => string.Join("\n\n", failures));
        Assert.That(outcomes.Sum(o => o.Mutations), Is.EqualTo(count));
        Assert.That(generatedChecked, Is.GreaterThan(count / 100), "too few mutations kept the code compiling to check the generated code");
    }

    private const int Workers = 2;

    private sealed record Outcome(int Mutations, int GeneratedChecked, List<string> Failures);

    private static Outcome Run(Random random, int count, (string Path, string Text)[] sources, Dictionary<string, CSharpCompilation> baselines)
    {
        var drivers = sources.ToDictionary(f => f.Path, _ => GeneratorHarness.CreateDriver(trackSteps: false));
        var failures = new List<string>();
        var generatedChecked = 0;
        var mutations = 0;
        for (; mutations < count && failures.Count < 5; mutations++)
        {
            var (path, original) = sources[random.Next(sources.Length)];
            var text = original;
            var steps = 1 + random.Next(3);
            for (var step = 0; step < steps; step++)
            {
                text = Mutate(text, random);
            }

            var baseline = baselines[path];
            var newTree = CSharpSyntaxTree.ParseText(text, GeneratorHarness.ParseOptions, path);
            var compilation = baseline.ReplaceSyntaxTree(baseline.SyntaxTrees.Single(t => t.FilePath == path), newTree);
            try
            {
                var driver = drivers[path] = drivers[path].RunGeneratorsAndUpdateCompilation(compilation, out var output, out var driverDiagnostics);
                var run = driver.GetRunResult().Results.Single();
                var analyzerFailures = new List<Exception>();
                var analyzers = output.WithAnalyzers(GeneratorHarness.Analyzers, new CompilationWithAnalyzersOptions(
                    new AnalyzerOptions([]), (e, _, _) => { lock (analyzerFailures) { analyzerFailures.Add(e); } }, concurrentAnalysis: false, logAnalyzerExecutionTime: false));
                var analyzerDiagnostics = analyzers.GetAnalyzerSemanticDiagnosticsAsync(output.GetSemanticModel(newTree), null, CancellationToken.None).GetAwaiter().GetResult();

                var problems = new List<string>();
                if (run.Exception is not null)
                {
                    problems.Add("generator threw " + run.Exception);
                }

                problems.AddRange(analyzerFailures.Select(e => "analyzer threw " + e));
                var all = driverDiagnostics.Concat(run.Diagnostics).Concat(analyzerDiagnostics).ToList();
                problems.AddRange(all.Where(d => d.Id is "CS8785" or "AD0001" or "PSDK0999").Select(d => "reported " + d));
                problems.AddRange(all.Where(d => d.Id.StartsWith("PSDK", StringComparison.Ordinal) && !(d.Location.IsInSource && output.ContainsSyntaxTree(d.Location.SourceTree!)))
                    .Select(d => "diagnostic without a source location: " + d));

                // When the user's code compiles, the generated code must compile too, without warnings.
                if (run.GeneratedSources.Length > 0 && CompilesCleanly(compilation, newTree))
                {
                    generatedChecked++;
                    foreach (var generated in run.GeneratedSources)
                    {
                        var tree = output.SyntaxTrees.Single(t => t.FilePath.EndsWith(generated.HintName, StringComparison.Ordinal));
                        problems.AddRange(output.GetSemanticModel(tree).GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => "generated code: " + d));
                    }
                }

                if (problems.Count > 0)
                {
                    failures.Add($"Mutation {mutations} of {path}:\n{string.Join("\n", problems.Take(3))}\n--- source ---\n{text}");
                }
            }
            catch (Exception e)
            {
                failures.Add($"Mutation {mutations} of {path} threw {e}\n--- source ---\n{text}");
            }
        }

        return new Outcome(mutations, generatedChecked, failures);
    }

    /// <summary>Whether the user's code compiles; only the mutated file can have errors, the implicit usings cannot.</summary>
    private static bool CompilesCleanly(Compilation compilation, SyntaxTree mutated) =>
        !mutated.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error)
        && !compilation.GetSemanticModel(mutated).GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error);

    private static string Mutate(string text, Random random)
    {
        if (text.Length == 0)
        {
            return text;
        }

        var root = CSharpSyntaxTree.ParseText(text, GeneratorHarness.ParseOptions).GetRoot();
        var tokens = root.DescendantTokens().Where(t => t.Span.Length > 0).ToList();
        var bodies = root.DescendantNodes().OfType<MethodDeclarationSyntax>()
            .Where(m => m.AttributeLists.ToString().Contains("Pipeline", StringComparison.Ordinal))
            .Select(m => (SyntaxNode?)m.Body ?? m.ExpressionBody)
            .Where(b => b is not null)
            .Select(b => b!.Span)
            .ToList();
        if (tokens.Count == 0)
        {
            return text;
        }

        switch (random.Next(8))
        {
            case 0:
            {
                var token = tokens[random.Next(tokens.Count)];
                return text.Remove(token.SpanStart, token.Span.Length);
            }

            case 1:
            {
                var token = tokens[random.Next(tokens.Count)];
                return text.Insert(token.Span.End, " " + token.Text);
            }

            case 2:
            {
                var first = random.Next(tokens.Count);
                var second = random.Next(2) == 0 ? Math.Min(first + 1, tokens.Count - 1) : random.Next(tokens.Count);
                var (a, b) = first <= second ? (tokens[first], tokens[second]) : (tokens[second], tokens[first]);
                if (a.Span == b.Span)
                {
                    return text;
                }

                return text[..a.SpanStart] + b.Text + text[a.Span.End..b.SpanStart] + a.Text + text[b.Span.End..];
            }

            case 3:
                return text[..random.Next(text.Length)];
            default:
            {
                var span = bodies.Count > 0 ? bodies[random.Next(bodies.Count)] : new TextSpan(0, text.Length);
                var position = span.Start + random.Next(span.Length + 1);
                switch (random.Next(3))
                {
                    case 0:
                        return text.Insert(position, " " + Snippets[random.Next(Snippets.Length)] + " ");
                    case 1:
                        return text.Remove(position, Math.Min(1 + random.Next(20), span.End - position));
                    default:
                        var inBody = tokens.Where(t => span.Contains(t.Span) && t.IsKind(SyntaxKind.IdentifierToken)).ToList();
                        var identifiers = tokens.Where(t => t.IsKind(SyntaxKind.IdentifierToken)).Select(t => t.Text).Distinct().ToList();
                        if (inBody.Count == 0)
                        {
                            return text;
                        }

                        var target = inBody[random.Next(inBody.Count)];
                        return text[..target.SpanStart] + identifiers[random.Next(identifiers.Count)] + text[target.Span.End..];
                }
            }
        }
    }
}
