using System.Collections.Immutable;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using PipelineSdk.Benchmarks.Infrastructure;
using static PipelineSdk.Generators.PipelineGenerator;

namespace PipelineSdk.Benchmarks.Generator;

/// <summary>
/// Issue 9, target 1. The cost of the generator on synthetic projects of 100, 500 and 2,000 steps (20, 100 and
/// 400 pipelines), against compiling the same code with the generator off (parse, bind, emit to memory); and the
/// edit loop: the generator re-run after an unrelated edit and after one step body changed, starting from a driver
/// that has seen the project before, as in an IDE or an incremental build.
/// </summary>
public class GeneratorBenchmarks
{
    // BenchmarkDotNet runs the global setup once per benchmark case; the project of a size is prepared once.
    private static readonly Dictionary<int, Prepared> PreparedBySteps = [];

    private SyntheticProject _project = null!;
    private ImmutableArray<SyntaxTree> _trees;
    private Compilation _compiled = null!;
    private GeneratorDriver _warmDriver = null!;
    private Compilation _input = null!;

    public static IEnumerable<int> StepCounts => Suite.Smoke ? [100] : [100, 500, 2000];

    [ParamsSource(nameof(StepCounts))]
    public int Steps { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (PreparedBySteps.TryGetValue(Steps, out var prepared))
        {
            (_project, _trees, _compiled, _warmDriver) = prepared;
            return;
        }

        _project = SyntheticProject.Create(Steps);
        _trees = _project.Parse();
        _compiled = SyntheticProject.Compile(_trees);
        CheckGeneratedCodeCompiles();
        _warmDriver = SyntheticProject.CreateDriver().RunGenerators(_compiled);
        RecordWhatEditsRegenerate();
        PreparedBySteps[Steps] = new Prepared(_project, _trees, _compiled, _warmDriver);
    }

    [IterationSetup(Target = nameof(GeneratorColdRun))]
    public void FreshCompilation() => _input = SyntheticProject.Compile(_trees);

    [IterationSetup(Target = nameof(EditLoopUnrelatedEdit))]
    public void UnrelatedEdit() => _input = SyntheticProject.WithUnrelatedEdit(_compiled);

    [IterationSetup(Target = nameof(EditLoopStepBodyEdit))]
    public void StepBodyEdit() => _input = SyntheticProject.WithStepBodyEdit(_compiled);

    [Benchmark(Baseline = true, Description = "compile, generator off")]
    public long CompileWithoutGenerator() => SyntheticProject.Emit(SyntheticProject.Compile(_project.Parse()));

    [Benchmark(Description = "compile, generator on")]
    public long CompileWithGenerator()
    {
        SyntheticProject.CreateDriver().RunGeneratorsAndUpdateCompilation(SyntheticProject.Compile(_project.Parse()), out var output, out _);
        return SyntheticProject.Emit(output);
    }

    [Benchmark(Description = "generator alone, cold")]
    public GeneratorDriver GeneratorColdRun() => SyntheticProject.CreateDriver().RunGenerators(_input);

    [Benchmark(Description = "edit loop: unrelated edit")]
    public GeneratorDriver EditLoopUnrelatedEdit() => _warmDriver.RunGenerators(_input);

    [Benchmark(Description = "edit loop: one step body edited")]
    public GeneratorDriver EditLoopStepBodyEdit() => _warmDriver.RunGenerators(_input);

    private void CheckGeneratedCodeCompiles()
    {
        var driver = SyntheticProject.CreateDriver().RunGeneratorsAndUpdateCompilation(_compiled, out var output, out var diagnostics);
        // A file per pipeline and a file per step (its descriptor, which every pipeline calling it refers to).
        var generated = driver.GetRunResult().GeneratedTrees.Length;
        if (diagnostics.Any(d => d.Severity >= DiagnosticSeverity.Warning) || generated != _project.Pipelines + _project.Steps)
        {
            throw new InvalidOperationException($"The generator made {generated} files for {_project.Pipelines} pipelines and {_project.Steps} steps: " + string.Join("\n", diagnostics.Take(5)));
        }

        var userCode = _project.Files.Sum(f => (long)f.Text.Length);
        var generatedCode = driver.GetRunResult().GeneratedTrees.Sum(t => (long)t.Length);
        var assembly = SyntheticProject.Emit(output);
        Findings.Record($"generator.size.{Steps}", $"{userCode / 1024.0:N0} KiB of C# in, {generatedCode / 1024.0:N0} KiB generated ({generatedCode / (double)userCode:0.0}×), a {assembly / 1024.0:N0} KiB assembly");
        Findings.Record($"generator.size-ratio.{Steps}", (generatedCode / (double)userCode).ToString("R", CultureInfo.InvariantCulture));
    }

    /// <summary>Which outputs re-ran after each edit, from the driver's tracked step run reasons.</summary>
    private void RecordWhatEditsRegenerate()
    {
        var tracked = SyntheticProject.CreateDriver(trackSteps: true).RunGenerators(_compiled);
        Findings.Record($"generator.unrelated.{Steps}", Describe(tracked.RunGenerators(SyntheticProject.WithUnrelatedEdit(_compiled)), expectedSteps: 0));
        var afterStepEdit = tracked.RunGenerators(SyntheticProject.WithStepBodyEdit(_compiled));
        Findings.Record($"generator.step-body.{Steps}", Describe(afterStepEdit, expectedSteps: 1));
        var reparsed = Count(afterStepEdit.GetRunResult().Results.Single(), TrackingNames.Pipelines, IncrementalStepRunReason.New, IncrementalStepRunReason.Modified, IncrementalStepRunReason.Unchanged);
        Findings.Record($"generator.step-body-reparsed-only-users.{Steps}", (reparsed <= SyntheticProject.PipelinesUsingEditedStep).ToString());
    }

    /// <summary>
    /// Pipelines and steps regenerated (no pipeline is expected to: a step's fingerprint lives in its own file), and how many
    /// transforms re-ran: Roslyn re-runs every transform that reads a semantic model after any edit, so the parse and
    /// fingerprint stages re-run for all and only their unchanged results keep the later stages from running.
    /// </summary>
    private string Describe(GeneratorDriver driver, int expectedSteps)
    {
        var result = driver.GetRunResult().Results.Single();
        var regenerated = Count(result, TrackingNames.Outputs, IncrementalStepRunReason.New, IncrementalStepRunReason.Modified);
        var steps = Count(result, TrackingNames.Steps, IncrementalStepRunReason.New, IncrementalStepRunReason.Modified);
        var reparsed = Count(result, TrackingNames.Pipelines, IncrementalStepRunReason.New, IncrementalStepRunReason.Modified, IncrementalStepRunReason.Unchanged);
        var refingerprinted = Count(result, TrackingNames.Steps, IncrementalStepRunReason.New, IncrementalStepRunReason.Modified, IncrementalStepRunReason.Unchanged);
        var asExpected = regenerated == 0 && steps == expectedSteps;
        return $"{regenerated} of {_project.Pipelines} pipelines and {steps} of {_project.Steps} step files regenerated (expected 0 and {expectedSteps}){(asExpected ? "" : " — NOT AS EXPECTED")}; "
            + $"the parse stage re-ran for {reparsed} of {_project.Pipelines}, the step stage for {refingerprinted} of {_project.Steps}";
    }

    private sealed record Prepared(SyntheticProject Project, ImmutableArray<SyntaxTree> Trees, Compilation Compiled, GeneratorDriver WarmDriver);

    private static int Count(GeneratorRunResult result, string stage, params IncrementalStepRunReason[] reasons) =>
        result.TrackedSteps.TryGetValue(stage, out var steps)
            ? steps.SelectMany(s => s.Outputs).Count(o => reasons.Contains(o.Reason))
            : 0;
}
