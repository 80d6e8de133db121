using System.Text.Json;
using PipelineSdk.Execution;
using PipelineSdk.Server.Tests.Fixtures;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Server.Tests;

/// <summary>
/// A step that logs metadata, run the way a Vertex AI container runs it (step mode, the launcher's run and task names, the
/// server's URL and a token in its environment): it records its run, step run and artifact metadata on a real server.
/// </summary>
public sealed class LiveMetadataTests
{
    [Test]
    public async Task A_step_in_a_container_records_what_it_logged_on_the_team_server()
    {
        await using var server = await TestServer.StartAsync();
        var mount = Directory.CreateTempSubdirectory("psdk-live-gcs-").FullName;
        var home = Directory.CreateTempSubdirectory("psdk-live-home-").FullName;
        try
        {
            var result = await ProcessResult.RunAsync("dotnet", [Machines.Metadata("ArtifactsAppDll"), "step", "--pipeline", "scored-pipeline", "--step", "train-scored",
                "--run", "projects/p/locations/l/pipelineJobs/scored-job-1", "--task", "train-scored", "--task-id", "17", "--executor-input", """
                {
                  "inputs": {"parameterValues": {"learningRate": 0.5}},
                  "outputs": {
                    "artifacts": {
                      "Model": {"artifacts": [{"uri": "gs://bucket/root/train-scored/Model", "type": {"schemaTitle": "system.Model"}}]},
                      "Metrics": {"artifacts": [{"uri": "gs://bucket/root/train-scored/Metrics", "type": {"schemaTitle": "system.Metrics"}}]}
                    },
                    "outputFile": "/gcs/bucket/root/train-scored/executor_output.json"
                  }
                }
                """], new Dictionary<string, string>
                {
                    [GcsMount.RootVariable] = mount,
                    [LiveRecording.ServerUrlVariable] = server.Url,
                    [LiveRecording.TokenVariable] = server.Token(Security.TokenRole.Write),
                    ["PIPELINES_HOME"] = home,
                });

            Assert.That(result.Exit, Is.EqualTo(0), result.Output + result.Error);
            Assert.That(result.Error, Does.Not.Contain("warning"), "recording worked");
            using var store = server.Client();
            var run = store.GetRun("scored-job-1")!;
            Assert.That(run.MetadataJson, Is.EqualTo("""{"accuracy":1,"trainer":"sgd"}"""));
            var step = store.GetStepRuns(run.Id).Single();
            Assert.That(JsonDocument.Parse(step.MetadataJson).RootElement.GetProperty("epochs").GetInt32(), Is.EqualTo(3));
            var model = store.GetOutputs(step.Id)["Model"];
            Assert.That(model.MetadataJson, Is.EqualTo("""{"framework":"hand-written","task":"train-scored"}"""), "the step knows its task from the launcher");
        }
        finally
        {
            Directory.Delete(mount, recursive: true);
            Directory.Delete(home, recursive: true);
        }
    }
}
