using System.Text.Json.Nodes;
using PipelineSdk.Tests.Shared.SpecExecution;

namespace PipelineSdk.Gcp.Tests.Fakes;

/// <summary>The fake Vertex AI's second way to run a job: the whole spec, by <see cref="SpecRun"/>.</summary>
internal sealed partial class FakeVertex
{
    /// <summary>
    /// When true, jobs run by <see cref="SpecRun"/>: every DAG, condition, loop, exit handler and called pipeline, with
    /// artifacts, reported in <c>jobDetail.taskDetails</c> per task and iteration. When false, only the root DAG's
    /// container tasks run, passing parameters.
    /// </summary>
    public bool RunWholeSpec { get; set; }

    /// <summary>The execution cache the jobs of this fake share, as a project's jobs share Vertex AI's.</summary>
    private ExecutionCache Cache { get; } = new();

    /// <summary>The spec run of a job started with <see cref="RunWholeSpec"/>.</summary>
    public SpecRun SpecRunOf(string jobId) => _jobs[jobId].SpecRun ?? throw new InvalidOperationException($"job {jobId} did not run with RunWholeSpec");

    private async Task RunWholeSpecAsync(Job job)
    {
        job.Set("PIPELINE_STATE_RUNNING");
        var run = new SpecRun(job.Body["pipelineSpec"]!.AsObject(), job.Body["runtimeConfig"]!.AsObject(), job.Name, job.Id, new TaskMachine(AppDirectory, GcsRoot, TaskEnvironment), Cache);
        job.SpecRun = run;
        await run.RunAsync(job.Cancel.Token);
        foreach (var record in run.Records.Where(r => r.Log is not null))
        {
            job.Logs[record.StepKey ?? record.Name] = record.Log!;
        }

        job.Set(run.State, run.Error);
    }
}
