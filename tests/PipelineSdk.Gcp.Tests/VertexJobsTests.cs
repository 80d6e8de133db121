using PipelineSdk.Gcp.Vertex;

namespace PipelineSdk.Gcp.Tests;

/// <summary>The published image fills in only the executors that use the program's image placeholder.</summary>
public class VertexJobsTests
{
    [Test]
    public void A_step_image_override_is_left_as_written_and_other_executors_get_the_published_image()
    {
        const string Spec = """
            {"deploymentSpec": {"executors": {
              "exec-load": {"container": {"image": "{{pipelinesdk.image}}", "command": ["dotnet", "/app/App.dll"]}},
              "exec-train": {"container": {"image": "us-docker.pkg.dev/p/images/trainer-gpu:1.2", "command": ["dotnet", "/app/App.dll"]}}
            }}}
            """;

        var spec = VertexJobs.SpecWithImage(Spec, "127.0.0.1:5000/pipelines/app:abc");

        var executors = spec.GetProperty("deploymentSpec").GetProperty("executors");
        Assert.That(executors.GetProperty("exec-load").GetProperty("container").GetProperty("image").GetString(), Is.EqualTo("127.0.0.1:5000/pipelines/app:abc"));
        Assert.That(executors.GetProperty("exec-train").GetProperty("container").GetProperty("image").GetString(), Is.EqualTo("us-docker.pkg.dev/p/images/trainer-gpu:1.2"));
    }
}
