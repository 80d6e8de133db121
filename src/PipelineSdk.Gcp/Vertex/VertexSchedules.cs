using System.Text.Json;
using System.Text.RegularExpressions;
using PipelineSdk.Gcp.Auth;
using PipelineSdk.Stacks;
using PipelineSdk.Store;

namespace PipelineSdk.Gcp.Vertex;

/// <summary>
/// Cron schedules for pipelines through Vertex AI's schedules API, on a stack with a vertex orchestrator:
/// create (from a pipeline's spec and image), list, pause, resume, delete. The <c>pipelines schedule</c>
/// commands use it; programs can too.
/// </summary>
public sealed partial class VertexSchedules
{
    private readonly VertexClient _client;
    private readonly Stack _stack;
    private readonly IReadOnlyDictionary<string, string> _settings;

    private readonly ISecretsManager? _secrets;
    private readonly LiveRecordingTarget? _live;

    private VertexSchedules(VertexClient client, Stack stack, IReadOnlyDictionary<string, string> settings, ISecretsManager? secrets, LiveRecordingTarget? live)
    {
        _client = client;
        _stack = stack;
        _settings = settings;
        _secrets = secrets;
        _live = live;
    }

    /// <summary>
    /// Opens the schedules of <paramref name="stack"/>'s vertex orchestrator (settings' secret references resolved). When the
    /// store of <paramref name="storeDirectory"/> is a server's, the scheduled runs' steps record themselves to it as they run
    /// (a warning on <paramref name="warnings"/> when the orchestrator has no <c>server_token_secret</c> for that).
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

        return new VertexSchedules(client, stack, settings, secrets, live);
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
        return await _client.CreateScheduleAsync(new Schedule
        {
            DisplayName = displayName,
            Cron = cron,
            MaxConcurrentRunCount = maxConcurrentRuns,
            CreatePipelineJobRequest = new CreatePipelineJobRequest { Parent = $"projects/{_client.Project}/locations/{_client.Location}", PipelineJob = job },
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The schedules in the orchestrator's project and region.</summary>
    public Task<IReadOnlyList<Schedule>> ListAsync(CancellationToken cancellationToken = default) => _client.ListSchedulesAsync(cancellationToken);

    /// <summary>Pauses a schedule (by id or full resource name).</summary>
    public Task PauseAsync(string schedule, CancellationToken cancellationToken = default) => _client.PauseScheduleAsync(Id(schedule), cancellationToken);

    /// <summary>Resumes a schedule (by id or full resource name).</summary>
    public Task ResumeAsync(string schedule, CancellationToken cancellationToken = default) => _client.ResumeScheduleAsync(Id(schedule), cancellationToken);

    /// <summary>Deletes a schedule (by id or full resource name).</summary>
    public Task DeleteAsync(string schedule, CancellationToken cancellationToken = default) => _client.DeleteScheduleAsync(Id(schedule), cancellationToken);

    private string Setting(string name) =>
        _settings.GetValueOrDefault(name) ?? _stack.Orchestrator.Definition.Settings.First(s => s.Name == name).Default ?? "";

    private static string Id(string schedule) => schedule.Split('/')[^1];

    [GeneratedRegex(@"^(TZ=[A-Za-z_/+-]+ )?\S+ \S+ \S+ \S+ \S+$")]
    private static partial Regex CronPattern();
}
