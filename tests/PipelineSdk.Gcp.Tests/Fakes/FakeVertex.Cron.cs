using System.Globalization;

namespace PipelineSdk.Gcp.Tests.Fakes;

/// <summary>The fake Vertex AI's check of a schedule's cron numbers, as strict as the service's.</summary>
internal sealed partial class FakeVertex
{
    private static readonly (int Min, int Max)[] CronRanges = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)];

    /// <summary>Whether every number of each of the five fields is in its range (a step after '/' must be at least 1).</summary>
    internal static bool CronFieldsInRange(string cron)
    {
        var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields[0].StartsWith("TZ=", StringComparison.Ordinal))
        {
            fields = fields[1..];
        }

        for (var i = 0; i < CronRanges.Length; i++)
        {
            foreach (var part in fields[i].Split(','))
            {
                var (range, step) = part.Split('/') is [var r, var s] ? (r, s) : (part, null);
                if (step is not null && (!int.TryParse(step, NumberStyles.None, CultureInfo.InvariantCulture, out var every) || every < 1))
                {
                    return false;
                }

                foreach (var bound in range.Split('-').Where(b => b.Length > 0 && char.IsAsciiDigit(b[0])))
                {
                    if (!int.TryParse(bound, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < CronRanges[i].Min || value > CronRanges[i].Max)
                    {
                        return false;
                    }
                }
            }
        }

        return true;
    }
}
