using PipelineSdk.Stacks;

namespace PipelineSdk.Store.Remote;

/// <summary>
/// The store of a folder connected to a <c>pipelines server</c>: every record goes to and comes from the server's JSON API,
/// so a team shares stacks, runs and the cache. Local artifacts, step logs and local secrets stay in the folder; the
/// active stack is this client's, kept in the connection.
/// </summary>
public sealed class ServerStore : MetadataStore
{
    private readonly ServerApi _api;
    private readonly Lock _connectionGate = new();
    private ServerConnection _connection;

    /// <summary>Connects the store folder <paramref name="directory"/> to the server of <paramref name="connection"/>.</summary>
    public ServerStore(string directory, ServerConnection connection)
        : base(directory)
    {
        _connection = connection;
        _api = new ServerApi(connection.Url ?? throw new ArgumentException("the connection has no URL", nameof(connection)),
            connection.Token ?? throw new ArgumentException("the connection has no token", nameof(connection)));
    }

    /// <inheritdoc />
    public override string Location => _api.Url;

    /// <summary>
    /// Checks, without retrying, that a PipelineSdk server answers at <paramref name="url"/> and accepts <paramref name="token"/>;
    /// returns the server's version.
    /// </summary>
    /// <exception cref="StackException">No server answers, or it refuses the token; the message says which.</exception>
    public static string Check(string url, string token)
    {
        using var api = new ServerApi(ServerConnection.CheckUrl(url), token, TimeSpan.Zero);
        var health = api.Get("api/v1/health", RemoteJson.Default.HealthResponse)!;
        api.Get("api/v1/stacks", RemoteJson.Default.ListStackBody);
        return health.Version;
    }

    /// <inheritdoc />
    public override void CreateRun(string runId, string pipeline, DateTimeOffset startedAt, string parametersJson, string orchestrator, string? stack = null, RunOwner? owner = null, string? specJson = null, string? experiment = null) =>
        _api.Send(HttpMethod.Put, Run(runId), new CreateRunRequest(pipeline, startedAt, parametersJson, orchestrator, stack, owner, specJson, experiment), RemoteJson.Default.CreateRunRequest);

    /// <inheritdoc />
    public override void LogRunMetadata(string runId, string metadataJson, long? stepRunId = null) =>
        _api.Send(HttpMethod.Post, Run(runId) + "/metadata" + (stepRunId is { } step ? "?stepRun=" + ServerApi.Segment(step) : ""), MetadataBody(metadataJson),
            RemoteJson.Default.DictionaryStringJsonElement);

    /// <inheritdoc />
    public override void LogStepRunMetadata(long stepRunId, string metadataJson) =>
        _api.Send(HttpMethod.Post, StepRun(stepRunId) + "/metadata", MetadataBody(metadataJson), RemoteJson.Default.DictionaryStringJsonElement);

    /// <inheritdoc />
    public override IReadOnlyList<ExperimentRecord> ListExperiments() => _api.Get("api/v1/experiments", RemoteJson.Default.ListExperimentRecord)!;

    /// <inheritdoc />
    public override void SetRunRemote(string runId, string remoteId, string remoteUrl) =>
        _api.Send(HttpMethod.Post, Run(runId) + "/remote", new RunRemoteRequest(remoteId, remoteUrl), RemoteJson.Default.RunRemoteRequest);

    /// <inheritdoc />
    public override void EndRun(string runId, RunStatus status, DateTimeOffset endedAt, string? error) =>
        _api.Send(HttpMethod.Post, Run(runId) + "/end", new EndRunRequest(status, endedAt, error), RemoteJson.Default.EndRunRequest);

    /// <inheritdoc />
    public override void Heartbeat(string runId, DateTimeOffset at) =>
        _api.Send(HttpMethod.Post, Run(runId) + "/heartbeat", new HeartbeatRequest(at), RemoteJson.Default.HeartbeatRequest);

    /// <inheritdoc />
    public override bool MarkRunCrashed(string runId, DateTimeOffset at, string reason) =>
        _api.Send(HttpMethod.Post, Run(runId) + "/crashed", new CrashRequest(at, reason), RemoteJson.Default.CrashRequest, RemoteJson.Default.ChangedResponse)!.Changed;

    /// <inheritdoc />
    public override string? GetRunSpec(string runId) => _api.Get(Run(runId) + "/spec", RemoteJson.Default.SpecResponse, missingIsNull: true)?.Spec;

    /// <inheritdoc />
    public override long StartStepRun(string runId, string taskKey, string stepName, DateTimeOffset startedAt, string? cacheKey, string? cacheKeyParts, IReadOnlyList<string>? dependsOn = null, bool? cacheEnabled = null, bool nextAttempt = false) =>
        _api.Send(HttpMethod.Post, Run(runId) + "/steps", new StartStepRunRequest(taskKey, stepName, startedAt, cacheKey, cacheKeyParts, dependsOn, cacheEnabled, nextAttempt),
            RemoteJson.Default.StartStepRunRequest, RemoteJson.Default.IdResponse)!.Id;

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, ArtifactRecord> FinishStepRun(
        long stepRunId,
        StepStatus status,
        DateTimeOffset endedAt,
        string? error,
        IReadOnlyList<StepInputRecord> inputs,
        IReadOnlyList<NewArtifact> producedOutputs,
        CachedStepRun? reusedFrom = null,
        string? logPath = null) =>
        _api.Send(HttpMethod.Post, StepRun(stepRunId) + "/finish", new FinishStepRunRequest(status, endedAt, inputs, producedOutputs, error, reusedFrom, logPath),
            RemoteJson.Default.FinishStepRunRequest, RemoteJson.Default.DictionaryStringArtifactRecord)!;

    /// <inheritdoc />
    public override void RecordAttempt(long stepRunId, StepAttemptRecord attempt) =>
        _api.Send(HttpMethod.Post, StepRun(stepRunId) + "/attempts", attempt, RemoteJson.Default.StepAttemptRecord);

    /// <inheritdoc />
    public override IReadOnlyList<StepAttemptRecord> GetAttempts(long stepRunId) =>
        _api.Get(StepRun(stepRunId) + "/attempts", RemoteJson.Default.ListStepAttemptRecord, missingIsNull: true) ?? [];

    /// <inheritdoc />
    public override void RecordNotRun(string runId, string taskKey, string stepName, string reason, IReadOnlyList<string>? dependsOn = null, StepStatus status = StepStatus.NotRun) =>
        _api.Send(HttpMethod.Post, Run(runId) + "/not-run", new NotRunRequest(taskKey, stepName, reason, dependsOn, status), RemoteJson.Default.NotRunRequest);

    /// <inheritdoc />
    public override CachedStepRun? FindCachedStepRun(string pipeline, string cacheKey) =>
        _api.Get($"api/v1/cache?pipeline={ServerApi.Segment(pipeline)}&key={ServerApi.Segment(cacheKey)}", RemoteJson.Default.CachedStepRun, missingIsNull: true);

    /// <inheritdoc />
    public override RunRecord? GetRun(string runId) => _api.Get(Run(runId), RemoteJson.Default.RunRecord, missingIsNull: true);

    /// <inheritdoc />
    public override IReadOnlyList<RunRecord> ListRuns(RunQuery query)
    {
        var path = $"api/v1/runs?limit={ServerApi.Segment(query.Limit)}"
            + (query.Pipeline is null ? "" : $"&pipeline={ServerApi.Segment(query.Pipeline)}")
            + (query.Status is null ? "" : $"&status={query.Status}")
            + (query.Experiment is null ? "" : $"&experiment={ServerApi.Segment(query.Experiment)}")
            + string.Concat(query.Where.Select(c => $"&where={ServerApi.Segment(c.ToString())}"));
        return _api.Get(path, RemoteJson.Default.ListRunRecord)!;
    }

    /// <inheritdoc />
    public override IReadOnlyList<StepRunRecord> GetStepRuns(string runId) => _api.Get(Run(runId) + "/steps", RemoteJson.Default.ListStepRunRecord, missingIsNull: true) ?? [];

    /// <inheritdoc />
    public override StepRunRecord? GetStepRun(long stepRunId) => _api.Get(StepRun(stepRunId), RemoteJson.Default.StepRunRecord, missingIsNull: true);

    /// <inheritdoc />
    public override StepRunRecord? FindPreviousStepRun(string pipeline, string taskKey, long beforeStepRunId) =>
        _api.Get($"api/v1/step-runs/previous?pipeline={ServerApi.Segment(pipeline)}&taskKey={ServerApi.Segment(taskKey)}&before={ServerApi.Segment(beforeStepRunId)}",
            RemoteJson.Default.StepRunRecord, missingIsNull: true);

    /// <inheritdoc />
    public override ArtifactRecord? GetArtifact(long artifactId) => _api.Get(Artifact(artifactId), RemoteJson.Default.ArtifactRecord, missingIsNull: true);

    /// <inheritdoc />
    public override IReadOnlyList<StepRunRecord> GetConsumers(long artifactId) =>
        _api.Get(Artifact(artifactId) + "/consumers", RemoteJson.Default.ListStepRunRecord, missingIsNull: true) ?? [];

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, ArtifactRecord> GetOutputs(long stepRunId) =>
        _api.Get(StepRun(stepRunId) + "/outputs", RemoteJson.Default.DictionaryStringArtifactRecord, missingIsNull: true) ?? [];

    /// <inheritdoc />
    public override IReadOnlyList<StepInputRecord> GetInputs(long stepRunId) =>
        _api.Get(StepRun(stepRunId) + "/inputs", RemoteJson.Default.ListStepInputRecord, missingIsNull: true) ?? [];

    /// <summary>Opens an artifact's content as the server streams it; dispose the stream.</summary>
    /// <exception cref="StackException">There is no such artifact, or the server cannot read its content.</exception>
    public Stream OpenArtifactContent(long artifactId)
    {
        var response = _api.Open(Artifact(artifactId) + "/content");
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw new StackException($"the server cannot stream artifact {artifactId} ({(int)response.StatusCode} {response.ReasonPhrase})");
            }
        }

        return response.Content.ReadAsStream();
    }

    /// <summary>The secrets that components on the server reference, by name only (values never leave a secrets manager).</summary>
    public IReadOnlyList<(string Secret, string Key, string Component, string Setting)> ListSecretReferences() =>
        [.. _api.Get("api/v1/secret-references", RemoteJson.Default.ListSecretReferenceBody)!.Select(r => (r.Secret, r.Key, $"{r.ComponentType} {r.Component}", r.Setting))];

    /// <inheritdoc />
    public override void RegisterComponent(Component component) =>
        _api.Send(HttpMethod.Post, Components(component.Type), ComponentBody.From(component), RemoteJson.Default.ComponentBody);

    /// <inheritdoc />
    public override void UpdateComponent(Component component) =>
        _api.Send(HttpMethod.Put, Components(component.Type) + "/" + ServerApi.Segment(component.Name), ComponentBody.From(component), RemoteJson.Default.ComponentBody);

    /// <inheritdoc />
    public override Component GetComponent(ComponentType type, string name) =>
        _api.Get(Components(type) + "/" + ServerApi.Segment(name), RemoteJson.Default.ComponentBody)!.ToComponent();

    /// <inheritdoc />
    public override IReadOnlyList<Component> ListComponents(ComponentType type) =>
        [.. _api.Get(Components(type), RemoteJson.Default.ListComponentBody)!.Select(c => c.ToComponent())];

    /// <inheritdoc />
    public override void DeleteComponent(ComponentType type, string name) => _api.Send(HttpMethod.Delete, Components(type) + "/" + ServerApi.Segment(name));

    /// <inheritdoc />
    public override Stack RegisterStack(string name, IReadOnlyDictionary<ComponentType, string> componentNames) =>
        _api.Send(HttpMethod.Post, "api/v1/stacks", new RegisterStackRequest(name, componentNames.ToDictionary(c => c.Key.CommandName(), c => c.Value, StringComparer.Ordinal)),
            RemoteJson.Default.RegisterStackRequest, RemoteJson.Default.StackBody)!.ToStack();

    /// <inheritdoc />
    public override Stack UpdateStack(string name, IReadOnlyDictionary<ComponentType, string?> changes) =>
        _api.Send(HttpMethod.Patch, Stack(name), new UpdateStackRequest(changes.ToDictionary(c => c.Key.CommandName(), c => c.Value, StringComparer.Ordinal)),
            RemoteJson.Default.UpdateStackRequest, RemoteJson.Default.StackBody)!.ToStack();

    /// <inheritdoc />
    public override Stack GetStack(string name) => _api.Get(Stack(name), RemoteJson.Default.StackBody)!.ToStack();

    /// <inheritdoc />
    public override IReadOnlyList<Stack> ListStacks() => [.. _api.Get("api/v1/stacks", RemoteJson.Default.ListStackBody)!.Select(s => s.ToStack())];

    /// <inheritdoc />
    public override void DeleteStack(string name)
    {
        if (name == ActiveStackName && name != Stacks.Stack.DefaultName)
        {
            GetStack(name);
            throw new StackException($"stack '{name}' is active; activate another first with `pipelines stack set default`");
        }

        _api.Send(HttpMethod.Delete, Stack(name));
    }

    /// <inheritdoc />
    public override string ActiveStackName
    {
        get
        {
            lock (_connectionGate)
            {
                return _connection.ActiveStack ?? Stacks.Stack.DefaultName;
            }
        }
    }

    /// <inheritdoc />
    public override void SetActiveStack(string name)
    {
        GetStack(name);
        lock (_connectionGate)
        {
            // Kept beside the connection, so each client of a shared server has its own active stack.
            var saved = ServerConnection.Read(Directory) ?? new ServerConnection(null, null);
            (saved with { ActiveStack = name }).Save(Directory);
            _connection = _connection with { ActiveStack = name };
        }
    }

    /// <inheritdoc />
    public override void SaveSchedule(ScheduleRecord schedule) =>
        _api.Send(HttpMethod.Put, Schedule(schedule.Id), schedule, RemoteJson.Default.ScheduleRecord);

    /// <inheritdoc />
    public override ScheduleRecord? GetSchedule(string id) => _api.Get(Schedule(id), RemoteJson.Default.ScheduleRecord, missingIsNull: true);

    /// <inheritdoc />
    public override IReadOnlyList<ScheduleRecord> ListSchedules() => _api.Get("api/v1/schedules", RemoteJson.Default.ListScheduleRecord)!;

    /// <inheritdoc />
    public override bool SetScheduleState(string id, string state) =>
        _api.Send(HttpMethod.Post, Schedule(id) + "/state", new ScheduleStateRequest(state), RemoteJson.Default.ScheduleStateRequest, RemoteJson.Default.ChangedResponse, missingIsNull: true) is not null;

    /// <inheritdoc />
    public override bool DeleteSchedule(string id) =>
        _api.Call(HttpMethod.Delete, Schedule(id), RemoteJson.Default.ChangedResponse, missingIsNull: true) is not null;

    /// <inheritdoc />
    public override IReadOnlyList<ArtifactNameRecord> ListArtifactNames() => _api.Get("api/v1/artifact-names", RemoteJson.Default.ListArtifactNameRecord)!;

    /// <inheritdoc />
    public override IReadOnlyList<ArtifactVersionRecord> ListArtifactVersions(string name) =>
        _api.Get(ArtifactName(name) + "/versions", RemoteJson.Default.ListArtifactVersionRecord)!;

    /// <inheritdoc />
    public override bool TagArtifactVersion(string name, int version, string tag) =>
        _api.Send(HttpMethod.Post, ArtifactName(name) + "/versions/" + ServerApi.Segment(version) + "/tags", new TagRequest(tag),
            RemoteJson.Default.TagRequest, RemoteJson.Default.ChangedResponse, missingIsNull: true) is not null;

    /// <inheritdoc />
    public override IReadOnlyList<StageChangeRecord> SetModelStage(string name, int version, ModelStage stage, bool keepOthers, string changedBy, DateTimeOffset at) =>
        _api.Send(HttpMethod.Post, ArtifactName(name) + "/versions/" + ServerApi.Segment(version) + "/stage", new StageRequest(stage, keepOthers, changedBy, at),
            RemoteJson.Default.StageRequest, RemoteJson.Default.ListStageChangeRecord)!;

    /// <inheritdoc />
    public override IReadOnlyList<StageChangeRecord> GetStageChanges(string name) =>
        _api.Get(ArtifactName(name) + "/stage-changes", RemoteJson.Default.ListStageChangeRecord)!;

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _api.Dispose();
        }
    }

    private static Dictionary<string, System.Text.Json.JsonElement> MetadataBody(string metadataJson) =>
        System.Text.Json.JsonSerializer.Deserialize(metadataJson, RemoteJson.Default.DictionaryStringJsonElement)
        ?? throw new FormatException("metadata must be a JSON object");

    private static string Run(string runId) => "api/v1/runs/" + ServerApi.Segment(runId);

    private static string StepRun(long stepRunId) => "api/v1/step-runs/" + ServerApi.Segment(stepRunId);

    private static string Artifact(long artifactId) => "api/v1/artifacts/" + ServerApi.Segment(artifactId);

    private static string ArtifactName(string name) => "api/v1/artifact-names/" + ServerApi.Segment(name);

    private static string Components(ComponentType type) => "api/v1/components/" + type.CommandName();

    private static string Stack(string name) => "api/v1/stacks/" + ServerApi.Segment(name);

    private static string Schedule(string id) => "api/v1/schedules/" + ServerApi.Segment(id);
}
