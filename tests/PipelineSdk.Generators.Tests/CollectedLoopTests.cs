using System.Text.Json.Nodes;
using PipelineSdk.Generators.Tests.Infrastructure;

namespace PipelineSdk.Generators.Tests;

/// <summary>
/// Issue 15 item 6: a loop over artifacts an earlier loop collected is an <c>artifactIterator</c>, as the KFP compiler
/// writes a ParallelFor over a <c>List[Artifact]</c> (pipeline_with_parallelfor_list_artifacts.yaml); a loop over a
/// collected parameter list is a <c>parameterIterator</c>.
/// </summary>
public class CollectedLoopTests
{
    public const string Source = """
        using System.Collections.Generic;
        using PipelineSdk;
        using PipelineSdk.Artifacts;

        namespace Demo.Fanning;

        public static class Fan
        {
            [Step] public static Artifact MakeArtifact(string data) => new();
            [Step] public static string PrintArtifactName(Artifact artifact) => artifact.Uri ?? "";
            [Step] public static int Size(string name) => name.Length;

            [Pipeline]
            public static void ArtifactLoops(List<string> texts)
            {
                var artifacts = new List<Artifact>();
                foreach (var text in texts)
                {
                    artifacts.Add(MakeArtifact(text));
                }

                var names = new List<string>();
                foreach (var item in artifacts)
                {
                    names.Add(PrintArtifactName(item));
                }

                foreach (var name in names)
                {
                    Size(name);
                }
            }
        }
        """;

    [Test]
    public void Generated_sources_and_spec_match_the_approved_files() =>
        ScenarioAssertions.MatchesApprovedFiles("CollectedLoops", Source);

    [Test]
    public void A_loop_over_collected_artifacts_is_an_artifact_iterator_as_KFP_compiles_it()
    {
        var (_, output) = GeneratorHarness.Run(GeneratorHarness.Compile(Source));
        var spec = JsonNode.Parse(GeneratorOutputTests.ReadSpecs(GeneratorHarness.EmitClean(output))["artifact-loops"])!;
        var root = spec["root"]!["dag"]!["tasks"]!;

        var loop = root["for-loop-2"]!;
        Assert.That(loop["artifactIterator"]!.ToJsonString(), Is.EqualTo("""{"itemInput":"pipelinechannel--make-artifact-Output-loop-item","items":{"inputArtifact":"pipelinechannel--make-artifact-Output"}}"""));
        Assert.That(loop["parameterIterator"], Is.Null);
        Assert.That(loop["dependentTasks"]!.AsArray().Select(d => d!.GetValue<string>()), Is.EqualTo(new[] { "for-loop-1" }));
        Assert.That(loop["inputs"]!["artifacts"]!["pipelinechannel--make-artifact-Output"]!["taskOutputArtifact"]!.ToJsonString(),
            Is.EqualTo("""{"outputArtifactKey":"pipelinechannel--make-artifact-Output","producerTask":"for-loop-1"}"""));
        var inputs = spec["components"]!["comp-for-loop-2"]!["inputDefinitions"]!["artifacts"]!;
        Assert.That(inputs["pipelinechannel--make-artifact-Output"]!["isArtifactList"]!.GetValue<bool>(), Is.True);
        Assert.That(inputs["pipelinechannel--make-artifact-Output-loop-item"]!.ToJsonString(), Is.EqualTo("""{"artifactType":{"schemaTitle":"system.Artifact","schemaVersion":"0.0.1"}}"""));
        Assert.That(spec["components"]!["comp-for-loop-2"]!["dag"]!["tasks"]!["print-artifact-name"]!["inputs"]!["artifacts"]!["artifact"]!["componentInputArtifact"]!.GetValue<string>(),
            Is.EqualTo("pipelinechannel--make-artifact-Output-loop-item"));

        Assert.That(root["for-loop-3"]!["parameterIterator"]!["items"]!["inputParameter"]!.GetValue<string>(), Is.EqualTo("pipelinechannel--print-artifact-name-Output"));
    }

    private const string Header = """
        using PipelineSdk;
        using PipelineSdk.Artifacts;
        public static class C
        {
            [Step] public static Model Train(int x) => new();
            [Step] public static int Score(Model m) => 1;
            [Pipeline] public static List<Model> Many() { var all = new List<Model>(); foreach (var i in new[] { 1, 2 }) { all.Add(Train(i)); } return all; }

        """;

    private static IEnumerable<TestCaseData> Misuses()
    {
        TestCaseData Case(string what, string body) => new TestCaseData("PSDK0015", Header + "[Pipeline] public static void P() { " + body + " } }").SetName($"PSDK0015 loop over {what}");

        yield return Case("a called pipeline's artifact list", "var models = Many(); foreach (var m in [|models|]) { Score(m); }");
        yield return Case("a collecting list inside the loop that fills it", "var all = new List<Model>(); foreach (var i in new[] { 1 }) { all.Add(Train(i)); foreach (var m in [|all|]) { Score(m); } }");
        yield return Case("a collecting list before its loop", "var all = new List<Model>(); foreach (var m in [|all|]) { Score(m); } foreach (var i in new[] { 1 }) { all.Add(Train(i)); }");
    }

    [TestCaseSource(nameof(Misuses))]
    public void Misuse_is_one_diagnostic_at_the_marked_span(string id, string markedSource) =>
        ScenarioAssertions.ErrorsAreExactlyAtTheMarkedSpans(id, markedSource);

    [Test]
    public void A_list_of_artifacts_is_never_called_not_a_list()
    {
        var (_, _, diagnostics) = GeneratorHarness.RunAll(GeneratorHarness.Compile(
            Header + "[Pipeline] public static void P() { var models = Many(); foreach (var m in models) { Score(m); } } }"));

        var message = diagnostics.Single(d => d.Id == "PSDK0015").GetMessage();
        Assert.That(message, Does.Not.Contain("not a list"));
        Assert.That(message, Does.Contain("a list of artifacts a called pipeline returns"));
    }
}
