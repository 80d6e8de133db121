using System.Text.Json.Serialization;
using PipelineSdk.Stacks;

namespace PipelineSdk.Store.Remote;

// The bodies of the server's JSON API (/api/v1), shared by the server and its client so both read and write the same shapes.
// Nullable fields may be left out. Records the store already has (RunRecord, StepRunRecord, ArtifactRecord, ...) travel as they are.

internal sealed record CreateRunRequest(string Pipeline, DateTimeOffset StartedAt, string ParametersJson, string Orchestrator, string? Stack = null, RunOwner? Owner = null, string? SpecJson = null, string? Experiment = null);

internal sealed record RunRemoteRequest(string RemoteId, string RemoteUrl);

internal sealed record EndRunRequest(RunStatus Status, DateTimeOffset EndedAt, string? Error = null);

internal sealed record HeartbeatRequest(DateTimeOffset At);

internal sealed record CrashRequest(DateTimeOffset At, string Reason);

internal sealed record ChangedResponse(bool Changed);

internal sealed record SpecResponse(string? Spec);

internal sealed record StartStepRunRequest(string TaskKey, string StepName, DateTimeOffset StartedAt, string? CacheKey = null, string? CacheKeyParts = null, IReadOnlyList<string>? DependsOn = null, bool? CacheEnabled = null, bool NextAttempt = false);

internal sealed record IdResponse(long Id);

internal sealed record FinishStepRunRequest(StepStatus Status, DateTimeOffset EndedAt, IReadOnlyList<StepInputRecord> Inputs, IReadOnlyList<NewArtifact> ProducedOutputs, string? Error = null, CachedStepRun? ReusedFrom = null, string? LogPath = null);

internal sealed record NotRunRequest(string TaskKey, string StepName, string Reason, IReadOnlyList<string>? DependsOn = null, StepStatus Status = StepStatus.NotRun);

internal sealed record ComponentBody(string Type, string Name, string Flavor, Dictionary<string, string> Settings)
{
    public static ComponentBody From(Component component) =>
        new(component.Type.CommandName(), component.Name, component.Flavor, new Dictionary<string, string>(component.Settings, StringComparer.Ordinal));

    public Component ToComponent() =>
        new(ComponentTypeNames.Parse(Type) ?? throw new StackException($"unknown component type '{Type}'"), Name, Flavor, Settings);
}

internal sealed record StackBody(string Name, List<ComponentBody> Components)
{
    public static StackBody From(Stack stack) => new(stack.Name, [.. stack.Components.Values.OrderBy(c => c.Type).Select(ComponentBody.From)]);

    public Stack ToStack() => new(Name, Components.Select(c => c.ToComponent()).ToDictionary(c => c.Type));
}

internal sealed record RegisterStackRequest(string Name, Dictionary<string, string> Components);

internal sealed record UpdateStackRequest(Dictionary<string, string?> Changes);

internal sealed record ScheduleStateRequest(string State);

/// <summary>Where a component setting references a secret: the names only, never a value.</summary>
internal sealed record SecretReferenceBody(string Secret, string Key, string ComponentType, string Component, string Setting);

internal sealed record TagRequest(string Tag);

internal sealed record StageRequest(ModelStage Stage, bool KeepOthers, string ChangedBy, DateTimeOffset At);

internal sealed record HealthResponse(string Status, string Version);

/// <summary>An error as RFC 9457 problem details.</summary>
internal sealed record ApiProblem(string? Type, string? Title, int? Status, string? Detail);

/// <summary>Source-generated JSON for the server's API (no reflection, AOT-safe); a missing required field is an error.</summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, UseStringEnumConverter = true, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(CreateRunRequest))]
[JsonSerializable(typeof(RunRemoteRequest))]
[JsonSerializable(typeof(EndRunRequest))]
[JsonSerializable(typeof(HeartbeatRequest))]
[JsonSerializable(typeof(CrashRequest))]
[JsonSerializable(typeof(ChangedResponse))]
[JsonSerializable(typeof(SpecResponse))]
[JsonSerializable(typeof(StartStepRunRequest))]
[JsonSerializable(typeof(IdResponse))]
[JsonSerializable(typeof(FinishStepRunRequest))]
[JsonSerializable(typeof(NotRunRequest))]
[JsonSerializable(typeof(ComponentBody))]
[JsonSerializable(typeof(List<ComponentBody>))]
[JsonSerializable(typeof(StackBody))]
[JsonSerializable(typeof(List<StackBody>))]
[JsonSerializable(typeof(RegisterStackRequest))]
[JsonSerializable(typeof(UpdateStackRequest))]
[JsonSerializable(typeof(ScheduleStateRequest))]
[JsonSerializable(typeof(List<SecretReferenceBody>))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(ApiProblem))]
[JsonSerializable(typeof(RunRecord))]
[JsonSerializable(typeof(List<RunRecord>))]
[JsonSerializable(typeof(StepRunRecord))]
[JsonSerializable(typeof(List<StepRunRecord>))]
[JsonSerializable(typeof(ArtifactRecord))]
[JsonSerializable(typeof(Dictionary<string, ArtifactRecord>))]
[JsonSerializable(typeof(List<StepInputRecord>))]
[JsonSerializable(typeof(StepAttemptRecord))]
[JsonSerializable(typeof(List<StepAttemptRecord>))]
[JsonSerializable(typeof(CachedStepRun))]
[JsonSerializable(typeof(ScheduleRecord))]
[JsonSerializable(typeof(List<ScheduleRecord>))]
[JsonSerializable(typeof(ServerConnection))]
[JsonSerializable(typeof(Dictionary<string, System.Text.Json.JsonElement>))]
[JsonSerializable(typeof(List<ExperimentRecord>))]
[JsonSerializable(typeof(TagRequest))]
[JsonSerializable(typeof(StageRequest))]
[JsonSerializable(typeof(List<ArtifactNameRecord>))]
[JsonSerializable(typeof(List<ArtifactVersionRecord>))]
[JsonSerializable(typeof(List<StageChangeRecord>))]
internal sealed partial class RemoteJson : JsonSerializerContext;
