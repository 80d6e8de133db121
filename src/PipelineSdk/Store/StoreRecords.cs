namespace PipelineSdk.Store;

/// <summary>How a run ended, or that it is still going.</summary>
public enum RunStatus
{
    /// <summary>Steps are still being run.</summary>
    Running,

    /// <summary>Every step completed or came from the cache.</summary>
    Completed,

    /// <summary>A step failed; steps that did not depend on it still ran.</summary>
    Failed,

    /// <summary>The run was cancelled before every step finished.</summary>
    Cancelled,

    /// <summary>The process that ran it died (killed, or the machine lost power) before it could record how it ended.</summary>
    Crashed,
}

/// <summary>What happened to one task of a run.</summary>
public enum StepStatus
{
    /// <summary>The step is running.</summary>
    Running,

    /// <summary>The step ran and its outputs were stored.</summary>
    Completed,

    /// <summary>The step did not run: the outputs of an earlier run with the same cache key were reused.</summary>
    Cached,

    /// <summary>The step threw.</summary>
    Failed,

    /// <summary>The step did not run because a task it depends on failed.</summary>
    NotRun,

    /// <summary>The step did not run because the condition of its branch was false (Kubeflow: not triggered).</summary>
    NotTriggered,

    /// <summary>The step was running when the process that ran it died.</summary>
    Crashed,

    /// <summary>Whether and how the step ran is not known: the remote orchestrator reported nothing about its tasks.</summary>
    Unknown,
}

/// <summary>How one attempt of a step ended.</summary>
public enum AttemptOutcome
{
    /// <summary>The step returned; its outputs are the step run's.</summary>
    Completed,

    /// <summary>The step threw or its process failed; a retry may follow.</summary>
    Failed,

    /// <summary>The run was cancelled while the attempt ran.</summary>
    Cancelled,
}

/// <summary>One attempt of a step run: a step with a retry policy may take several, each recorded when it ends.</summary>
/// <param name="Number">The attempt, from 1.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="EndedAt">When it ended.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Error">Why it failed, in one line (secret values resolved by a local run are masked; a container's error is as it wrote it).</param>
public sealed record StepAttemptRecord(int Number, DateTimeOffset StartedAt, DateTimeOffset EndedAt, AttemptOutcome Outcome, string? Error);

/// <summary>A stored artifact: one output value of one step run.</summary>
/// <param name="Id">The store's id.</param>
/// <param name="Uri">Where the content lives (<c>file://</c> locally).</param>
/// <param name="KfpType">The Kubeflow type (<c>NUMBER_INTEGER</c>, <c>system.Dataset</c>, ...).</param>
/// <param name="ValueType">The .NET type as written in C#.</param>
/// <param name="Size">Content length in bytes.</param>
/// <param name="ContentHash">SHA-256 of the content, lower-case hex.</param>
/// <param name="ProducerStepRunId">The step run that produced it.</param>
/// <param name="OutputName">The producer's output name.</param>
/// <param name="MetadataJson">Its metadata as a JSON object (metrics, user metadata); <c>{}</c> when it has none.</param>
public sealed record ArtifactRecord(long Id, string Uri, string KfpType, string ValueType, long Size, string ContentHash, long ProducerStepRunId, string OutputName, string MetadataJson = "{}");

/// <summary>A stored run.</summary>
/// <param name="Id">The run id, e.g. <c>vertex-example-pipeline-20261124-150302-a1b2</c>.</param>
/// <param name="Pipeline">The pipeline name.</param>
/// <param name="Status">How it ended.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="EndedAt">When it ended, if it has.</param>
/// <param name="ParametersJson">The parameter values it ran with, as a JSON object.</param>
/// <param name="Orchestrator">The orchestrator flavor that ran it.</param>
/// <param name="Error">Why it failed, if it did.</param>
/// <param name="Stack">The stack it ran on.</param>
/// <param name="RemoteId">For a remote run, the remote resource (e.g. the Vertex PipelineJob name).</param>
/// <param name="RemoteUrl">For a remote run, its console link.</param>
/// <param name="Owner">The process that ran (or submitted) it, when recorded.</param>
/// <param name="HeartbeatAt">When its owner last said it was alive.</param>
/// <param name="Experiment">The experiment it belongs to, if any.</param>
/// <param name="MetadataJson">The metadata its steps logged for the run, as a JSON object; <c>{}</c> when none.</param>
public sealed record RunRecord(string Id, string Pipeline, RunStatus Status, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, string ParametersJson, string Orchestrator, string? Error, string? Stack, string? RemoteId = null, string? RemoteUrl = null, RunOwner? Owner = null, DateTimeOffset? HeartbeatAt = null, string? Experiment = null, string MetadataJson = "{}");

/// <summary>A stored step run: one task of one run.</summary>
/// <param name="Id">The store's id.</param>
/// <param name="RunId">The run it belongs to.</param>
/// <param name="TaskKey">The task key.</param>
/// <param name="StepName">The step (component) name.</param>
/// <param name="Status">What happened.</param>
/// <param name="StartedAt">When it started, if it did.</param>
/// <param name="EndedAt">When it ended, if it did.</param>
/// <param name="CacheKey">The cache key it was looked up by, if caching applied.</param>
/// <param name="CacheKeyParts">The parts of the cache key as JSON (code parts, input hashes, outputs, settings).</param>
/// <param name="CachedFrom">For a cached step run, the step run whose outputs were reused.</param>
/// <param name="Error">Why it failed or did not run.</param>
/// <param name="LogPath">The file holding the step's standard output and error, when it ran as a process.</param>
/// <param name="DependsOn">The tasks whose outputs it takes.</param>
/// <param name="CacheEnabled">Whether the cache could serve it (the step's setting and the run's); null if it never got that far.</param>
/// <param name="MetadataJson">The metadata the step logged for its step run, as a JSON object; <c>{}</c> when none.</param>
public sealed record StepRunRecord(long Id, string RunId, string TaskKey, string StepName, StepStatus Status, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, string? CacheKey, string? CacheKeyParts, long? CachedFrom, string? Error, string? LogPath, IReadOnlyList<string> DependsOn, bool? CacheEnabled, string MetadataJson = "{}")
{
    /// <summary>Wall-clock time from start to end, when both are known.</summary>
    public TimeSpan? Duration => StartedAt is { } start && EndedAt is { } end ? end - start : null;
}

/// <summary>One input a step run consumed (lineage).</summary>
/// <param name="InputName">The step input.</param>
/// <param name="Source">Where it came from: <c>task</c>, <c>parameter</c> or <c>constant</c>.</param>
/// <param name="ArtifactId">The consumed artifact, for task outputs.</param>
/// <param name="ContentHash">SHA-256 of the value's canonical bytes.</param>
public sealed record StepInputRecord(string InputName, string Source, long? ArtifactId, string ContentHash);

/// <summary>An output a step run produced, to be recorded as a new artifact.</summary>
/// <param name="OutputName">The step output.</param>
/// <param name="Uri">Where the content was written.</param>
/// <param name="KfpType">The Kubeflow type.</param>
/// <param name="ValueType">The .NET type as written in C#.</param>
/// <param name="Size">Content length in bytes.</param>
/// <param name="ContentHash">SHA-256 of the content, lower-case hex.</param>
/// <param name="MetadataJson">The artifact's metadata as a JSON object.</param>
/// <param name="Name">The name the output carries (<c>[return: Artifact("churn-model")]</c>): recording it makes that name's next version.</param>
/// <param name="Tags">Tags the new version gets.</param>
/// <param name="PromotesTo">
/// For a promoting output (<c>[Artifact(Stage = "production")]</c>), the stage its version goes to: the version with the same
/// content if the name has one, else the new version.
/// </param>
public sealed record NewArtifact(string OutputName, string Uri, string KfpType, string ValueType, long Size, string ContentHash, string MetadataJson = "{}", string? Name = null, IReadOnlyList<string>? Tags = null, string? PromotesTo = null);

/// <summary>A completed step run whose outputs a cache hit can reuse.</summary>
/// <param name="StepRunId">The step run.</param>
/// <param name="Outputs">Its output artifacts by output name.</param>
public sealed record CachedStepRun(long StepRunId, IReadOnlyDictionary<string, ArtifactRecord> Outputs);

/// <summary>Source-generated JSON for the small lists the store keeps (no reflection, AOT-safe).</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyList<string>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
internal sealed partial class StoreJson : System.Text.Json.Serialization.JsonSerializerContext;
