using PipelineSdk.Stacks;
using PipelineSdk.Store.Sql;

namespace PipelineSdk.Store;

/// <summary>
/// The metadata store: stacks and components, runs, step runs, artifacts and lineage. One abstraction with three
/// backends that behave the same — the embedded SQLite file (the default), PostgreSQL (behind a team's server) and the
/// HTTP client of <c>pipelines server</c> (after <c>pipelines connect</c>). Safe to share between threads. Writes are
/// idempotent where a client may retry them (a run by id, a step run by run and task key).
/// </summary>
public abstract partial class MetadataStore : IDisposable
{
    /// <summary>The database file name of the embedded store inside the store folder.</summary>
    public const string DatabaseFileName = "metadata.db";

    private protected MetadataStore(string directory) => Directory = directory;

    /// <summary>The local store folder: local artifacts, step logs, local secrets and the connection live here.</summary>
    public string Directory { get; }

    /// <summary>Where the records are kept, for people: a database file, a PostgreSQL database or a server URL.</summary>
    public abstract string Location { get; }

    /// <summary>
    /// Opens the store that programs and the CLI in <paramref name="directory"/> use: the server it is connected to
    /// (<c>pipelines connect</c>, or <c>PIPELINES_SERVER_URL</c>), else the embedded SQLite store in that folder.
    /// </summary>
    /// <exception cref="StackException">The folder, the database or the connection cannot be used.</exception>
    public static MetadataStore Open(string directory) =>
        Remote.ServerConnection.Find(directory) is { } connection ? new Remote.ServerStore(directory, connection) : SqlMetadataStore.OpenSqlite(directory);

    /// <summary>
    /// Opens the store for commands that only read it: like <see cref="Open"/>, but an existing embedded store that cannot
    /// be written (a read-only folder or file system) is opened read-only instead of failing.
    /// </summary>
    /// <exception cref="EnvironmentException">The folder or database cannot be used.</exception>
    public static MetadataStore OpenForReading(string directory)
    {
        try
        {
            return Open(directory);
        }
        catch (EnvironmentException e) when (e.Problem == EnvironmentProblem.StoreNotWritable && File.Exists(SqlMetadataStore.SqlitePath(directory)))
        {
            return SqlMetadataStore.OpenSqliteReadOnly(directory);
        }
    }

    /// <summary>Records the start of a run (a run that exists already is left as it is), in <paramref name="experiment"/> when one is given.</summary>
    public abstract void CreateRun(string runId, string pipeline, DateTimeOffset startedAt, string parametersJson, string orchestrator, string? stack = null, RunOwner? owner = null, string? specJson = null, string? experiment = null);

    /// <summary>
    /// Adds metadata a step logged for its run (<c>StepContext.LogMetadata</c>): each key of the JSON object
    /// <paramref name="metadataJson"/> is set, replacing a value logged before under the same key; other keys stay. With
    /// <paramref name="stepRunId"/>, the step run that logged it: a later cache hit on that step run brings these keys to
    /// its own run (see <see cref="FinishStepRun"/>).
    /// </summary>
    public abstract void LogRunMetadata(string runId, string metadataJson, long? stepRunId = null);

    /// <summary>Adds metadata a step logged for its own step run, key by key as <see cref="LogRunMetadata"/> does.</summary>
    public abstract void LogStepRunMetadata(long stepRunId, string metadataJson);

    /// <summary>The experiments runs were recorded in, newest activity first.</summary>
    public abstract IReadOnlyList<ExperimentRecord> ListExperiments();

    /// <summary>Records where a remotely orchestrated run lives (its resource name and console link).</summary>
    public abstract void SetRunRemote(string runId, string remoteId, string remoteUrl);

    /// <summary>Records how a run ended.</summary>
    public abstract void EndRun(string runId, RunStatus status, DateTimeOffset endedAt, string? error);

    /// <summary>Records that the process owning a running run is alive.</summary>
    public abstract void Heartbeat(string runId, DateTimeOffset at);

    /// <summary>
    /// Marks a run whose owner is gone as <see cref="RunStatus.Crashed"/>, and its running step runs likewise. Does nothing to a
    /// run that is no longer running.
    /// </summary>
    /// <returns>Whether the run was running and is now marked crashed.</returns>
    public abstract bool MarkRunCrashed(string runId, DateTimeOffset at, string reason);

    /// <summary>The pipeline spec a run was started with, if it was recorded.</summary>
    public abstract string? GetRunSpec(string runId);

    /// <summary>
    /// Records that a step started running; returns the step run's id. Starting the same task of the same run again
    /// (a client retrying) returns the id recorded the first time. With <paramref name="nextAttempt"/> (a step container
    /// that a remote orchestrator such as Vertex AI may retry), a task whose step run failed runs again as its next attempt
    /// (what the failed attempt consumed is forgotten; its error stays in <see cref="GetAttempts"/> when it was recorded
    /// there); without it a failed step run stays as it ended.
    /// </summary>
    public abstract long StartStepRun(string runId, string taskKey, string stepName, DateTimeOffset startedAt, string? cacheKey, string? cacheKeyParts, IReadOnlyList<string>? dependsOn = null, bool? cacheEnabled = null, bool nextAttempt = false);

    /// <summary>
    /// Records a finished step run in one transaction: its status, the inputs it consumed, and its outputs —
    /// new artifacts it produced, or (for a cache hit) the artifacts it reused, with the metadata the reused step run logged
    /// for itself and for its run. Finishing a step run that is
    /// already finished (a client retrying) changes nothing and returns what was recorded.
    /// </summary>
    /// <returns>The step run's output artifacts, by output name.</returns>
    public abstract IReadOnlyDictionary<string, ArtifactRecord> FinishStepRun(
        long stepRunId,
        StepStatus status,
        DateTimeOffset endedAt,
        string? error,
        IReadOnlyList<StepInputRecord> inputs,
        IReadOnlyList<NewArtifact> producedOutputs,
        CachedStepRun? reusedFrom = null,
        string? logPath = null);

    /// <summary>
    /// Records step runs that have ended, in order: each one's start (unless recorded already), the metadata it logged, and
    /// its end, as <see cref="StartStepRun"/>, <see cref="LogStepRunMetadata"/>, <see cref="LogRunMetadata"/> and
    /// <see cref="FinishStepRun"/> would. A store that can writes them all in one transaction; recording one again (a client
    /// retrying) changes nothing.
    /// </summary>
    /// <returns>Each step run's id and outputs, in the order given.</returns>
    public virtual IReadOnlyList<RecordedStepRun> RecordStepRuns(IReadOnlyList<StepRunRecording> stepRuns)
    {
        var recorded = new List<RecordedStepRun>(stepRuns.Count);
        foreach (var (start, end, startedId) in stepRuns)
        {
            var id = startedId ?? StartStepRun(start.RunId, start.TaskKey, start.StepName, start.StartedAt, start.CacheKey, start.CacheKeyParts, start.DependsOn, start.CacheEnabled);
            if (end.StepMetadataJson is { } stepMetadata)
            {
                LogStepRunMetadata(id, stepMetadata);
            }

            if (end.RunMetadataJson is { } runMetadata)
            {
                LogRunMetadata(start.RunId, runMetadata, id);
            }

            recorded.Add(new RecordedStepRun(id, FinishStepRun(id, end.Status, end.EndedAt, end.Error, end.Inputs, end.ProducedOutputs, end.ReusedFrom, end.LogPath)));
        }

        return recorded;
    }

    /// <summary>
    /// Records how one attempt of a running step run ended. Recording the same attempt again (a client retrying) keeps what
    /// was recorded first.
    /// </summary>
    public abstract void RecordAttempt(long stepRunId, StepAttemptRecord attempt);

    /// <summary>A step run's recorded attempts, first first (none for a step that came from the cache or did not run).</summary>
    public abstract IReadOnlyList<StepAttemptRecord> GetAttempts(long stepRunId);

    /// <summary>
    /// Records a task that did not run: because a task it depends on failed (<see cref="StepStatus.NotRun"/>), or because
    /// its branch's condition was false (<see cref="StepStatus.NotTriggered"/>); or a task a remote orchestrator said
    /// nothing about (<see cref="StepStatus.Unknown"/>).
    /// </summary>
    public abstract void RecordNotRun(string runId, string taskKey, string stepName, string reason, IReadOnlyList<string>? dependsOn = null, StepStatus status = StepStatus.NotRun);

    /// <summary>
    /// Finds the newest step run of <paramref name="pipeline"/> that completed with <paramref name="cacheKey"/>,
    /// in any run (a failed run's completed steps count), with its output artifacts.
    /// </summary>
    public abstract CachedStepRun? FindCachedStepRun(string pipeline, string cacheKey);

    /// <summary>Reads a run.</summary>
    public abstract RunRecord? GetRun(string runId);

    /// <summary>Lists runs, newest first, optionally of one pipeline or one status only.</summary>
    public IReadOnlyList<RunRecord> ListRuns(string? pipeline = null, int limit = 100, RunStatus? status = null) =>
        ListRuns(new RunQuery { Pipeline = pipeline, Limit = limit, Status = status });

    /// <summary>Lists the runs <paramref name="query"/> selects, newest first.</summary>
    public abstract IReadOnlyList<RunRecord> ListRuns(RunQuery query);

    /// <summary>Lists a run's step runs in the order they started.</summary>
    public abstract IReadOnlyList<StepRunRecord> GetStepRuns(string runId);

    /// <summary>Reads one step run.</summary>
    public abstract StepRunRecord? GetStepRun(long stepRunId);

    /// <summary>
    /// The newest step run of task <paramref name="taskKey"/> of <paramref name="pipeline"/> that started before
    /// <paramref name="beforeStepRunId"/> and computed a cache key — what a cache decision compares against.
    /// </summary>
    public abstract StepRunRecord? FindPreviousStepRun(string pipeline, string taskKey, long beforeStepRunId);

    /// <summary>Reads one artifact.</summary>
    public abstract ArtifactRecord? GetArtifact(long artifactId);

    /// <summary>The step runs that consumed an artifact (lineage), oldest first.</summary>
    public abstract IReadOnlyList<StepRunRecord> GetConsumers(long artifactId);

    /// <summary>Reads a step run's output artifacts by output name.</summary>
    public abstract IReadOnlyDictionary<string, ArtifactRecord> GetOutputs(long stepRunId);

    /// <summary>Reads what a step run consumed (lineage).</summary>
    public abstract IReadOnlyList<StepInputRecord> GetInputs(long stepRunId);

    /// <summary>Registers a component.</summary>
    /// <exception cref="StackException">One of that type and name exists, or the flavor or settings are invalid.</exception>
    public abstract void RegisterComponent(Component component);

    /// <summary>Replaces a component's settings; checks every stack that uses it.</summary>
    /// <exception cref="StackException">It does not exist, or the new settings are invalid for it or its stacks.</exception>
    public abstract void UpdateComponent(Component component);

    /// <summary>Reads a component.</summary>
    /// <exception cref="StackException">There is none of that type and name.</exception>
    public abstract Component GetComponent(ComponentType type, string name);

    /// <summary>Lists the components of one type, by name.</summary>
    public abstract IReadOnlyList<Component> ListComponents(ComponentType type);

    /// <summary>Deletes a component that no stack uses.</summary>
    /// <exception cref="StackException">It does not exist, is a default component, or a stack uses it.</exception>
    public abstract void DeleteComponent(ComponentType type, string name);

    /// <summary>Registers a stack from component names by type.</summary>
    /// <exception cref="StackException">The name is taken, a component does not exist, or the combination is invalid.</exception>
    public abstract Stack RegisterStack(string name, IReadOnlyDictionary<ComponentType, string> componentNames);

    /// <summary>Changes some of a stack's components (a null name removes that type).</summary>
    /// <exception cref="StackException">The stack or a component does not exist, or the result is invalid.</exception>
    public abstract Stack UpdateStack(string name, IReadOnlyDictionary<ComponentType, string?> changes);

    /// <summary>Reads a stack.</summary>
    /// <exception cref="StackException">There is none of that name.</exception>
    public abstract Stack GetStack(string name);

    /// <summary>Lists stacks by name.</summary>
    public abstract IReadOnlyList<Stack> ListStacks();

    /// <summary>Deletes a stack (not the default one, and not the active one).</summary>
    /// <exception cref="StackException">It does not exist, is the default stack, or is active.</exception>
    public abstract void DeleteStack(string name);

    /// <summary>Copies a stack under a new name.</summary>
    /// <exception cref="StackException">The source does not exist or the target name is taken.</exception>
    public Stack CopyStack(string source, string target) =>
        RegisterStack(target, GetStack(source).Components.ToDictionary(c => c.Key, c => c.Value.Name));

    /// <summary>The stack chosen with <c>pipelines stack set</c> (default: <c>default</c>).</summary>
    public abstract string ActiveStackName { get; }

    /// <summary>Makes <paramref name="name"/> the active stack of this store (of this client, when connected to a server).</summary>
    /// <exception cref="StackException">There is no such stack.</exception>
    public abstract void SetActiveStack(string name);

    /// <summary>Records a schedule, or replaces the one with the same id.</summary>
    public abstract void SaveSchedule(ScheduleRecord schedule);

    /// <summary>Reads a schedule.</summary>
    public abstract ScheduleRecord? GetSchedule(string id);

    /// <summary>Lists schedules, oldest first.</summary>
    public abstract IReadOnlyList<ScheduleRecord> ListSchedules();

    /// <summary>Records a schedule's new state; returns whether it exists.</summary>
    public abstract bool SetScheduleState(string id, string state);

    /// <summary>Forgets a schedule (the runs it made are kept); returns whether it existed.</summary>
    public abstract bool DeleteSchedule(string id);

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the connection.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>The process that owns a running run: when it is gone and the run still says running, the run crashed.</summary>
/// <param name="Host">The machine's name.</param>
/// <param name="ProcessId">The process id.</param>
/// <param name="ProcessStartedAt">When that process started (a reused pid has another start time).</param>
/// <param name="User">Who ran it (the operating system user).</param>
public sealed record RunOwner(string Host, int ProcessId, DateTimeOffset ProcessStartedAt, string User)
{
    /// <summary>This process.</summary>
    public static RunOwner Current { get; } = CreateCurrent();

    private static RunOwner CreateCurrent()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return new RunOwner(Environment.MachineName, process.Id, process.StartTime.ToUniversalTime(), Environment.UserName);
    }
}
