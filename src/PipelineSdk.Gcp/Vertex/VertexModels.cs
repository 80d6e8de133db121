using System.Text.Json;
using System.Text.Json.Serialization;

namespace PipelineSdk.Gcp.Vertex;

// The parts of the Vertex AI v1 REST resources PipelineSdk reads and writes (projects.locations.pipelineJobs
// and projects.locations.schedules). Field names follow the API's JSON; unknown fields are ignored.

/// <summary>A Vertex AI PipelineJob.</summary>
public sealed class PipelineJob
{
    /// <summary>projects/{project}/locations/{location}/pipelineJobs/{id}.</summary>
    public string? Name { get; set; }

    /// <summary>The name shown in the console.</summary>
    public string? DisplayName { get; set; }

    /// <summary>PIPELINE_STATE_PENDING, _RUNNING, _SUCCEEDED, _FAILED, _CANCELLING, _CANCELLED, _PAUSED.</summary>
    public string? State { get; set; }

    /// <summary>When the job was created.</summary>
    public DateTimeOffset? CreateTime { get; set; }

    /// <summary>When it started running.</summary>
    public DateTimeOffset? StartTime { get; set; }

    /// <summary>When it ended.</summary>
    public DateTimeOffset? EndTime { get; set; }

    /// <summary>Why it failed.</summary>
    public RpcStatus? Error { get; set; }

    /// <summary>The tasks and their states.</summary>
    public PipelineJobDetail? JobDetail { get; set; }

    /// <summary>The compiled PipelineSpec.</summary>
    public JsonElement? PipelineSpec { get; set; }

    /// <summary>Where outputs go and the parameter values.</summary>
    public RuntimeConfig? RuntimeConfig { get; set; }

    /// <summary>The service account the steps run as.</summary>
    public string? ServiceAccount { get; set; }

    /// <summary>The VPC network to peer with.</summary>
    public string? Network { get; set; }

    /// <summary>Labels.</summary>
    public Dictionary<string, string>? Labels { get; set; }

    /// <summary>Customer-managed encryption.</summary>
    public EncryptionSpec? EncryptionSpec { get; set; }
}

/// <summary>The runtime configuration of a PipelineJob.</summary>
public sealed class RuntimeConfig
{
    /// <summary>The pipeline root, gs://bucket/prefix.</summary>
    public string? GcsOutputDirectory { get; set; }

    /// <summary>Pipeline parameter values by name.</summary>
    public Dictionary<string, JsonElement>? ParameterValues { get; set; }

    /// <summary>PIPELINE_FAILURE_POLICY_FAIL_FAST or PIPELINE_FAILURE_POLICY_FAIL_SLOW.</summary>
    public string? FailurePolicy { get; set; }
}

/// <summary>A Cloud KMS key for a job.</summary>
public sealed class EncryptionSpec
{
    /// <summary>projects/P/locations/L/keyRings/R/cryptoKeys/K.</summary>
    public string? KmsKeyName { get; set; }
}

/// <summary>The details of a job's run.</summary>
public sealed class PipelineJobDetail
{
    /// <summary>One entry per task, including the root DAG.</summary>
    public List<PipelineTaskDetail>? TaskDetails { get; set; }

    /// <summary>The Vertex ML Metadata context of the pipeline (output only; set once the job runs).</summary>
    public MetadataContext? PipelineContext { get; set; }

    /// <summary>The Vertex ML Metadata context of this run (output only; set once the job runs): what an experiment adopts.</summary>
    public MetadataContext? PipelineRunContext { get; set; }
}

/// <summary>A Vertex ML Metadata context (projects.locations.metadataStores.contexts): an experiment, a pipeline run, ...</summary>
public sealed class MetadataContext
{
    /// <summary>projects/{project}/locations/{location}/metadataStores/{store}/contexts/{id} (output only).</summary>
    public string? Name { get; set; }

    /// <summary>The name shown in the console.</summary>
    public string? DisplayName { get; set; }

    /// <summary>Its schema, e.g. <c>system.Experiment</c> or <c>system.PipelineRun</c>.</summary>
    public string? SchemaTitle { get; set; }

    /// <summary>The schema's version, e.g. <c>0.0.1</c>.</summary>
    public string? SchemaVersion { get; set; }

    /// <summary>Its properties.</summary>
    public Dictionary<string, JsonElement>? Metadata { get; set; }
}

/// <summary>The body of <c>contexts:addContextChildren</c>.</summary>
public sealed class AddContextChildrenRequest
{
    /// <summary>The resource names of the contexts to add as children.</summary>
    public List<string>? ChildContexts { get; set; }
}

/// <summary>One task of a running or finished job.</summary>
public sealed class PipelineTaskDetail
{
    /// <summary>The task id (an int64, as a string).</summary>
    public string? TaskId { get; set; }

    /// <summary>The task key from the spec.</summary>
    public string? TaskName { get; set; }

    /// <summary>PENDING, RUNNING, SUCCEEDED, CANCEL_PENDING, CANCELLING, CANCELLED, FAILED, SKIPPED, NOT_TRIGGERED.</summary>
    public string? State { get; set; }

    /// <summary>When it started.</summary>
    public DateTimeOffset? StartTime { get; set; }

    /// <summary>When it ended.</summary>
    public DateTimeOffset? EndTime { get; set; }

    /// <summary>Why it failed.</summary>
    public RpcStatus? Error { get; set; }

    /// <summary>The execution, whose metadata holds output parameters as <c>output:NAME</c>.</summary>
    public TaskExecution? Execution { get; set; }

    /// <summary>Output artifacts by output name.</summary>
    public Dictionary<string, ArtifactList>? Outputs { get; set; }
}

/// <summary>The ML Metadata execution of a task.</summary>
public sealed class TaskExecution
{
    /// <summary>NEW, RUNNING, COMPLETE, FAILED, CACHED, CANCELLED.</summary>
    public string? State { get; set; }

    /// <summary>Metadata; output parameters appear as <c>output:NAME</c>.</summary>
    public Dictionary<string, JsonElement>? Metadata { get; set; }
}

/// <summary>A list of runtime artifacts.</summary>
public sealed class ArtifactList
{
    /// <summary>The artifacts.</summary>
    public List<VertexArtifact>? Artifacts { get; set; }
}

/// <summary>A runtime artifact.</summary>
public sealed class VertexArtifact
{
    /// <summary>Its resource name.</summary>
    public string? Name { get; set; }

    /// <summary>Where it lives.</summary>
    public string? Uri { get; set; }

    /// <summary>Its metadata (for metrics, the logged values), as the step wrote it into its ExecutorOutput.</summary>
    public JsonElement? Metadata { get; set; }
}

/// <summary>A google.rpc.Status.</summary>
public sealed class RpcStatus
{
    /// <summary>The gRPC code.</summary>
    public int Code { get; set; }

    /// <summary>The message.</summary>
    public string? Message { get; set; }
}

/// <summary>A Vertex AI Schedule that creates a PipelineJob on a cron.</summary>
public sealed class Schedule
{
    /// <summary>projects/{project}/locations/{location}/schedules/{id}.</summary>
    public string? Name { get; set; }

    /// <summary>The name shown in the console.</summary>
    public string? DisplayName { get; set; }

    /// <summary>A cron expression, optionally prefixed with <c>TZ=Zone </c>.</summary>
    public string? Cron { get; set; }

    /// <summary>ACTIVE, PAUSED or COMPLETED.</summary>
    public string? State { get; set; }

    /// <summary>How many runs may overlap.</summary>
    public long? MaxConcurrentRunCount { get; set; }

    /// <summary>When the next run starts.</summary>
    public DateTimeOffset? NextRunTime { get; set; }

    /// <summary>The job each run creates.</summary>
    public CreatePipelineJobRequest? CreatePipelineJobRequest { get; set; }
}

/// <summary>The request a schedule replays.</summary>
public sealed class CreatePipelineJobRequest
{
    /// <summary>projects/{project}/locations/{location}.</summary>
    public string? Parent { get; set; }

    /// <summary>The job to create.</summary>
    public PipelineJob? PipelineJob { get; set; }
}

/// <summary>A page of schedules.</summary>
public sealed class ListSchedulesResponse
{
    /// <summary>The schedules.</summary>
    public List<Schedule>? Schedules { get; set; }

    /// <summary>The next page, if any.</summary>
    public string? NextPageToken { get; set; }
}

/// <summary>Source-generated JSON for the Vertex resources: no reflection, trimming- and AOT-safe.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PipelineJob))]
[JsonSerializable(typeof(Schedule))]
[JsonSerializable(typeof(MetadataContext))]
[JsonSerializable(typeof(AddContextChildrenRequest))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(ListSchedulesResponse))]
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
[JsonSerializable(typeof(string))]
public sealed partial class VertexJson : JsonSerializerContext;
