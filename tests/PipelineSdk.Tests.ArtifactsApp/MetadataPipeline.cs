using PipelineSdk;
using PipelineSdk.Artifacts;

namespace ArtifactsApp;

/// <summary>A pipeline whose steps log metadata for their step run, the run and an artifact, in an experiment.</summary>
public static class MetadataSteps
{
    [Step]
    public static (Model Model, Metrics Metrics) TrainScored(double learningRate)
    {
        var accuracy = Math.Round(0.5 + learningRate, 3);
        var model = new Model();
        File.WriteAllText(model.Path, $"learning rate {learningRate}");
        var metrics = new Metrics();
        metrics.Log("accuracy", accuracy);

        var context = StepContext.Current;
        context.LogMetadata(new { accuracy, trainer = "sgd" }, MetadataTarget.Run);
        context.LogMetadata("epochs", 3);
        context.LogMetadata("report", new Uri("https://example.com/reports/1"));
        context.LogMetadata("per-class", new MetadataTable("class", "recall").AddRow("a", 0.9).AddRow("b", 0.8));
        context.LogMetadata(new { framework = "hand-written", task = context.TaskKey }, MetadataTarget.Artifact("Model"));
        return (model, metrics);
    }

    [Step(EnableCache = false)]
    public static string Describe(Model model)
    {
        StepContext.Current.LogMetadata("described", true);
        return File.ReadAllText(model.Path);
    }

    [Pipeline(Experiment = "scored")]
    public static void ScoredPipeline(double learningRate = 0.25)
    {
        var (model, _) = TrainScored(learningRate);
        Describe(model);
    }
}
