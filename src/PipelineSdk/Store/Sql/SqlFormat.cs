using System.Data.Common;
using System.Globalization;

namespace PipelineSdk.Store.Sql;

/// <summary>How values are written to and read from the store's columns, the same on every database.</summary>
internal static class SqlFormat
{
    // ISO 8601 in UTC: sorts as text, reads back exactly, and needs no database-specific time type.
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset? Time(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.Parse(reader.GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public static string? String(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static long? Long(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    public static string Status(RunStatus status) => status.ToString().ToLowerInvariant();

    public static string Status(StepStatus status) => status switch
    {
        Store.StepStatus.NotRun => "not_run",
        Store.StepStatus.NotTriggered => "not_triggered",
        _ => status.ToString().ToLowerInvariant(),
    };

    public static RunStatus ParseRunStatus(string text) => Enum.Parse<RunStatus>(text, ignoreCase: true);

    public static StepStatus ParseStepStatus(string text) =>
        text == "not_run" ? Store.StepStatus.NotRun : text == "not_triggered" ? Store.StepStatus.NotTriggered : Enum.Parse<StepStatus>(text, ignoreCase: true);
}
