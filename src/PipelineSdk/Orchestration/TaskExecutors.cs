using PipelineSdk.Execution;
using PipelineSdk.Descriptors;

namespace PipelineSdk.Orchestration;

/// <summary>
/// One task to execute: its inputs are resolved, the orchestrator records the rest. <paramref name="InputArtifacts"/>
/// holds the stored artifacts behind each artifact input (several for a list input), for executors that pass URIs.
/// <paramref name="Attempt"/> counts from 1.
/// </summary>
internal sealed record TaskExecution(string RunId, string TaskKey, PipelineDescriptor Pipeline, PipelineTask Task, object?[] Inputs, IReadOnlyDictionary<string, IReadOnlyList<RuntimeArtifact>> InputArtifacts, int Attempt = 1)
{
    /// <summary>Hears the lines the step writes: always for a step in this process, for a step process only with <see cref="FollowLogs"/>.</summary>
    public Action<string>? LogLine { get; init; }

    /// <summary>Whether step processes pass their output lines on (they are always kept in the step's log file).</summary>
    public bool FollowLogs { get; init; }

    /// <summary>What the step logged with <see cref="StepContext.LogMetadata(string, double, MetadataTarget?)"/> in its last attempt.</summary>
    public LoggedMetadata Metadata { get; init; } = new();

    /// <summary>The store the run records to: registry calls inside the step (<c>ModelRegistry.Promote</c>) use it.</summary>
    public Store.MetadataStore? Store { get; init; }

    /// <summary>The artifact each <c>[FromArtifact]</c>/<c>[FromModel]</c> parameter got when the task started (null: no model in that stage).</summary>
    public IReadOnlyDictionary<string, Store.ArtifactRecord?> RegistryPins { get; init; } = new Dictionary<string, Store.ArtifactRecord?>();
}

/// <summary>Executes a task once its inputs are resolved; returns its outputs in the step's output order.</summary>
internal interface ITaskExecutor
{
    /// <summary>The orchestrator flavor this executor makes, as recorded with each run.</summary>
    string Flavor { get; }

    Task<(object?[] Outputs, string? LogPath)> ExecuteAsync(TaskExecution execution, CancellationToken cancellationToken);

    /// <summary>Removes what the executor kept for a run while it ran (its outputs are in the artifact store by now).</summary>
    void RunEnded(string runId)
    {
    }
}

/// <summary>
/// Calls the step's generated invoker in this process (the <c>local</c> orchestrator). A step with environment variables
/// (<c>[Env]</c>) runs as a child process instead, as <c>local-process</c> runs it: the process environment is shared by
/// every step, so only a process of its own sees the variables as Vertex AI's container does, and its cached result is
/// the one every orchestrator computes. A container step (<c>[ContainerStep]</c>) runs its command as a child process too.
/// </summary>
/// <param name="withEnvironment">Runs the steps that have environment variables, and container steps.</param>
internal sealed class InProcessTaskExecutor(ITaskExecutor withEnvironment) : ITaskExecutor
{
    public string Flavor => OrchestratorFlavors.Local;

    public async Task<(object?[] Outputs, string? LogPath)> ExecuteAsync(TaskExecution execution, CancellationToken cancellationToken)
    {
        if (execution.Task.Step.Settings.Environment.Count > 0 || execution.Task.Step.Settings.Container is not null)
        {
            return await withEnvironment.ExecuteAsync(execution, cancellationToken).ConfigureAwait(false);
        }

        // Called here, on the pool thread the orchestrator started the task on (independent tasks start on threads of their own):
        // a hop to another thread per step costs more than most steps.
        try
        {
            return (await InvokeAsync(execution, cancellationToken).ConfigureAwait(false), null);
        }
        finally
        {
            StepArtifacts.DisposeInputs(execution.Inputs);
        }
    }

    // An async method of its own: the step's ambient values below are undone when it returns, as they were at the end of a Task.Run.
    private static async ValueTask<object?[]> InvokeAsync(TaskExecution execution, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        StepConsole.Log.Value = execution.LogLine;
        execution.Metadata.Clear();
        StepContext.Enter(execution.RunId, execution.TaskKey, execution.Task.Step, execution.Metadata);
        RegistryStore.Current.Value = execution.Store;
        RegistryInputs.Pinned.Value = execution.RegistryPins;
        return await StepTimeout.InvokeAsync(execution.Task.Step, execution.Inputs, cancellationToken).ConfigureAwait(false);
    }

    public void RunEnded(string runId) => withEnvironment.RunEnded(runId);
}

/// <summary>A step process failed; the message is the step's own one-line error.</summary>
internal sealed class StepProcessFailedException(string message, string? logPath) : Exception(message)
{
    /// <summary>The step's log, or null when it failed before anything was started.</summary>
    public string? LogPath { get; } = logPath;
}

/// <summary>The orchestrator flavors that run on this machine.</summary>
public static class OrchestratorFlavors
{
    /// <summary>Every step runs in this process.</summary>
    public const string Local = "local";

    /// <summary>Every step runs as a child process under the Kubeflow executor contract, as Vertex AI runs its containers.</summary>
    public const string LocalProcess = "local-process";

    /// <summary>The flavors <see cref="PipelineRunner"/> can run.</summary>
    public static IReadOnlyList<string> All { get; } = [Local, LocalProcess];
}
