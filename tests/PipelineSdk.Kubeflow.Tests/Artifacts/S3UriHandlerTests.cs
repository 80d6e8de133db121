using System.Text;
using PipelineSdk.Artifacts;
using PipelineSdk.Kubeflow.Artifacts;
using PipelineSdk.Stacks;

namespace PipelineSdk.Kubeflow.Tests.Artifacts;

/// <summary>The s3 artifact store's client (AWS SDK for .NET) against a real S3-compatible server, s3rver, on 127.0.0.1.</summary>
[NonParallelizable]
public class S3UriHandlerTests
{
    private static readonly string[] Variables = ["AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"];
    private Dictionary<string, string?> _saved = null!;
    private S3rverServer _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await S3rverServer.SharedAsync();

    [OneTimeTearDown]
    public Task StopServer() => S3rverServer.StopSharedAsync();

    [SetUp]
    public void PointAtTheServer()
    {
        _saved = Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_S3", _server.Endpoint);
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", S3rverServer.AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", S3rverServer.SecretKey);
        Environment.SetEnvironmentVariable("AWS_REGION", "us-east-1");
    }

    [TearDown]
    public void Restore()
    {
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    [TestCase("minio://mlpipeline/v2/artifacts/run-1/train/model")]
    [TestCase("s3://mlpipeline/prefix/with spaces/and+plus.bin")]
    public async Task What_is_written_reads_back_whole_with_its_size_and_hash(string uri)
    {
        var handler = new S3UriHandler();
        var content = new byte[3 * 1024 * 1024 + 17];
        new Random(7).NextBytes(content);

        var stored = await handler.WriteAsync(uri, (stream, token) => stream.WriteAsync(content, token).AsTask(), CancellationToken.None);

        Assert.That((stored.Uri, stored.Size, stored.ContentHash), Is.EqualTo((uri, (long)content.Length, ContentHash.Of(content))));
        await using var read = await handler.OpenReadAsync(uri, CancellationToken.None);
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        Assert.That(copy.ToArray(), Is.EqualTo(content));
    }

    [Test]
    public async Task Artifact_URIs_of_both_schemes_reach_the_server_once_the_package_is_registered()
    {
        KubeflowStackComponents.Register();
        Environment.SetEnvironmentVariable(Execution.GcsMount.KubeflowRootVariable, null);

        await ArtifactUris.WriteAsync("s3://mlpipeline/registered/value", (stream, token) => stream.WriteAsync(Encoding.UTF8.GetBytes("42"), token).AsTask(), CancellationToken.None);
        await using var read = await ArtifactUris.OpenReadAsync("minio://mlpipeline/registered/value", CancellationToken.None);

        Assert.That(await new StreamReader(read).ReadToEndAsync(), Is.EqualTo("42"));
    }

    [Test]
    public async Task A_failed_writer_stores_nothing()
    {
        var handler = new S3UriHandler();

        Assert.ThrowsAsync<InvalidOperationException>(() => handler.WriteAsync("minio://mlpipeline/half", async (stream, token) =>
        {
            await stream.WriteAsync(new byte[10], token);
            throw new InvalidOperationException("the step failed mid-write");
        }, CancellationToken.None));
        Assert.ThrowsAsync<FileNotFoundException>(() => handler.OpenReadAsync("minio://mlpipeline/half", CancellationToken.None));
    }

    [Test]
    public void Missing_objects_buckets_and_wrong_keys_are_told_apart()
    {
        var handler = new S3UriHandler();

        Assert.ThrowsAsync<FileNotFoundException>(() => handler.OpenReadAsync("minio://mlpipeline/never/written", CancellationToken.None));
        var bucket = Assert.ThrowsAsync<StackException>(() => handler.OpenReadAsync("s3://no-such-bucket/x", CancellationToken.None))!;
        Assert.That(bucket.Message, Does.Contain("the bucket no-such-bucket does not exist"));

        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "WRONG");
        var keys = Assert.ThrowsAsync<StackException>(() => new S3UriHandler().OpenReadAsync("minio://mlpipeline/never/written", CancellationToken.None))!;
        Assert.That(keys.Message, Does.Contain("rejected the credentials").And.Contain("AWS_ACCESS_KEY_ID"));
    }

    [Test]
    public void A_server_that_is_down_gives_one_line_naming_the_endpoint_variable()
    {
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9");

        var down = Assert.ThrowsAsync<StackException>(() => new S3UriHandler().OpenReadAsync("minio://mlpipeline/x", CancellationToken.None))!;

        Assert.That(down.Message, Does.Contain("cannot reach S3 at http://127.0.0.1:9").And.Contain("AWS_ENDPOINT_URL_S3"));
        Assert.That(down.Message, Does.Not.Contain("\n"));
    }

    [TestCase("gs://bucket/x")]
    [TestCase("minio://bucket")]
    [TestCase("s3://bucket/")]
    public void URIs_that_name_no_object_are_refused(string uri) =>
        Assert.Throws<FormatException>(() => S3UriHandler.Parse(uri));
}
