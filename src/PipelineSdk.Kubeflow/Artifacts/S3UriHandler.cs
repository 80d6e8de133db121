using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using PipelineSdk.Artifacts;
using PipelineSdk.Stacks;

namespace PipelineSdk.Kubeflow.Artifacts;

/// <summary>
/// Reaches <c>s3://bucket/key</c> and <c>minio://bucket/key</c> (Kubeflow's name for the same, on its MinIO) through the AWS
/// SDK for .NET, for the <c>pipelines</c> tool and programs where Kubeflow's launcher did not put the artifact on disk. The
/// endpoint comes from <c>AWS_ENDPOINT_URL_S3</c> or <c>AWS_ENDPOINT_URL</c> (MinIO; then bucket names go in the path, as
/// MinIO expects), the credentials and region from the SDK's usual chain (<c>AWS_ACCESS_KEY_ID</c>, profiles, roles).
/// Requests carry no optional checksums, which older MinIO releases and other S3-compatible servers reject; instead, what is
/// read is checked against the size the server announced, and what is written is hashed as it streams.
/// </summary>
public sealed class S3UriHandler : IArtifactUriHandler
{
    /// <summary>The standard AWS variable naming an S3 endpoint (a MinIO service, say).</summary>
    public const string EndpointVariable = "AWS_ENDPOINT_URL_S3";

    private readonly Lazy<IAmazonS3> _client;

    /// <summary>Creates a handler whose client is made on first use.</summary>
    public S3UriHandler() => _client = new Lazy<IAmazonS3>(CreateClient);

    /// <summary>The S3 client for the environment's endpoint, region and credentials.</summary>
    public static IAmazonS3 CreateClient()
    {
        var config = new AmazonS3Config
        {
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        var endpoint = Environment.GetEnvironmentVariable(EndpointVariable) is { Length: > 0 } s3 ? s3 : Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL");
        if (!string.IsNullOrEmpty(endpoint))
        {
            config.ServiceURL = endpoint;
            config.ForcePathStyle = true;
            config.AuthenticationRegion = Environment.GetEnvironmentVariable("AWS_REGION") is { Length: > 0 } region ? region : "us-east-1";
        }

        try
        {
            return new AmazonS3Client(config);
        }
        catch (AmazonClientException e)
        {
            throw new StackException($"no credentials for S3 ({StepModeFirstLine(e.Message)}); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (for Kubeflow's MinIO, the keys of the mlpipeline-minio-artifact secret)");
        }
    }

    /// <inheritdoc />
    public async Task<Stream> OpenReadAsync(string uri, CancellationToken cancellationToken)
    {
        var (bucket, key) = Parse(uri);
        GetObjectResponse response;
        try
        {
            response = await _client.Value.GetObjectAsync(bucket, key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Translated(e, "read", uri) is { } translated)
        {
            throw translated;
        }

        return new LengthCheckingStream(response, uri);
    }

    /// <inheritdoc />
    public async Task<StoredContent> WriteAsync(string uri, Func<Stream, CancellationToken, Task> writeContent, CancellationToken cancellationToken)
    {
        var (bucket, key) = Parse(uri);
        // Spooled to a private file so the content is never held whole and nothing is stored unless all of it was written.
        var scratch = Path.Combine(Path.GetTempPath(), "pipelinesdk-s3-" + Guid.NewGuid().ToString("N"));
        try
        {
            long size;
            string hash;
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.Asynchronous };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            await using (var file = new FileStream(scratch, options))
            {
                await using var hashing = new HashingWriteStream(file);
                await writeContent(hashing, cancellationToken).ConfigureAwait(false);
                await hashing.FlushAsync(cancellationToken).ConfigureAwait(false);
                (size, hash) = (hashing.BytesWritten, hashing.GetHashHex());
            }

            try
            {
                await _client.Value.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, FilePath = scratch, UseChunkEncoding = false }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (Translated(e, "write", uri) is { } translated)
            {
                throw translated;
            }

            return new StoredContent(uri, size, hash);
        }
        finally
        {
            File.Delete(scratch);
        }
    }

    /// <summary>The bucket and key of an <c>s3://</c> or <c>minio://</c> URI.</summary>
    /// <exception cref="FormatException">It is not one, or names no object.</exception>
    public static (string Bucket, string Key) Parse(string uri)
    {
        var scheme = uri.StartsWith("s3://", StringComparison.Ordinal) ? "s3://" : uri.StartsWith("minio://", StringComparison.Ordinal) ? "minio://" : null;
        var slash = scheme is null ? -1 : uri.IndexOf('/', scheme.Length);
        if (scheme is null || slash <= scheme.Length || slash == uri.Length - 1)
        {
            throw new FormatException($"'{uri}' is not an object URI like s3://bucket/key or minio://bucket/key");
        }

        return (uri[scheme.Length..slash], uri[(slash + 1)..]);
    }

    private static Exception? Translated(Exception e, string action, string uri) => e switch
    {
        AmazonS3Exception { ErrorCode: "NoSuchKey" } or AmazonS3Exception { StatusCode: HttpStatusCode.NotFound, ErrorCode: not "NoSuchBucket" } =>
            new FileNotFoundException($"nothing is stored at {uri}", uri, e),
        AmazonS3Exception { ErrorCode: "NoSuchBucket" } =>
            new StackException($"cannot {action} {uri}: the bucket {Parse(uri).Bucket} does not exist at {Endpoint()}; create it or fix the artifact store's path"),
        AmazonS3Exception { ErrorCode: "InvalidAccessKeyId" or "SignatureDoesNotMatch" } =>
            new StackException($"S3 at {Endpoint()} rejected the credentials while trying to {action} {uri} ({e.Message}); check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
        AmazonS3Exception { StatusCode: HttpStatusCode.Forbidden } =>
            new StackException($"S3 at {Endpoint()} refused to {action} {uri} (403: {e.Message}); the credentials need access to the bucket"),
        AmazonS3Exception s3 => new StackException($"S3 at {Endpoint()} could not {action} {uri} ({(int)s3.StatusCode}: {e.Message})"),
        HttpRequestException or AmazonServiceException { InnerException: HttpRequestException } =>
            new StackException($"cannot reach S3 at {Endpoint()} to {action} {uri} ({StepModeFirstLine(e.Message)}); check {EndpointVariable}"),
        AmazonClientException => new StackException($"cannot {action} {uri}: {StepModeFirstLine(e.Message)}; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, and {EndpointVariable} for MinIO"),
        _ => null,
    };

    private static string Endpoint() =>
        Environment.GetEnvironmentVariable(EndpointVariable) is { Length: > 0 } s3 ? s3
        : Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL") is { Length: > 0 } any ? any : "Amazon S3";

    private static string StepModeFirstLine(string text) => text.Split('\n', 2)[0].Trim();

    /// <summary>The object's content, failing with an <see cref="IOException"/> when it ends before the size the server announced.</summary>
    private sealed class LengthCheckingStream(GetObjectResponse response, string uri) : Stream
    {
        private readonly Stream _inner = response.ResponseStream;
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => response.ContentLength;

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Check(_inner.Read(buffer, offset, count), count);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Check(await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false), buffer.Length);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                response.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Check(int read, int asked)
        {
            _read += read;
            if (read == 0 && asked > 0 && _read != response.ContentLength)
            {
                throw new IOException($"{uri} ended after {_read} of {response.ContentLength} bytes: the download was cut short");
            }

            return read;
        }
    }
}
