namespace PipelineSdk.Orchestration;

/// <summary>Per-run choices that are not pipeline parameters.</summary>
public sealed record RunOptions
{
    /// <summary>
    /// <c>false</c> turns the cache off for this run (every step runs); <c>null</c> keeps each step's setting.
    /// </summary>
    public bool? EnableCache { get; init; }

    /// <summary>How many steps may run at once; defaults to the number of processors.</summary>
    public int? MaxParallelism { get; init; }

    /// <summary>
    /// The stack to run on; null follows <see cref="Stacks.StackSelection"/> (<c>$PIPELINES_STACK</c>, then
    /// <c>pipelines stack set</c>, then <c>default</c>).
    /// </summary>
    public string? Stack { get; init; }

    /// <summary>
    /// Overrides the stack's orchestrator flavor: <c>local</c> (steps run in this process) or
    /// <c>local-process</c> (each step runs as a child process under the Kubeflow executor contract, as on
    /// Vertex AI; the pipeline must be run from its own program).
    /// </summary>
    public string? Orchestrator { get; init; }

    /// <summary>Where orchestrators that follow a remote run print its progress; defaults to standard output.</summary>
    public TextWriter? Output { get; init; }

    /// <summary>Hears each task's state changes (and step logs, with <see cref="FollowLogs"/>) while the run runs; null: nobody.</summary>
    public IRunProgress? Progress { get; init; }

    /// <summary>
    /// Passes each line a step process writes to <see cref="Progress"/> (the <c>local-process</c> orchestrator; what steps in
    /// this process write to the console always goes there when the program routes the console).
    /// </summary>
    public bool FollowLogs { get; init; }

    /// <summary>
    /// The experiment the run is recorded in (on Vertex AI also the Vertex AI Experiment it is associated with); null keeps
    /// the pipeline's own (<c>[Pipeline(Experiment = ...)]</c>), if it has one.
    /// </summary>
    public string? Experiment { get; init; }

    /// <summary>The store folder; defaults to <see cref="Store.StoreLocation.Resolve"/>.</summary>
    public string? StoreDirectory { get; init; }
}
