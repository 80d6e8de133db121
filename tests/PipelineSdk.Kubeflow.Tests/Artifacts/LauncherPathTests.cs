using PipelineSdk.Artifacts;
using PipelineSdk.Execution;

namespace PipelineSdk.Kubeflow.Tests.Artifacts;

/// <summary>
/// Step mode finds a Kubeflow task's artifacts where Kubeflow's launcher puts them (LocalPathForURI in backend/src/v2/component
/// of kubeflow/pipelines): <c>minio://b/k</c> at <c>/minio/b/k</c>, <c>s3://b/k</c> at <c>/s3/b/k</c>; PIPELINES_KFP_MOUNT
/// moves that root so the same program runs outside a pod.
/// </summary>
[NonParallelizable]
public class LauncherPathTests
{
    private string? _saved;

    [SetUp]
    public void Save() => _saved = Environment.GetEnvironmentVariable(GcsMount.KubeflowRootVariable);

    [TearDown]
    public void Restore() => Environment.SetEnvironmentVariable(GcsMount.KubeflowRootVariable, _saved);

    [TestCase("minio://mlpipeline/v2/artifacts/p/run/task/model", "/minio/mlpipeline/v2/artifacts/p/run/task/model")]
    [TestCase("s3://bucket/key/with/parts", "/s3/bucket/key/with/parts")]
    public void In_a_pod_URIs_map_to_the_launchers_folders_and_back(string uri, string path)
    {
        Environment.SetEnvironmentVariable(GcsMount.KubeflowRootVariable, null);

        Assert.That(GcsMount.LocalPath(uri), Is.EqualTo(path));
        Assert.That(GcsMount.UriOf(path), Is.EqualTo(uri));
        Assert.That(GcsMount.MapPath(path), Is.EqualTo(path));
    }

    [Test]
    public void With_a_mount_folder_the_same_URIs_and_paths_land_in_it_and_count_as_files()
    {
        var root = Directory.CreateTempSubdirectory("psdk-kfp-mount-").FullName;
        Environment.SetEnvironmentVariable(GcsMount.KubeflowRootVariable, root);
        try
        {
            Assert.That(GcsMount.LocalPath("minio://mlpipeline/a/b"), Is.EqualTo(Path.Combine(root, "minio", "mlpipeline", "a", "b")));
            Assert.That(GcsMount.MapPath("/s3/bucket/out/executor_output.json"), Is.EqualTo(Path.Combine(root, "s3", "bucket", "out", "executor_output.json")));
            Assert.That(ArtifactUris.FilePath("s3://bucket/x"), Is.EqualTo(Path.Combine(root, "s3", "bucket", "x")));
            Assert.That(GcsMount.MapPath("/tmp/kfp_outputs/output_metadata.json"), Is.EqualTo("/tmp/kfp_outputs/output_metadata.json"), "other paths stay as they are");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
