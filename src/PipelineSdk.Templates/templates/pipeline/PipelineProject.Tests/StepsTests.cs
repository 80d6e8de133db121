using NUnit.Framework;
using PipelineSdk.Orchestration;
using PipelineSdk.Store;

namespace PipelineProject.Tests;

public class StepsTests
{
    [Test]
    public void A_step_is_a_plain_method()
    {
        Assert.That(Steps.SubtractNumbers(10, 3), Is.EqualTo(7));
    }

    [Test]
    public async Task The_pipeline_runs_end_to_end_with_typed_outputs()
    {
        var store = Path.Combine(Path.GetTempPath(), "pipeline-tests-" + Guid.NewGuid().ToString("N"));
        try
        {
            var run = await Pipelines.MainPipeline.RunAsync(new RunOptions { StoreDirectory = store });

            Assert.That(run.Status, Is.EqualTo(RunStatus.Completed));
            Assert.That(run.SubtractNumbers, Is.EqualTo(run.GetFirstNum - run.GetRandomInt));
        }
        finally
        {
            Directory.Delete(store, recursive: true);
        }
    }
}
