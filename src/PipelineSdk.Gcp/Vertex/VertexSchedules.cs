using System.Text.Json;
using System.Text.RegularExpressions;
using PipelineSdk.Gcp.Auth;
using PipelineSdk.Stacks;
using PipelineSdk.Store;

namespace PipelineSdk.Gcp.Vertex;

/// <summary>
/// Cron schedules for pipelines through Vertex AI's schedules API, on a stack with a vertex orchestrator:
/// create (from a pipeline's spec and image), list, pause, resume, delete. Each change is recorded in the store too
/// (<see cref="MetadataStore.SaveSchedule"/>), so a team connected to one server sees every member's schedules. The
/// <c>pipelines schedule</c> commands use it; programs can too.
/// </summary>
public sealed partial class VertexSchedules
{
    private readonly VertexClient _client;
    private readonly Stack _stack;
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly string _storeDirectory;
    private readonly TextWriter _warnings;

    private readonly ISecretsManager? _secrets;
    private readonly LiveRecordingTarget? _live;

    private VertexSchedules(VertexClient client, Stack stack, IReadOnlyDictionary<string, string> settings, string storeDirectory, TextWriter warnings, ISecretsManager? secrets, LiveRecordingTarget? live)
    {
        _client = client;
        _stack = stack;
        _settings = settings;
        _storeDirectory = storeDirectory;
        _warnings = warnings;
        _secrets = secrets;
        _live = live;
    }

    /// <summary>
    /// Opens the schedules of <paramref name="stack"/>'s vertex orchestrator (settings' secret references resolved). When the
    /// store of <paramref name="storeDirectory"/> is a server's, the scheduled runs' steps record themselves to it as they run
    /// (a warning on <paramref name="warnings"/> when the orchestrator has no <c>server_token_secret</c> for that, or when a
    /// change made on Vertex AI could not be recorded in the store).
    /// </summary>
    /// <exception cref="StackException">The stack does not run on Vertex AI.</exception>
    public static async Task<VertexSchedules> OpenAsync(Stack stack, string storeDirectory, GoogleAuth? auth = null, CancellationToken cancellationToken = default, TextWriter? warnings = null)
    {
        var orchestrator = stack.Orchestrator;
        if (orchestrator.Flavor != VertexOrchestrator.Flavor)
        {
            throw new StackException($"stack '{stack.Name}' runs on the {orchestrator.Flavor} orchestrator; schedules need a stack with a vertex orchestrator (see `pipelines stack list`)");
        }

        var secrets = StackComponents.CreateSecretsManager(stack, storeDirectory);
        var settings = await SecretReference.ResolveAsync(orchestrator.Settings, secrets, cancellationToken).ConfigureAwait(false);
        var client = new VertexClient(settings["project"], settings["location"], auth ?? new GoogleAuth());
        LiveRecordingTarget? live;
        using (var store = MetadataStore.Open(storeDirectory))
        {
            live = VertexJobs.LiveTarget(store, stack, settings.GetValueOrDefault("server_token_secret") ?? "", warnings ?? TextWriter.Null);
        }

        return new VertexSchedules(client, stack, settings, storeDirectory, warnings ?? TextWriter.Null, secrets, live);
    }

    /// <summary>Creates a schedule that runs <paramref name="specJson"/> with <paramref name="image"/> on <paramref name="cron"/>.</summary>
    /// <exception cref="StackException">The cron expression or a parameter is invalid, or Vertex AI refused.</exception>
    public async Task<Schedule> CreateAsync(string displayName, string specJson, string image, string cron, IReadOnlyDictionary<string, JsonElement> parameterValues, int maxConcurrentRuns = 1, CancellationToken cancellationToken = default)
    {
        if (!CronPattern().IsMatch(cron))
        {
            throw new StackException($"'{cron}' is not a cron expression: give five fields (minute hour day month weekday), optionally after TZ=Zone, e.g. \"0 6 * * 1\"");
        }

        var pipelineRoot = await VertexOrchestrator.ResolvedSettingAsync(_stack.ArtifactStore, "path", _secrets, cancellationToken).ConfigureAwait(false);
        var job = VertexJobs.Build(displayName, specJson, image, pipelineRoot, new Dictionary<string, JsonElement>(parameterValues), Setting, _live);
        var created = await _client.CreateScheduleAsync(new Schedule
        {
            DisplayName = displayName,
            Cron = cron,
            MaxConcurrentRunCount = maxConcurrentRuns,
            CreatePipelineJobRequest = new CreatePipelineJobRequest { Parent = $"projects/{_client.Project}/locations/{_client.Location}", PipelineJob = job },
        }, cancellationToken).ConfigureAwait(false);
        Record(created.Name, store => store.SaveSchedule(RecordOf(created, job, DateTimeOffset.UtcNow)));
        return created;
    }

    /// <summary>The schedules in the orchestrator's project and region.</summary>
    public Task<IReadOnlyList<Schedule>> ListAsync(CancellationToken cancellationToken = default) => _client.ListSchedulesAsync(cancellationToken);

    /// <summary>
    /// Lists the schedules in the orchestrator's project and region and brings the store's records of them up to date: new
    /// states, schedules made elsewhere (the console), and forgetting those of this stack that Vertex AI no longer has.
    /// Returns every recorded schedule as it is now (other stacks' too), even where the store refused the update.
    /// </summary>
    public async Task<ScheduleListing> RefreshRecordsAsync(CancellationToken cancellationToken = default)
    {
        var schedules = (await ListAsync(cancellationToken).ConfigureAwait(false)).Where(s => s.Name is not null).ToList();
        IReadOnlyList<ScheduleRecord> recorded;
        using (var store = MetadataStore.Open(_storeDirectory))
        {
            recorded = store.ListSchedules();
        }

        var known = recorded.ToDictionary(r => r.Id, StringComparer.Ordinal);
        var fresh = schedules.Select(s => known.GetValueOrDefault(Id(s.Name!)) is { } k
            ? RecordOf(s, s.CreatePipelineJobRequest?.PipelineJob, k.CreatedAt) with { Stack = k.Stack, RemoteUrl = k.RemoteUrl }
            : RecordOf(s, s.CreatePipelineJobRequest?.PipelineJob, DateTimeOffset.UtcNow)).ToList();
        var present = fresh.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var gone = recorded.Where(r => r.Stack == _stack.Name && r.Orchestrator == VertexOrchestrator.Flavor && !present.Contains(r.Id)).ToList();
        var changed = fresh.Where(r => known.GetValueOrDefault(r.Id) != r).ToList();
        if (changed.Count > 0 || gone.Count > 0)
        {
            Record(null, store =>
            {
                changed.ForEach(store.SaveSchedule);
                gone.ForEach(r => store.DeleteSchedule(r.Id));
            });
        }

        var records = recorded.Where(r => !present.Contains(r.Id) && !gone.Contains(r)).Concat(fresh).OrderBy(r => r.CreatedAt).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
        return new ScheduleListing(records, schedules.Where(s => s.NextRunTime is not null).ToDictionary(s => Id(s.Name!), s => s.NextRunTime!.Value, StringComparer.Ordinal));
    }

    /// <summary>Pauses a schedule (by id or full resource name).</summary>
    public async Task PauseAsync(string schedule, CancellationToken cancellationToken = default)
    {
        await _client.PauseScheduleAsync(Id(schedule), cancellationToken).ConfigureAwait(false);
        Record(schedule, store => store.SetScheduleState(Id(schedule), "PAUSED"));
    }

    /// <summary>Resumes a schedule (by id or full resource name).</summary>
    public async Task ResumeAsync(string schedule, CancellationToken cancellationToken = default)
    {
        await _client.ResumeScheduleAsync(Id(schedule), cancellationToken).ConfigureAwait(false);
        Record(schedule, store => store.SetScheduleState(Id(schedule), "ACTIVE"));
    }

    /// <summary>Deletes a schedule (by id or full resource name).</summary>
    public async Task DeleteAsync(string schedule, CancellationToken cancellationToken = default)
    {
        await _client.DeleteScheduleAsync(Id(schedule), cancellationToken).ConfigureAwait(false);
        Record(schedule, store => store.DeleteSchedule(Id(schedule)));
    }

    private ScheduleRecord RecordOf(Schedule schedule, PipelineJob? job, DateTimeOffset createdAt) => new(
        Id(schedule.Name ?? ""),
        schedule.DisplayName ?? "",
        PipelineName(job) ?? schedule.DisplayName ?? "",
        schedule.Cron ?? "",
        VertexOrchestrator.Flavor,
        _stack.Name,
        schedule.State ?? "ACTIVE",
        job?.RuntimeConfig?.ParameterValues is { } values ? JsonSerializer.Serialize(values, VertexJson.Default.DictionaryStringJsonElement) : "{}",
        null,
        createdAt);

    private static string? PipelineName(PipelineJob? job) =>
        job?.PipelineSpec is { ValueKind: JsonValueKind.Object } spec && spec.TryGetProperty("pipelineInfo", out var info) && info.TryGetProperty("name", out var name) ? name.GetString() : null;

    // Vertex AI holds the schedule either way; a store that refuses the record (a read token, a server down) is worth a warning, not a failure.
    private void Record(string? schedule, Action<MetadataStore> write)
    {
        try
        {
            using var store = MetadataStore.Open(_storeDirectory);
            write(store);
        }
        catch (Exception e) when (e is StackException or System.Data.Common.DbException or IOException or UnauthorizedAccessException)
        {
            _warnings.WriteLine($"warning: {(schedule is null ? "the schedules" : $"schedule {Id(schedule)}")} changed on Vertex AI but not in the store ({e.Message})");
        }
    }

    private string Setting(string name) =>
        _settings.GetValueOrDefault(name) ?? _stack.Orchestrator.Definition.Settings.First(s => s.Name == name).Default ?? "";

    private static string Id(string schedule) => schedule.Split('/')[^1];

    [GeneratedRegex(@"^(TZ=[A-Za-z_/+-]+ )?\S+ \S+ \S+ \S+ \S+$")]
    private static partial Regex CronPattern();
}

/// <summary>The recorded schedules as Vertex AI reports them now.</summary>
/// <param name="Records">Every recorded schedule, oldest first.</param>
/// <param name="NextRuns">When each schedule Vertex AI knows runs next, by id.</param>
public sealed record ScheduleListing(IReadOnlyList<ScheduleRecord> Records, IReadOnlyDictionary<string, DateTimeOffset> NextRuns);
