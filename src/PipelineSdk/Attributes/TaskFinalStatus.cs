namespace PipelineSdk;

/// <summary>
/// How the steps of a pipeline's <c>try</c> block ended (KFP's <c>PipelineTaskFinalStatus</c>). The step in a
/// <c>finally</c> block receives it by taking a parameter of this type and being called with <see cref="Current"/>:
/// <code>try { Train(data); } finally { Notify(TaskFinalStatus.Current); }</code>
/// </summary>
/// <param name="State"><c>SUCCEEDED</c>, <c>FAILED</c> or <c>CANCELLED</c>.</param>
/// <param name="PipelineJobResourceName">The run: the Vertex AI job's resource name, or the local run id.</param>
/// <param name="PipelineTaskName">The guarded block's task name, e.g. <c>exit-handler-1</c>.</param>
/// <param name="ErrorCode">The error code when it failed (Google RPC codes on Vertex; 2, UNKNOWN, locally); otherwise null.</param>
/// <param name="ErrorMessage">What went wrong when it failed; otherwise null.</param>
public sealed record TaskFinalStatus(string State, string PipelineJobResourceName, string PipelineTaskName, int? ErrorCode, string? ErrorMessage)
{
    /// <summary>
    /// In a pipeline's <c>finally</c> block, stands for the final status of its <c>try</c> block. Called as plain C#
    /// (outside a run), it is a status with the state <c>UNKNOWN</c>.
    /// </summary>
    public static TaskFinalStatus Current { get; } = new("UNKNOWN", "", "", null, null);

    /// <summary>Whether every guarded step succeeded (or was skipped by a condition).</summary>
    public bool Succeeded => State == "SUCCEEDED";
}
