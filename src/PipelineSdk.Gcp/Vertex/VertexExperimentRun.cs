using PipelineSdk.Stacks;

namespace PipelineSdk.Gcp.Vertex;

/// <summary>
/// Puts one submitted job into its Vertex AI Experiment, as the Vertex AI SDK's <c>PipelineJob.submit(experiment=...)</c> does:
/// Vertex AI gives the job a run context (<c>jobDetail.pipelineRunContext</c>) once it starts, and that context is added as a
/// child of the experiment's context. A refusal there is one warning: the job itself runs on.
/// </summary>
internal sealed class VertexExperimentRun(VertexClient client, string experimentName, string experiment, TextWriter output)
{
    /// <summary>Whether the job is in the experiment (or adding it failed and was reported).</summary>
    public bool Settled { get; private set; }

    /// <summary>Adds the job to the experiment once <paramref name="job"/> shows its run context; does nothing before that or after.</summary>
    public async Task ObserveAsync(PipelineJob job, CancellationToken cancellationToken)
    {
        if (Settled || job.JobDetail?.PipelineRunContext?.Name is not { Length: > 0 } runContext)
        {
            return;
        }

        Settled = true;
        try
        {
            await client.AddRunToExperimentAsync(experimentName, runContext, cancellationToken).ConfigureAwait(false);
            output.WriteLine($"Added to Vertex AI Experiment '{experiment}'.");
        }
        catch (StackException e)
        {
            output.WriteLine($"warning: the run is not in Vertex AI Experiment '{experiment}' ({e.Message}); it is recorded in the experiment here");
        }
    }

    /// <summary>Reports, once the job has ended, that it never got a run context to add (it ended before it ran).</summary>
    public void Ended(PipelineJob job)
    {
        if (!Settled)
        {
            Settled = true;
            output.WriteLine($"warning: job {job.Name?.Split('/')[^1]} ended ({job.State}) before Vertex AI gave it a run context, so it is not in Vertex AI Experiment '{experiment}'");
        }
    }

    /// <summary>For a job nobody follows: polls it until it has a run context to add, or has ended.</summary>
    public async Task WaitAsync(string jobId, Func<string, bool> ended, TimeSpan interval, CancellationToken cancellationToken)
    {
        output.WriteLine($"Waiting for the job to start, to add it to Vertex AI Experiment '{experiment}'...");
        while (!Settled)
        {
            var (job, _) = await client.PollPipelineJobAsync(jobId, cancellationToken).ConfigureAwait(false);
            if (job is not null)
            {
                await ObserveAsync(job, cancellationToken).ConfigureAwait(false);
                if (!Settled && job.State is { } state && ended(state))
                {
                    Ended(job);
                }
            }

            if (!Settled)
            {
                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
