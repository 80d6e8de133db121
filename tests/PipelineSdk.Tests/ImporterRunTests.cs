using PipelineSdk.Artifacts;
using PipelineSdk.Orchestration;
using PipelineSdk.Store;

namespace PipelineSdk.Tests;

/// <summary>
/// Importers in both local orchestrators, run by the real program (tests/PipelineSdk.Tests.ControlFlowApp,
/// <c>ImporterPipelines</c>): the imported file is the artifact, where it is; <c>reimport: false</c> reuses the artifact while
/// its content is unchanged, <c>reimport: true</c> records a new one each run; a missing path fails in one line.
/// </summary>
public class ImporterRunTests
{
    [TestCase(OrchestratorFlavors.Local)]
    [TestCase(OrchestratorFlavors.LocalProcess)]
    public async Task An_imported_file_is_the_artifact_reused_while_unchanged_and_reimported_when_asked(string orchestrator)
    {
        using var temp = new TempStore();
        var data = Path.Combine(temp.Path, "outside the store", "data.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(data)!);
        File.WriteAllText(data, "a\nb\n");

        var first = await RunAsync(temp, orchestrator, data);
        var imported = Output(temp, first["importer"], "artifact");
        Assert.That(first["importer"].Status, Is.EqualTo(StepStatus.Completed));
        Assert.That(imported.Uri, Is.EqualTo(new Uri(data).AbsoluteUri), "the file itself, not a copy");
        Assert.That(imported.KfpType, Is.EqualTo("system.Dataset"));
        Assert.That(imported.MetadataJson, Is.EqualTo("{\"source\":\"test\"}"));
        Assert.That(imported.ContentHash, Is.EqualTo(ArtifactFiles.Hash(data)));
        Assert.That(Text(temp, first["summarize"]), Is.EqualTo("a\nb|test"));
        Assert.That(Text(temp, first["count-lines"]), Is.EqualTo("2"));
        Assert.That(Output(temp, first["importer-2"], "artifact").Id, Is.Not.EqualTo(imported.Id));
        using (var store = temp.Open())
        {
            Assert.That(store.GetConsumers(imported.Id).Select(c => c.TaskKey), Is.EqualTo(new[] { "summarize" }), "lineage: the step that read it");
        }

        var second = await RunAsync(temp, orchestrator, data);
        Assert.That(second["importer"].Status, Is.EqualTo(StepStatus.Cached), "reimport: false, same URI and content");
        Assert.That(Output(temp, second["importer"], "artifact").Id, Is.EqualTo(imported.Id), "the same artifact record");
        Assert.That(second["importer-2"].Status, Is.EqualTo(StepStatus.Completed), "reimport: true");
        Assert.That(Output(temp, second["importer-2"], "artifact").Id, Is.Not.EqualTo(Output(temp, first["importer-2"], "artifact").Id));
        Assert.That(second["count-lines"].Status, Is.EqualTo(StepStatus.Cached), "a new record of the same content is a cache hit for its reader");

        File.WriteAllText(data, "a\nb\nc\n");
        var plan = await ExampleProgram.ControlFlowApp.RunAsync(temp, "run", "import-pipeline", "--param", "data=" + data, "--orchestrator", orchestrator, "--dry-run", "--output", "json");
        Assert.That(plan.Exit, Is.EqualTo(0), plan.Error + plan.Output);
        var forecasts = System.Text.Json.JsonDocument.Parse(plan.Output).RootElement.GetProperty("tasks").EnumerateArray()
            .ToDictionary(t => t.GetProperty("task").GetString()!, t => (Forecast: t.GetProperty("forecast").GetString(), Reason: t.GetProperty("reason").GetString()));
        Assert.That(forecasts["importer"].Forecast, Is.EqualTo("runs"), "a dry run hashes the content too");
        Assert.That(forecasts["summarize"], Is.EqualTo(("runs", forecasts["summarize"].Reason)));
        Assert.That(forecasts["summarize"].Reason, Does.Contain("input 'data' changed"), "the step after it is predicted from the new content");

        var third = await RunAsync(temp, orchestrator, data);
        Assert.That(third["importer"].Status, Is.EqualTo(StepStatus.Completed), "the content changed");
        Assert.That(Output(temp, third["importer"], "artifact").Id, Is.Not.EqualTo(imported.Id));
        Assert.That(third["summarize"].Status, Is.EqualTo(StepStatus.Completed));
        Assert.That(Text(temp, third["summarize"]), Is.EqualTo("a\nb\nc|test"));
        Assert.That(File.ReadAllText(data), Is.EqualTo("a\nb\nc\n"), "the imported file is left as it is");
    }

    [TestCase(OrchestratorFlavors.Local)]
    [TestCase(OrchestratorFlavors.LocalProcess)]
    public async Task A_path_that_does_not_exist_fails_the_importer_in_one_line_naming_it(string orchestrator)
    {
        using var temp = new TempStore();
        var missing = Path.Combine(temp.Path, "nowhere", "data.csv");

        var result = await ExampleProgram.ControlFlowApp.RunAsync(temp, "run", "import-pipeline", "--param", "data=" + missing, "--orchestrator", orchestrator, "--output", "json");

        Assert.That(result.Exit, Is.EqualTo(1), result.Error + result.Output);
        var error = $"nothing to import at {missing}: no such file or folder";
        Assert.That(result.Output, Does.Contain(error));
        Assert.That(result.Output + result.Error, Does.Not.Contain("   at "), "no stack trace");
        using var store = temp.Open();
        var steps = store.GetStepRuns(store.ListRuns().Single().Id).ToDictionary(s => s.TaskKey);
        Assert.That(steps["importer"].Status, Is.EqualTo(StepStatus.Failed));
        Assert.That(steps["importer"].Error, Does.StartWith(error));
        Assert.That(steps["summarize"].Status, Is.EqualTo(StepStatus.NotRun));
    }

    private static async Task<Dictionary<string, StepRunRecord>> RunAsync(TempStore temp, string orchestrator, string data)
    {
        var result = await ExampleProgram.ControlFlowApp.RunAsync(temp, "run", "import-pipeline", "--param", "data=" + data, "--orchestrator", orchestrator);
        Assert.That(result.Exit, Is.EqualTo(0), result.Error + result.Output);
        using var store = temp.Open();
        var run = store.ListRuns().OrderBy(r => r.StartedAt).Last();
        return store.GetStepRuns(run.Id).ToDictionary(s => s.TaskKey);
    }

    private static ArtifactRecord Output(TempStore temp, StepRunRecord step, string name)
    {
        using var store = temp.Open();
        return store.GetOutputs(step.Id)[name];
    }

    private static string Text(TempStore temp, StepRunRecord step)
    {
        using var store = temp.Open();
        return File.ReadAllText(LocalArtifactStore.LocalPath(store.GetOutputs(step.CachedFrom ?? step.Id)["Output"].Uri)).Trim('"').Replace("\\n", "\n", StringComparison.Ordinal);
    }
}
