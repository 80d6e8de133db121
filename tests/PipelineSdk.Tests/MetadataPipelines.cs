using PipelineSdk.Artifacts;

namespace PipelineSdk.Tests;

/// <summary>Steps that log metadata the way users do, and the mistakes they can make doing it.</summary>
public static class MetadataPipelines
{
    [Step]
    public static Dataset LogEverything(int rows)
    {
        var data = new Dataset();
        File.WriteAllText(data.Path, string.Join('\n', Enumerable.Range(0, rows)));
        data.Metadata["rows"] = rows;
        var context = StepContext.Current;
        context.LogMetadata(new Dictionary<string, object?> { ["rows"] = rows, ["source"] = "generated" }, MetadataTarget.Run);
        context.LogMetadata("ratio", 0.25);
        context.LogMetadata("ok", true);
        context.LogMetadata("tags", new[] { "a", "b" });
        context.LogMetadata(new { checksum = "abc", rows = rows * 10 }, MetadataTarget.Artifact("Output"));
        return data;
    }

    [Step(EnableCache = false)]
    public static int LogThenFail(bool fail)
    {
        StepContext.Current.LogMetadata("reached", "before the failure", MetadataTarget.Run);
        return fail ? throw new InvalidOperationException("failed on purpose") : 1;
    }

    [Step(EnableCache = false)]
    public static int LogForAMissingArtifact()
    {
        StepContext.Current.LogMetadata("x", 1, MetadataTarget.Artifact("Model"));
        return 1;
    }

    [Pipeline(Experiment = "logging")]
    public static void LoggingPipeline(int rows = 4, bool fail = false)
    {
        LogEverything(rows);
        LogThenFail(fail);
    }

    [Pipeline]
    public static void MisloggingPipeline() => LogForAMissingArtifact();
}
