namespace PipelineSdk.Store;

/// <summary>A recorded schedule: a pipeline that an orchestrator runs on a cron.</summary>
/// <param name="Id">The schedule's id (for Vertex, the last segment of its resource name).</param>
/// <param name="DisplayName">Its name for people.</param>
/// <param name="Pipeline">The pipeline it runs.</param>
/// <param name="Cron">Five cron fields, optionally after <c>TZ=Zone</c>.</param>
/// <param name="Orchestrator">The orchestrator flavor that runs it.</param>
/// <param name="Stack">The stack it was created on.</param>
/// <param name="State">Its state as the orchestrator reports it (e.g. <c>ACTIVE</c>, <c>PAUSED</c>).</param>
/// <param name="ParametersJson">The parameter values every run gets, as a JSON object.</param>
/// <param name="RemoteUrl">Its console link, for a remote orchestrator.</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record ScheduleRecord(string Id, string DisplayName, string Pipeline, string Cron, string Orchestrator, string? Stack, string State, string ParametersJson, string? RemoteUrl, DateTimeOffset CreatedAt);
