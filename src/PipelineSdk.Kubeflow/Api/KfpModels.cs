using System.Text.Json;
using System.Text.Json.Serialization;

namespace PipelineSdk.Kubeflow.Api;

/// <summary>A pipeline (<c>v2beta1Pipeline</c>).</summary>
public sealed record KfpPipeline
{
    /// <summary>Output: the id the server gave it.</summary>
    public string? PipelineId { get; init; }

    /// <summary>The pipeline's unique name in its namespace.</summary>
    public string? Name { get; init; }

    /// <summary>What the UI shows.</summary>
    public string? DisplayName { get; init; }

    /// <summary>What it is.</summary>
    public string? Description { get; init; }

    /// <summary>The namespace of a namespaced pipeline; empty for a shared one.</summary>
    public string? Namespace { get; init; }
}

/// <summary>A pipeline version (<c>v2beta1PipelineVersion</c>): one spec of a pipeline.</summary>
public sealed record KfpPipelineVersion
{
    /// <summary>The pipeline it belongs to.</summary>
    public string? PipelineId { get; init; }

    /// <summary>Output: the id the server gave it.</summary>
    public string? PipelineVersionId { get; init; }

    /// <summary>Its unique name within the pipeline.</summary>
    public string? Name { get; init; }

    /// <summary>What the UI shows.</summary>
    public string? DisplayName { get; init; }

    /// <summary>What it is.</summary>
    public string? Description { get; init; }

    /// <summary>The PipelineSpec, or <c>{pipeline_spec, platform_spec}</c>.</summary>
    public JsonElement? PipelineSpec { get; init; }
}

/// <summary>The body of <c>POST /apis/v2beta1/pipelines/create</c>.</summary>
public sealed record KfpCreatePipelineAndVersion
{
    /// <summary>The pipeline.</summary>
    public required KfpPipeline Pipeline { get; init; }

    /// <summary>Its first version.</summary>
    public required KfpPipelineVersion PipelineVersion { get; init; }
}

/// <summary>A page of pipeline versions.</summary>
public sealed record KfpPipelineVersionList
{
    /// <summary>The versions.</summary>
    public List<KfpPipelineVersion>? PipelineVersions { get; init; }

    /// <summary>The next page's token, or empty.</summary>
    public string? NextPageToken { get; init; }
}

/// <summary>An experiment (<c>v2beta1Experiment</c>).</summary>
public sealed record KfpExperiment
{
    /// <summary>Output: the id the server gave it.</summary>
    public string? ExperimentId { get; init; }

    /// <summary>Its name.</summary>
    public string? DisplayName { get; init; }

    /// <summary>What it is for.</summary>
    public string? Description { get; init; }

    /// <summary>Its namespace in a multi-user installation.</summary>
    public string? Namespace { get; init; }

    /// <summary>Output: <c>AVAILABLE</c> or <c>ARCHIVED</c>.</summary>
    public string? StorageState { get; init; }
}

/// <summary>A page of experiments.</summary>
public sealed record KfpExperimentList
{
    /// <summary>The experiments.</summary>
    public List<KfpExperiment>? Experiments { get; init; }
}

/// <summary>Which pipeline version a run or recurring run runs.</summary>
public sealed record KfpPipelineVersionReference
{
    /// <summary>The pipeline.</summary>
    public required string PipelineId { get; init; }

    /// <summary>The version (the latest when empty).</summary>
    public string? PipelineVersionId { get; init; }
}

/// <summary>A run's parameters and pipeline root (<c>v2beta1RuntimeConfig</c>).</summary>
public sealed record KfpRuntimeConfig
{
    /// <summary>Parameter values by name.</summary>
    public Dictionary<string, JsonElement>? Parameters { get; init; }

    /// <summary>Where output artifacts go, e.g. <c>minio://mlpipeline/v2/artifacts</c>.</summary>
    public string? PipelineRoot { get; init; }
}

/// <summary>An error (<c>googleRpcStatus</c>).</summary>
public sealed record KfpStatus
{
    /// <summary>The gRPC code.</summary>
    public int? Code { get; init; }

    /// <summary>The message.</summary>
    public string? Message { get; init; }
}

/// <summary>A run (<c>v2beta1Run</c>).</summary>
public sealed record KfpRun
{
    /// <summary>The experiment it is filed under.</summary>
    public string? ExperimentId { get; init; }

    /// <summary>Output: the id the server gave it.</summary>
    public string? RunId { get; init; }

    /// <summary>Its name.</summary>
    public string? DisplayName { get; init; }

    /// <summary>What it is.</summary>
    public string? Description { get; init; }

    /// <summary>The pipeline version it runs.</summary>
    public KfpPipelineVersionReference? PipelineVersionReference { get; init; }

    /// <summary>Parameters and pipeline root.</summary>
    public KfpRuntimeConfig? RuntimeConfig { get; init; }

    /// <summary>The Kubernetes service account its pods run as.</summary>
    public string? ServiceAccount { get; init; }

    /// <summary>Output: when it was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Output: when it was scheduled.</summary>
    public DateTimeOffset? ScheduledAt { get; init; }

    /// <summary>Output: when it finished.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Output: its state (<c>v2beta1RuntimeState</c>).</summary>
    public string? State { get; init; }

    /// <summary>Output: why it failed.</summary>
    public KfpStatus? Error { get; init; }

    /// <summary>Output: its tasks.</summary>
    public KfpRunDetails? RunDetails { get; init; }

    /// <summary>Output: the recurring run that started it.</summary>
    public string? RecurringRunId { get; init; }
}

/// <summary>A page of runs.</summary>
public sealed record KfpRunList
{
    /// <summary>The runs.</summary>
    public List<KfpRun>? Runs { get; init; }
}

/// <summary>A run's tasks.</summary>
public sealed record KfpRunDetails
{
    /// <summary>Every task, DAG and driver of the run.</summary>
    public List<KfpTaskDetail>? TaskDetails { get; init; }
}

/// <summary>One task of a run (<c>v2beta1PipelineTaskDetail</c>).</summary>
public sealed record KfpTaskDetail
{
    /// <summary>Its id.</summary>
    public string? TaskId { get; init; }

    /// <summary>The task's name in the spec.</summary>
    public string? DisplayName { get; init; }

    /// <summary>When it started.</summary>
    public DateTimeOffset? StartTime { get; init; }

    /// <summary>When it ended.</summary>
    public DateTimeOffset? EndTime { get; init; }

    /// <summary>Its state.</summary>
    public string? State { get; init; }

    /// <summary>Why it failed.</summary>
    public KfpStatus? Error { get; init; }

    /// <summary>The enclosing DAG's task.</summary>
    public string? ParentTaskId { get; init; }

    /// <summary>The pods that ran it.</summary>
    public KfpExecutorDetail? ExecutorDetail { get; init; }
}

/// <summary>The pods of a task (<c>v2beta1PipelineTaskExecutorDetail</c>).</summary>
public sealed record KfpExecutorDetail
{
    /// <summary>The pod that ran the step.</summary>
    public string? MainJob { get; init; }
}

/// <summary>A recurring run (<c>v2beta1RecurringRun</c>).</summary>
public sealed record KfpRecurringRun
{
    /// <summary>Output: the id the server gave it.</summary>
    public string? RecurringRunId { get; init; }

    /// <summary>Its name.</summary>
    public string? DisplayName { get; init; }

    /// <summary>What it is.</summary>
    public string? Description { get; init; }

    /// <summary>The pipeline version it runs.</summary>
    public KfpPipelineVersionReference? PipelineVersionReference { get; init; }

    /// <summary>Parameters and pipeline root.</summary>
    public KfpRuntimeConfig? RuntimeConfig { get; init; }

    /// <summary>The Kubernetes service account.</summary>
    public string? ServiceAccount { get; init; }

    /// <summary>How many runs may run at once (an int64 as a string).</summary>
    public string? MaxConcurrency { get; init; }

    /// <summary>When it fires.</summary>
    public KfpTrigger? Trigger { get; init; }

    /// <summary><c>ENABLE</c> or <c>DISABLE</c>.</summary>
    public string? Mode { get; init; }

    /// <summary>Output: <c>ENABLED</c> or <c>DISABLED</c>.</summary>
    public string? Status { get; init; }

    /// <summary>Whether missed runs are skipped rather than caught up.</summary>
    public bool? NoCatchup { get; init; }

    /// <summary>Its namespace.</summary>
    public string? Namespace { get; init; }

    /// <summary>The experiment its runs are filed under.</summary>
    public string? ExperimentId { get; init; }
}

/// <summary>When a recurring run fires.</summary>
public sealed record KfpTrigger
{
    /// <summary>A cron schedule.</summary>
    public KfpCronSchedule? CronSchedule { get; init; }
}

/// <summary>A cron schedule; Kubeflow's cron has six fields, seconds first.</summary>
public sealed record KfpCronSchedule
{
    /// <summary>The expression, e.g. <c>0 0 3 * * *</c>.</summary>
    public required string Cron { get; init; }
}

/// <summary>A page of recurring runs.</summary>
public sealed record KfpRecurringRunList
{
    /// <summary>The recurring runs (the API names this field in camel case).</summary>
    [JsonPropertyName("recurringRuns")]
    public List<KfpRecurringRun>? RecurringRuns { get; init; }
}

/// <summary>An error answer.</summary>
public sealed record KfpErrorBody
{
    /// <summary>The message (<c>googleRpcStatus.message</c>).</summary>
    public string? Message { get; init; }

    /// <summary>The message as older servers send it.</summary>
    public string? Error { get; init; }
}

/// <summary>JSON for the Kubeflow Pipelines API: proto field names (snake case), nulls left out.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(KfpPipeline))]
[JsonSerializable(typeof(KfpPipelineVersion))]
[JsonSerializable(typeof(KfpCreatePipelineAndVersion))]
[JsonSerializable(typeof(KfpPipelineVersionList))]
[JsonSerializable(typeof(KfpExperiment))]
[JsonSerializable(typeof(KfpExperimentList))]
[JsonSerializable(typeof(KfpRun))]
[JsonSerializable(typeof(KfpRunList))]
[JsonSerializable(typeof(KfpRecurringRun))]
[JsonSerializable(typeof(KfpRecurringRunList))]
[JsonSerializable(typeof(KfpErrorBody))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
public sealed partial class KfpJson : JsonSerializerContext;
