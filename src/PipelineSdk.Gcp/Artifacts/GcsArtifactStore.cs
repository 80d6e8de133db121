using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.RegularExpressions;
using Google;
using Google.Api.Gax;
using Google.Cloud.Storage.V1;
using PipelineSdk.Artifacts;
using PipelineSdk.Gcp.Auth;
using PipelineSdk.Stacks;
using StorageObject = Google.Apis.Storage.v1.Data.Object;

namespace PipelineSdk.Gcp.Artifacts;

/// <summary>An object, or with a non-recursive listing a "folder" prefix, found in Cloud Storage.</summary>
/// <param name="Uri">Its <c>gs://bucket/name</c> URI; a prefix's ends with <c>/</c>.</param>
/// <param name="Size">The object's size in bytes (0 for a prefix).</param>
/// <param name="Crc32c">The object's CRC32C as Cloud Storage gives it (base64, big-endian), or null for a prefix.</param>
/// <param name="Updated">When the object was last written, or null for a prefix.</param>
/// <param name="IsPrefix">Whether this is a prefix standing for the objects below it.</param>
public sealed record GcsEntry(string Uri, long Size, string? Crc32c, DateTimeOffset? Updated, bool IsPrefix);

/// <summary>How a <see cref="GcsArtifactStore"/> talks to Cloud Storage.</summary>
public sealed class GcsArtifactStoreOptions
{
    /// <summary>The resumable-upload chunk size: a multiple of 256 KiB; also about the memory one upload holds. Default 8 MiB.</summary>
    public int UploadChunkSize { get; init; } = 8 * 1024 * 1024;

    /// <summary>How many objects to ask for per listing request. Default 1000, the service's maximum.</summary>
    public int ListPageSize { get; init; } = 1000;
}

/// <summary>
/// The <c>gcp</c> artifact store: artifacts as objects under <c>gs://bucket/prefix</c>, written and read as
/// streams (never held whole: uploads are resumable, in chunks), checked end to end with CRC32C (the client
/// sends it with the last chunk and the service rejects a mismatch; reads are checked against the object's
/// CRC32C as they finish), with size and SHA-256 computed while the content streams. Errors that need the
/// user are one-line <see cref="StackException"/>s saying what to do.
/// </summary>
public sealed partial class GcsArtifactStore : IArtifactUriHandler
{
    /// <summary>
    /// The variable Google's clients read to talk to a Cloud Storage emulator, e.g.
    /// <c>http://127.0.0.1:9023/storage/v1/</c>; when set, <see cref="CreateClient"/> uses it without credentials.
    /// </summary>
    public const string EmulatorHostVariable = "STORAGE_EMULATOR_HOST";

    /// <summary>
    /// Environment variable that points the client at another Cloud Storage JSON API base (a test server, a private
    /// endpoint), reached with credentials as Cloud Storage is; it wins over <see cref="EmulatorHostVariable"/>.
    /// </summary>
    public const string EndpointVariable = "PIPELINES_GCS_ENDPOINT";

    private const int PipeBufferBytes = 1024 * 1024;
    private const int DownloadChunkSize = 1024 * 1024;
    private const int MaxObjectNameBytes = 1024;
    private const int SessionStartAttempts = 5;

    private static readonly PipeOptions StreamingPipe = new(
        pauseWriterThreshold: PipeBufferBytes, resumeWriterThreshold: PipeBufferBytes / 2, useSynchronizationContext: false);

    private readonly StorageClient _client;
    private readonly GcsArtifactStoreOptions _options;

    /// <summary>A store at <paramref name="root"/> (<c>gs://bucket</c> or <c>gs://bucket/prefix</c>) using <paramref name="client"/>.</summary>
    /// <exception cref="ArgumentException">The root is not a Cloud Storage path, or the chunk size is not a multiple of 256 KiB.</exception>
    public GcsArtifactStore(string root, StorageClient client, GcsArtifactStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var match = RootPattern().Match(root);
        if (!match.Success)
        {
            throw new ArgumentException($"'{root}' is not a Cloud Storage path like gs://my-bucket or gs://my-bucket/prefix", nameof(root));
        }

        _options = options ?? new GcsArtifactStoreOptions();
        if (_options.UploadChunkSize <= 0 || _options.UploadChunkSize % UploadObjectOptions.MinimumChunkSize != 0)
        {
            throw new ArgumentException($"the upload chunk size must be a positive multiple of {UploadObjectOptions.MinimumChunkSize} bytes", nameof(options));
        }

        _client = client;
        Bucket = match.Groups["bucket"].Value;
        Prefix = match.Groups["prefix"].Value.Trim('/');
        Root = Prefix.Length == 0 ? $"gs://{Bucket}" : $"gs://{Bucket}/{Prefix}";
    }

    /// <summary>The store's root, <c>gs://bucket</c> or <c>gs://bucket/prefix</c>, without a trailing slash.</summary>
    public string Root { get; }

    /// <summary>The bucket.</summary>
    public string Bucket { get; }

    /// <summary>The object-name prefix under which artifacts live, without slashes at either end (empty for a whole bucket).</summary>
    public string Prefix { get; }

    /// <summary>A store at <paramref name="root"/> with a client from <see cref="CreateClient"/>.</summary>
    /// <exception cref="ArgumentException">The root is not a Cloud Storage path.</exception>
    public static GcsArtifactStore Create(string root, GoogleAuth? auth = null, GcsArtifactStoreOptions? options = null) =>
        new(root, CreateClient(auth), options);

    /// <summary>
    /// A Cloud Storage client: at <paramref name="endpoint"/> (a JSON API base such as
    /// <c>https://storage.googleapis.com/storage/v1/</c>) with <paramref name="auth"/> (default: Application
    /// Default Credentials, looked up on the first request). Without an endpoint, the one <c>PIPELINES_GCS_ENDPOINT</c>
    /// names; without either and with <c>STORAGE_EMULATOR_HOST</c> set, a client of that emulator, unauthenticated as
    /// emulators expect.
    /// </summary>
    public static StorageClient CreateClient(GoogleAuth? auth = null, Uri? endpoint = null)
    {
        if (endpoint is null && Environment.GetEnvironmentVariable(EndpointVariable) is { Length: > 0 } configured)
        {
            endpoint = new Uri(configured);
        }

        if (endpoint is null && Environment.GetEnvironmentVariable(EmulatorHostVariable) is { Length: > 0 })
        {
            return new StorageClientBuilder { EmulatorDetection = EmulatorDetection.EmulatorOnly }.Build();
        }

        return new StorageClientBuilder { BaseUri = endpoint?.AbsoluteUri, Credential = new GoogleAuthCredential(auth ?? new GoogleAuth()) }.Build();
    }

    /// <summary>The URI of <paramref name="path"/> (e.g. <c>run-1/train/model</c>) under <see cref="Root"/>.</summary>
    public string UriFor(string path) => $"{Root}/{path.TrimStart('/')}";

    /// <summary>Uploads what <paramref name="writeContent"/> writes as the object at <paramref name="uri"/>; see <see cref="IArtifactUriHandler.WriteAsync"/>.</summary>
    /// <exception cref="ArgumentException">The URI is not under <see cref="Root"/>.</exception>
    /// <exception cref="IOException">The content did not arrive intact (nothing is stored), or the service failed.</exception>
    /// <exception cref="StackException">Credentials are missing or refused, or the bucket does not exist; the message says what to do.</exception>
    public async Task<StoredContent> WriteAsync(string uri, Func<Stream, CancellationToken, Task> writeContent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writeContent);
        var name = ObjectName(uri);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pipe = new Pipe(StreamingPipe);

        // The content is produced on its own task while the client reads it from the pipe and uploads it chunk by chunk.
        var produce = Task.Run(async () =>
        {
            try
            {
                using var hashing = new HashingWriteStream(new PipeFeedStream(pipe.Writer));
                await writeContent(hashing, stop.Token).ConfigureAwait(false);
                await hashing.FlushAsync(stop.Token).ConfigureAwait(false);
                await pipe.Writer.CompleteAsync().ConfigureAwait(false);
                return (Size: hashing.BytesWritten, Hash: hashing.GetHashHex());
            }
            catch (Exception e)
            {
                // The client sees the failure instead of the end of the content, so it never finishes the upload.
                await pipe.Writer.CompleteAsync(e).ConfigureAwait(false);
                throw;
            }
        }, CancellationToken.None);

        StorageObject stored;
        try
        {
            await using var content = pipe.Reader.AsStream();
            var options = new UploadObjectOptions { ChunkSize = _options.UploadChunkSize, UploadValidationMode = UploadValidationMode.RejectAndThrow };
            for (var attempt = 1; ; attempt++)
            {
                var source = new CountingReadStream(content);
                try
                {
                    stored = await _client.UploadObjectAsync(Bucket, name, "application/octet-stream", source, options, stop.Token).ConfigureAwait(false);
                    break;
                }
                catch (Exception e) when (source.BytesRead == 0 && attempt < SessionStartAttempts && IsTransient(e) && !stop.IsCancellationRequested)
                {
                    // The client retries chunks itself but not the request that starts the session; nothing has
                    // been read from the content yet, so starting again loses nothing.
                    await Task.Delay(RetryDelay(attempt), stop.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception uploadError)
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await pipe.Reader.CompleteAsync().ConfigureAwait(false);
            try
            {
                await produce.ConfigureAwait(false);
            }
            catch (Exception producerError) when (producerError is not ReaderGoneException and not OperationCanceledException || uploadError is OperationCanceledException)
            {
                throw; // the content's own failure (or a cancellation) is the real cause
            }
            catch (Exception)
            {
                // The producer stopped because the upload did.
            }

            ExceptionDispatchInfo.Throw(Translated(uploadError, "write", uri) ?? uploadError);
            throw; // unreachable: the line above throws
        }

        var (size, hash) = await produce.ConfigureAwait(false);
        if (stored.Size is { } storedSize && (long)storedSize != size)
        {
            throw new IOException($"Cloud Storage stored {storedSize} bytes at {uri} but {size} were written; write it again");
        }

        return new StoredContent(uri, size, hash);
    }

    /// <summary>Uploads <paramref name="content"/> (read to its end) as the object at <paramref name="uri"/>.</summary>
    /// <exception cref="IOException">The content did not arrive intact (nothing is stored), or the service failed.</exception>
    /// <exception cref="StackException">Credentials are missing or refused, or the bucket does not exist; the message says what to do.</exception>
    public Task<StoredContent> WriteAsync(string uri, Stream content, CancellationToken cancellationToken) =>
        WriteAsync(uri, (destination, token) => content.CopyToAsync(destination, token), cancellationToken);

    /// <summary>
    /// Opens the object at <paramref name="uri"/> for reading. It streams as it downloads; at its end its size and
    /// CRC32C are checked against what Cloud Storage holds, and a mismatch throws an <see cref="IOException"/>
    /// instead of ending the stream.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no such object.</exception>
    /// <exception cref="StackException">Credentials are missing or refused, or the bucket does not exist; the message says what to do.</exception>
    public async Task<Stream> OpenReadAsync(string uri, CancellationToken cancellationToken)
    {
        var name = ObjectName(uri);
        StorageObject found;
        try
        {
            found = await _client.GetObjectAsync(Bucket, name, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Translated(e, "read", uri) is { } translated)
        {
            throw translated;
        }

        var pipe = new Pipe(StreamingPipe);
        var stop = new CancellationTokenSource();
        var download = Task.Run(async () =>
        {
            try
            {
                var options = new DownloadObjectOptions { Generation = found.Generation, ChunkSize = DownloadChunkSize };
                await _client.DownloadObjectAsync(Bucket, name, new PipeFeedStream(pipe.Writer), options, stop.Token).ConfigureAwait(false);
                await pipe.Writer.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Also when the reader stopped early: completing is then harmless.
                await pipe.Writer.CompleteAsync(Translated(e, "read", uri) ?? e).ConfigureAwait(false);
            }
        }, CancellationToken.None);
        _ = download.ContinueWith(_ => stop.Dispose(), TaskScheduler.Default);
        return new VerifyingReadStream(pipe.Reader.AsStream(), stop, uri, (long)(found.Size ?? 0), found.Crc32c);
    }

    /// <summary>The object at <paramref name="uri"/>, or null when there is none.</summary>
    /// <exception cref="StackException">Credentials are missing or refused, or the bucket does not exist; the message says what to do.</exception>
    public async Task<GcsEntry?> GetAsync(string uri, CancellationToken cancellationToken)
    {
        var name = ObjectName(uri);
        try
        {
            return Entry(await _client.GetObjectAsync(Bucket, name, cancellationToken: cancellationToken).ConfigureAwait(false));
        }
        catch (GoogleApiException e) when (e.HttpStatusCode == HttpStatusCode.NotFound && !IsMissingBucket(e))
        {
            return null;
        }
        catch (Exception e) when (Translated(e, "read", uri) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>
    /// The objects whose URIs start with <paramref name="uriPrefix"/> (default: everything under <see cref="Root"/>),
    /// in name order, fetched page by page. Not <paramref name="recursive"/>: only the level below the prefix, with
    /// each deeper "folder" as one <see cref="GcsEntry.IsPrefix"/> entry.
    /// </summary>
    /// <exception cref="ArgumentException">The prefix is not under <see cref="Root"/>.</exception>
    /// <exception cref="StackException">Credentials are missing or refused, or the bucket does not exist; the message says what to do.</exception>
    public async IAsyncEnumerable<GcsEntry> ListAsync(string? uriPrefix = null, bool recursive = true, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var prefix = uriPrefix is null ? (Prefix.Length == 0 ? "" : Prefix + "/") : ObjectName(uriPrefix, allowEmpty: true);
        var listed = uriPrefix ?? Root + "/";
        var options = new ListObjectsOptions { Delimiter = recursive ? null : "/", PageSize = _options.ListPageSize };
        await using var pages = _client.ListObjectsAsync(Bucket, prefix, options).AsRawResponses().GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            Google.Apis.Storage.v1.Data.Objects page;
            try
            {
                if (!await pages.MoveNextAsync().ConfigureAwait(false))
                {
                    yield break;
                }

                page = pages.Current;
            }
            catch (Exception e) when (Translated(e, "list", listed) is { } translated)
            {
                throw translated;
            }

            var entries = (page.Items ?? []).Select(Entry)
                .Concat((page.Prefixes ?? []).Select(p => new GcsEntry($"gs://{Bucket}/{p}", 0, null, null, IsPrefix: true)))
                .OrderBy(e => e.Uri, StringComparer.Ordinal);
            foreach (var entry in entries)
            {
                yield return entry;
            }
        }
    }

    /// <summary>Deletes the object at <paramref name="uri"/>; false when there was none.</summary>
    /// <exception cref="StackException">Credentials are missing or refused, or the bucket does not exist; the message says what to do.</exception>
    public async Task<bool> DeleteAsync(string uri, CancellationToken cancellationToken)
    {
        var name = ObjectName(uri);
        try
        {
            await _client.DeleteObjectAsync(Bucket, name, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (GoogleApiException e) when (e.HttpStatusCode == HttpStatusCode.NotFound && !IsMissingBucket(e))
        {
            return false;
        }
        catch (Exception e) when (Translated(e, "delete", uri) is { } translated)
        {
            throw translated;
        }
    }

    [GeneratedRegex("^gs://(?<bucket>[a-z0-9][a-z0-9._-]{1,61}[a-z0-9])(?<prefix>/.*)?$")]
    private static partial Regex RootPattern();

    private string ObjectName(string uri, bool allowEmpty = false)
    {
        var bucketRoot = $"gs://{Bucket}/";
        var name = uri.StartsWith(bucketRoot, StringComparison.Ordinal) ? uri[bucketRoot.Length..] : null;
        if (name is null || (Prefix.Length > 0 && !(name + "/").StartsWith(Prefix + "/", StringComparison.Ordinal)) || (name.Length == 0 && !allowEmpty))
        {
            throw new ArgumentException($"'{uri}' is not {(allowEmpty ? "" : "an object ")}under this store's root {Root}", nameof(uri));
        }

        if (Encoding.UTF8.GetByteCount(name) > MaxObjectNameBytes || name.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException($"'{uri}' is not a valid object name: at most {MaxObjectNameBytes} bytes of UTF-8, no line breaks", nameof(uri));
        }

        return name;
    }

    private GcsEntry Entry(StorageObject item) =>
        new($"gs://{Bucket}/{item.Name}", (long)(item.Size ?? 0), item.Crc32c, item.UpdatedDateTimeOffset, IsPrefix: false);

    /// <summary>Failures of the service or the network worth another try (never the content's own failures).</summary>
    private static bool IsTransient(Exception e) => e switch
    {
        GoogleApiException api => (int)api.HttpStatusCode is 408 or 429 or >= 500,
        HttpRequestException => true,
        _ => false,
    };

    /// <summary>Exponential backoff with jitter: about 0.25 s, 0.5 s, 1 s, ...</summary>
    private static TimeSpan RetryDelay(int attempt) =>
        TimeSpan.FromMilliseconds(250 * Math.Pow(2, attempt - 1) * (0.8 + (0.4 * Random.Shared.NextDouble())));

    private static bool IsMissingBucket(GoogleApiException e) =>
        e.HttpStatusCode == HttpStatusCode.NotFound && (e.Error?.Message ?? e.Message).Contains("bucket does not exist", StringComparison.OrdinalIgnoreCase);

    /// <summary>The exception the caller acts on for a client failure, with a one-line message; null to let the failure through as it is.</summary>
    private Exception? Translated(Exception error, string action, string uri)
    {
        switch (error)
        {
            case GoogleApiException api:
                var message = FirstLine(api.Error?.Message is { Length: > 0 } m ? m : api.Message);
                var code = (int)api.HttpStatusCode;
                return api.HttpStatusCode switch
                {
                    HttpStatusCode.Unauthorized => new StackException(
                        $"Cloud Storage did not accept the credentials in use to {action} {uri} ({code}: {message}); run `gcloud auth application-default login` or set GOOGLE_APPLICATION_CREDENTIALS to a service account key file"),
                    HttpStatusCode.Forbidden => new StackException(
                        $"Cloud Storage refused to {action} {uri} ({code}: {message}); the credentials in use need the {RoleFor(action)} on bucket {Bucket}"),
                    HttpStatusCode.NotFound when IsMissingBucket(api) => new StackException(
                        $"bucket {Bucket} does not exist ({action} {uri}); create it with `gcloud storage buckets create gs://{Bucket} --location=REGION` or correct the artifact store's path"),
                    HttpStatusCode.NotFound => new FileNotFoundException($"nothing is stored at {uri}"),
                    HttpStatusCode.BadRequest when message.Contains("CRC32C", StringComparison.OrdinalIgnoreCase) || message.Contains("MD5", StringComparison.OrdinalIgnoreCase) => new IOException(
                        $"Cloud Storage rejected {uri}: the bytes it received do not match the CRC32C sent with them, so they were corrupted on the way and nothing was stored; write it again ({message})", api),
                    _ => new IOException($"Cloud Storage could not {action} {uri} ({code}: {message})", api),
                };
            case HttpRequestException http:
                return new IOException($"could not reach Cloud Storage to {action} {uri} ({FirstLine(http.Message)})", http);
            case IOException io when io is not FileNotFoundException && action == "read" && io.Message.Contains("hash", StringComparison.OrdinalIgnoreCase):
                return new IOException($"{uri} arrived corrupt: its checksum does not match what Cloud Storage holds ({FirstLine(io.Message)}); read it again", io);
            default:
                return null;
        }
    }

    private static string RoleFor(string action) => action is "read" or "list"
        ? "Storage Object Viewer role (roles/storage.objectViewer)"
        : "Storage Object User role (roles/storage.objectUser)";

    private static string FirstLine(string text)
    {
        var end = text.AsSpan().IndexOfAny('\r', '\n');
        return (end < 0 ? text : text[..end]).Trim();
    }

    /// <summary>Thrown into the writer of a pipe whose reader has gone: the upload stopped, or the download is no longer read.</summary>
    private sealed class ReaderGoneException() : IOException("the transfer to or from Cloud Storage stopped");

    /// <summary>
    /// A write-only stream into a pipe that waits while the pipe is full, so content flows at the pace it is
    /// uploaded (or read) and never accumulates; it throws once the other side has stopped reading.
    /// </summary>
    private sealed class PipeFeedStream(PipeWriter writer) : Stream
    {
        private const int Slice = 64 * 1024;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            // Slices, so one large write cannot fill the pipe past its limit before the first flush.
            for (; !buffer.IsEmpty; buffer = buffer[Math.Min(Slice, buffer.Length)..])
            {
                writer.Write(buffer[..Math.Min(Slice, buffer.Length)]);
                Check(writer.FlushAsync().AsTask().GetAwaiter().GetResult());
            }
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            for (; !buffer.IsEmpty; buffer = buffer[Math.Min(Slice, buffer.Length)..])
            {
                Check(await writer.WriteAsync(buffer[..Math.Min(Slice, buffer.Length)], cancellationToken).ConfigureAwait(false));
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        private static void Check(FlushResult result)
        {
            if (result.IsCompleted || result.IsCanceled)
            {
                throw new ReaderGoneException();
            }
        }
    }

    /// <summary>A view of a read stream that counts what was read through it (and never closes it).</summary>
    private sealed class CountingReadStream(Stream inner) : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            BytesRead += read;
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            BytesRead += read;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A downloading object: counts and checksums what is read and checks both at the end.</summary>
    private sealed class VerifyingReadStream(Stream inner, CancellationTokenSource stopDownload, string uri, long expectedSize, string? expectedCrc32c) : Stream
    {
        private readonly Crc32c _crc = new();
        private long _read;
        private bool _verified;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => expectedSize;
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer) => Count(buffer, inner.Read(buffer));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            return Count(buffer.Span, read);
        }

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
                StopDownload();
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            StopDownload();
            await inner.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }

        private void StopDownload()
        {
            try
            {
                stopDownload.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The download has finished.
            }
        }

        private int Count(ReadOnlySpan<byte> buffer, int read)
        {
            _crc.Append(buffer[..read]);
            _read += read;
            if (read == 0 && !buffer.IsEmpty && !_verified)
            {
                _verified = true;
                var crc = _crc.ToBase64();
                if (_read != expectedSize || (expectedCrc32c is not null && crc != expectedCrc32c))
                {
                    throw new IOException($"{uri} arrived corrupt: {_read} bytes with CRC32C {crc}, but Cloud Storage holds {expectedSize} bytes with CRC32C {expectedCrc32c}; read it again");
                }
            }

            return read;
        }
    }
}
