using System.Text.Json;
using PipelineSdk.Gcp.Tests.Fakes;
using PipelineSdk.Gcp.Tests.SpecExecution;
using PipelineSdk.Gcp.Vertex;
using PipelineSdk.Stacks;

namespace PipelineSdk.Gcp.Tests;

/// <summary>
/// Jobs submitted through our Vertex client to the fake Vertex AI that runs whole specs: it answers like the service
/// (the job exists only in its project and region; a finished job cannot be cancelled), and reports every task, DAG and
/// iteration in jobDetail.taskDetails.
/// </summary>
public class FakeVertexSpecJobTests
{
    private FakeGoogle _google = null!;
    private FakeVertex _vertex = null!;
    private string _directory = null!;

    [SetUp]
    public async Task SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("psdk-spec-job-").FullName;
        _google = await FakeGoogle.StartAsync();
        _vertex = await FakeVertex.StartAsync(_google, PipelineProgram.ControlFlowApp.Directory, Path.Combine(_directory, "gcs"));
        _vertex.RunWholeSpec = true;
        _vertex.TaskEnvironment["HOME"] = _directory;
        _vertex.TaskEnvironment["PIPELINES_HOME"] = Path.Combine(_directory, "steps");
    }

    [TearDown]
    public async Task TearDown()
    {
        await _vertex.DisposeAsync();
        await _google.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task A_guarded_job_reports_each_task_and_the_exit_handler_sees_the_failure()
    {
        var client = Client("my-project");
        var (_, adopted) = await client.CreatePipelineJobAsync("guarded-1", Job("guarded-pipeline", ("fail", "true")), CancellationToken.None);
        await _vertex.WaitAsync("guarded-1");

        var job = await client.GetPipelineJobAsync("guarded-1", CancellationToken.None);
        Assert.That(adopted, Is.False);
        Assert.That(job.State, Is.EqualTo("PIPELINE_STATE_FAILED"));
        var states = job.JobDetail!.TaskDetails!.ToDictionary(t => t.TaskName!, t => t.State);
        Assert.That(states, Is.EquivalentTo(new Dictionary<string, string?>
        {
            ["guarded-pipeline"] = "FAILED", ["prepare"] = "SUCCEEDED", ["exit-handler-1"] = "FAILED", ["work"] = "FAILED",
            ["work-2"] = "CANCELLED", ["notify"] = "SUCCEEDED",
        }));
        var notify = job.JobDetail.TaskDetails!.Single(t => t.TaskName == "notify");
        Assert.That(notify.Execution!.Metadata!["output:Output"].GetString(), Is.EqualTo("#ops: FAILED"));
        Assert.That(_vertex.Log("guarded-1", "work"), Does.Contain("the work broke"));
    }

    [Test]
    public async Task A_job_is_found_and_cancelled_only_in_its_own_project_and_a_finished_job_cannot_be_cancelled()
    {
        var client = Client("my-project");
        await client.CreatePipelineJobAsync("loop-1", Job("loop-pipeline", ("count", "2")), CancellationToken.None);
        await _vertex.WaitAsync("loop-1");

        var stranger = Client("other-project");
        Assert.That(() => stranger.GetPipelineJobAsync("loop-1", CancellationToken.None), Throws.InstanceOf<StackException>().With.Message.Contains("not found in project other-project"));
        Assert.That(() => stranger.CancelPipelineJobAsync("loop-1", CancellationToken.None), Throws.InstanceOf<StackException>().With.Message.Contains("not found"));
        Assert.That(() => client.CancelPipelineJobAsync("loop-1", CancellationToken.None), Throws.InstanceOf<StackException>().With.Message.Contains("PIPELINE_STATE_SUCCEEDED"));
        Assert.That((await client.GetPipelineJobAsync("loop-1", CancellationToken.None)).State, Is.EqualTo("PIPELINE_STATE_SUCCEEDED"));
    }

    [Test]
    public async Task A_second_job_reuses_cached_executions_of_cacheable_tasks_with_equal_inputs()
    {
        var client = Client("my-project");
        await client.CreatePipelineJobAsync("first", Job("guarded-pipeline"), CancellationToken.None);
        await _vertex.WaitAsync("first");
        await client.CreatePipelineJobAsync("second", Job("guarded-pipeline"), CancellationToken.None);
        await _vertex.WaitAsync("second");
        await client.CreatePipelineJobAsync("third", Job("loop-pipeline", ("count", "2")), CancellationToken.None);
        await _vertex.WaitAsync("third");
        await client.CreatePipelineJobAsync("fourth", Job("loop-pipeline", ("count", "3")), CancellationToken.None);
        await _vertex.WaitAsync("fourth");

        var second = (await client.GetPipelineJobAsync("second", CancellationToken.None)).JobDetail!.TaskDetails!.ToDictionary(t => t.TaskName!);
        Assert.That(second["prepare"].State, Is.EqualTo("SKIPPED"));
        Assert.That(second["prepare"].Execution!.State, Is.EqualTo("CACHED"));
        Assert.That(second["prepare"].Execution!.Metadata!["output:Output"].GetInt32(), Is.EqualTo(5), "the cached execution's outputs");
        Assert.That(new[] { second["work"], second["work-2"], second["notify"] }.Select(t => t.State), Is.All.EqualTo("SUCCEEDED"), "enableCache is off for them: they run again");
        var fourth = (await client.GetPipelineJobAsync("fourth", CancellationToken.None)).JobDetail!.TaskDetails!;
        Assert.That(fourth.Single(t => t.TaskName == "items").State, Is.EqualTo("SUCCEEDED"), "count changed: a new execution");
        var squares = fourth.Where(t => t.TaskName == "square").ToDictionary(t => t.Execution!.Metadata!["output:Output"].GetInt32(), t => t.State);
        Assert.That(squares, Is.EquivalentTo(new Dictionary<int, string?> { [1] = "SKIPPED", [4] = "SKIPPED", [9] = "SUCCEEDED" }), "items 1 and 2 were squared by the third job; 3 is new");
    }

    private PipelineJob Job(string pipeline, params (string Name, string Value)[] parameters)
    {
        var spec = PipelineProgram.ControlFlowApp.Spec(pipeline);
        var values = PipelineProgram.ParameterValues(spec, parameters.Select(p => $"{p.Name}={p.Value}"));
        return VertexJobs.Build(pipeline, spec.ToJsonString(), "127.0.0.1:5000/pipelines/control-flow:test", "gs://spec-bucket/root",
            values.ToDictionary(v => v.Key, v => JsonSerializer.Deserialize<JsonElement>(v.Value!.ToJsonString())), _ => "");
    }

    private VertexClient Client(string project) =>
        new VertexClient(project, "europe-west1", _google.Auth(_directory), new HttpClient { BaseAddress = new Uri(_vertex.BaseUrl) });
}
