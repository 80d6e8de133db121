using System.Data.Common;

namespace PipelineSdk.Store.Sql;

// Schedules are recorded beside the runs they make, so every client of a team's store sees the same list.
public sealed partial class SqlMetadataStore
{
    /// <inheritdoc />
    public override void SaveSchedule(ScheduleRecord schedule)
    {
        using var db = _dialect.Lease();
        db.Execute("""
            INSERT INTO schedules (id, display_name, pipeline, cron, orchestrator, stack, state, parameters, remote_url, created_at)
            VALUES (@id, @name, @pipeline, @cron, @orchestrator, @stack, @state, @parameters, @url, @created)
            ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, pipeline = excluded.pipeline, cron = excluded.cron,
                orchestrator = excluded.orchestrator, stack = excluded.stack, state = excluded.state, parameters = excluded.parameters,
                remote_url = excluded.remote_url;
            """,
            ("@id", schedule.Id), ("@name", schedule.DisplayName), ("@pipeline", schedule.Pipeline), ("@cron", schedule.Cron),
            ("@orchestrator", schedule.Orchestrator), ("@stack", schedule.Stack), ("@state", schedule.State), ("@parameters", schedule.ParametersJson),
            ("@url", schedule.RemoteUrl), ("@created", SqlFormat.Time(schedule.CreatedAt)));
    }

    /// <inheritdoc />
    public override ScheduleRecord? GetSchedule(string id)
    {
        using var db = _dialect.Lease();
        return db.Query(ScheduleColumns + " WHERE id = @id;", ReadSchedule, ("@id", id)).SingleOrDefault();
    }

    /// <inheritdoc />
    public override IReadOnlyList<ScheduleRecord> ListSchedules()
    {
        using var db = _dialect.Lease();
        return db.Query(ScheduleColumns + " ORDER BY created_at, id;", ReadSchedule);
    }

    /// <inheritdoc />
    public override bool SetScheduleState(string id, string state)
    {
        using var db = _dialect.Lease();
        return db.Execute("UPDATE schedules SET state = @state WHERE id = @id;", ("@id", id), ("@state", state)) > 0;
    }

    /// <inheritdoc />
    public override bool DeleteSchedule(string id)
    {
        using var db = _dialect.Lease();
        return db.Execute("DELETE FROM schedules WHERE id = @id;", ("@id", id)) > 0;
    }

    private const string ScheduleColumns = "SELECT id, display_name, pipeline, cron, orchestrator, stack, state, parameters, remote_url, created_at FROM schedules";

    private static ScheduleRecord ReadSchedule(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), SqlFormat.String(r, 5), r.GetString(6), r.GetString(7),
        SqlFormat.String(r, 8), SqlFormat.Time(r, 9)!.Value);
}
