using System.Text.Json.Serialization;
using PipelineSdk.Server.Api;

namespace PipelineSdk.Server.Dashboard;

/// <summary>Source-generated JSON for what only the dashboard asks for (no reflection, AOT-safe).</summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, UseStringEnumConverter = true, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(SignInRequest))]
[JsonSerializable(typeof(SessionBody))]
[JsonSerializable(typeof(RunPage))]
[JsonSerializable(typeof(List<ScheduleSummary>))]
[JsonSerializable(typeof(OverviewBody))]
[JsonSerializable(typeof(CacheExplanationBody))]
[JsonSerializable(typeof(TablePage))]
[JsonSerializable(typeof(List<RunMetrics>))]
[JsonSerializable(typeof(ComparisonBody))]
[JsonSerializable(typeof(List<ModelSummary>))]
internal sealed partial class DashboardJson : JsonSerializerContext;
