using System.Security.Cryptography;
using Google.Apis.Auth.OAuth2;
using Google.Cloud.Storage.V1;
using PipelineSdk.Artifacts;
using PipelineSdk.Gcp.Artifacts;
using PipelineSdk.Gcp.Auth;
using PipelineSdk.Gcp.Tests.Fakes;
using PipelineSdk.Stacks;

namespace PipelineSdk.Gcp.Tests;

/// <summary>The gcp artifact store driven through the real Google.Cloud.Storage.V1 client against <see cref="FakeGcs"/>.</summary>
public class GcsArtifactStoreTests
{
    private const string Bucket = "artifacts";
    private FakeGoogle _google = null!;
    private FakeGcs _gcs = null!;
    private GoogleAuth _auth = null!;
    private string _directory = null!;

    [SetUp]
    public async Task SetUp()
    {
        _google = await FakeGoogle.StartAsync();
        _gcs = await FakeGcs.StartAsync(_google.IsIssuedToken);
        _gcs.CreateBucket(Bucket);
        _directory = Directory.CreateTempSubdirectory("psdk-gcs-").FullName;
        _auth = _google.Auth(Directory.CreateDirectory(Path.Combine(_directory, "key")).FullName);
    }

    [TearDown]
    public async Task TearDown()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            TestContext.Out.WriteLine("Requests the emulator saw:\n" + string.Join("\n", _gcs.Requests));
        }

        await _gcs.DisposeAsync();
        await _google.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private GcsArtifactStore Store(string root = $"gs://{Bucket}/pipelines") =>
        new(root, GcsArtifactStore.CreateClient(_auth, new Uri(_gcs.BaseUri)));

    [Test]
    public async Task A_64_MiB_stream_round_trips_in_chunks_without_being_held_whole()
    {
        const long size = 64L * 1024 * 1024;
        var store = Store();
        var uri = store.UriFor("run-1/train/model");
        string written;
        StoredContent stored;
        long uploadPeak;
        using (var memory = PeakLiveMemory.Start())
        {
            (stored, written) = await WriteGeneratedAsync(store, uri, size);
            uploadPeak = memory.PeakGrowth;
        }

        string read;
        long readBytes;
        long downloadPeak;
        using (var memory = PeakLiveMemory.Start())
        {
            await using var content = await store.OpenReadAsync(uri, CancellationToken.None);
            (readBytes, read) = await HashAsync(content);
            downloadPeak = memory.PeakGrowth;
        }

        TestContext.Out.WriteLine($"peak live-heap growth: upload {uploadPeak / 1024 / 1024} MiB, download {downloadPeak / 1024 / 1024} MiB for a {size / 1024 / 1024} MiB object");
        Assert.That(stored, Is.EqualTo(new StoredContent(uri, size, written)), "size and SHA-256 computed while streaming");
        Assert.That(_gcs.Describe(Bucket, "pipelines/run-1/train/model"), Is.EqualTo((size, written)), "the emulator holds exactly what was written");
        Assert.That((readBytes, read), Is.EqualTo((size, written)));

        var chunks = _gcs.Chunks.Where(c => c.Name == "pipelines/run-1/train/model").ToList();
        Assert.That(chunks, Has.Count.EqualTo(8), "8 MiB chunks");
        Assert.That(chunks.Take(7).Select(c => c.HashHeader), Is.All.Empty);
        Assert.That(chunks[^1].Final && chunks[^1].HashHeader.StartsWith("crc32c=", StringComparison.Ordinal), Is.True, "the last chunk carries the CRC32C the service checks");
        Assert.That(_gcs.Sessions.Single().Gzipped, Is.True, "the client sends the session's JSON gzip-compressed");
        Assert.That(uploadPeak, Is.LessThan(size / 2), "the upload never held the content whole");
        Assert.That(downloadPeak, Is.LessThan(size / 2), "the download never held the content whole");
    }

    [Test]
    public async Task An_empty_artifact_round_trips()
    {
        var store = Store();
        var stored = await store.WriteAsync(store.UriFor("empty"), new MemoryStream(), CancellationToken.None);

        await using var content = await store.OpenReadAsync(store.UriFor("empty"), CancellationToken.None);
        Assert.That(await HashAsync(content), Is.EqualTo((0L, stored.ContentHash)));
        Assert.That(stored.ContentHash, Is.EqualTo(ContentHash.Of([])));
    }

    [Test]
    public async Task An_upload_corrupted_on_the_way_is_rejected_and_nothing_is_stored()
    {
        var store = Store();
        _gcs.CorruptNextUploadChunk();

        var error = Assert.ThrowsAsync<IOException>(() => WriteGeneratedAsync(store, store.UriFor("model"), 3 * 1024 * 1024));

        Assert.That(error!.Message, Does.StartWith($"Cloud Storage rejected gs://{Bucket}/pipelines/model: the bytes it received do not match the CRC32C sent with them")
            .And.Contains("Provided CRC32C").And.Not.Contains("\n"));
        Assert.That(_gcs.ObjectNames(Bucket), Is.Empty);
    }

    [Test]
    public async Task A_download_corrupted_on_the_way_fails_the_read_instead_of_ending_it()
    {
        var store = Store();
        await WriteGeneratedAsync(store, store.UriFor("model"), 3 * 1024 * 1024);
        _gcs.CorruptNextDownload();

        await using var content = await store.OpenReadAsync(store.UriFor("model"), CancellationToken.None);
        var error = Assert.ThrowsAsync<IOException>(() => content.CopyToAsync(Stream.Null));

        Assert.That(error!.Message, Does.StartWith($"gs://{Bucket}/pipelines/model arrived corrupt").And.EndWith("read it again").And.Not.Contains("\n"));
    }

    [Test]
    public async Task Listing_follows_pages_and_prefixes_and_delete_removes_objects()
    {
        _gcs.PageSize = 2;
        var store = Store();
        string[] names = ["run-1/a", "run-1/b c", "run-1/deep/x", "run-1/deep/y", "run-1/ünï%2F", "run-2/a"];
        foreach (var name in names)
        {
            await store.WriteAsync(store.UriFor(name), new MemoryStream([1, 2, 3]), CancellationToken.None);
        }

        await Store($"gs://{Bucket}").WriteAsync($"gs://{Bucket}/pipelines-old/a", new MemoryStream([1]), CancellationToken.None);
        var everything = await ToListAsync(store.ListAsync());
        var run1 = await ToListAsync(store.ListAsync(store.UriFor("run-1/"), recursive: false));

        Assert.That(everything.Select(e => e.Uri), Is.EqualTo(names.Select(store.UriFor)), "in name order, over three pages, nothing outside the root");
        Assert.That(everything.Select(e => e.Size), Is.All.EqualTo(3));
        Assert.That(run1.Select(e => (e.Uri, e.IsPrefix)), Is.EqualTo(new[]
        {
            (store.UriFor("run-1/a"), false), (store.UriFor("run-1/b c"), false), (store.UriFor("run-1/deep/"), true), (store.UriFor("run-1/ünï%2F"), false),
        }));
        Assert.That(_gcs.Requests.Count(r => r.StartsWith($"GET /storage/v1/b/{Bucket}/o?", StringComparison.Ordinal)), Is.EqualTo(3 + 2));

        Assert.That(await store.DeleteAsync(store.UriFor("run-1/b c"), CancellationToken.None), Is.True);
        Assert.That(await store.DeleteAsync(store.UriFor("run-1/b c"), CancellationToken.None), Is.False);
        Assert.That(await store.GetAsync(store.UriFor("run-1/b c"), CancellationToken.None), Is.Null);
        Assert.That(await store.GetAsync(store.UriFor("run-1/a"), CancellationToken.None), Has.Property(nameof(GcsEntry.Size)).EqualTo(3));
        Assert.That(() => store.OpenReadAsync(store.UriFor("run-1/b c"), CancellationToken.None),
            Throws.TypeOf<FileNotFoundException>().With.Message.EqualTo($"nothing is stored at gs://{Bucket}/pipelines/run-1/b c"));
        Assert.That(_gcs.Requests, Has.Some.Contains("/o/pipelines%2Frun-1%2Fb%20c"), "names travel percent-encoded in one segment");
    }

    [Test]
    public async Task Injected_503s_and_a_dropped_upload_connection_are_retried_without_losing_bytes()
    {
        var store = Store();

        _gcs.FailNext(1);
        var (first, firstHash) = await WriteGeneratedAsync(store, store.UriFor("first"), 1024 * 1024);
        _gcs.DropNextUploadChunk();
        var (second, secondHash) = await WriteGeneratedAsync(store, store.UriFor("second"), 20 * 1024 * 1024);
        _gcs.FailNext(1, when: r => r.Method == "PUT");
        var (third, thirdHash) = await WriteGeneratedAsync(store, store.UriFor("third"), 20 * 1024 * 1024);
        _gcs.FailNext(1, when: r => r.Method == "GET");
        await using var content = await store.OpenReadAsync(store.UriFor("second"), CancellationToken.None);
        var read = await HashAsync(content);

        Assert.That(_gcs.Requests.Count(r => r.EndsWith("→ 503", StringComparison.Ordinal)), Is.EqualTo(3), "one on starting a session, one on a chunk, one on reading metadata");
        Assert.That(_gcs.Requests.Count(r => r.EndsWith("→ dropped", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(first.ContentHash, Is.EqualTo(firstHash));
        Assert.That(_gcs.Describe(Bucket, "pipelines/second"), Is.EqualTo((second.Size, secondHash)), "the dropped chunk was sent again");
        Assert.That(_gcs.Describe(Bucket, "pipelines/third"), Is.EqualTo((third.Size, thirdHash)));
        Assert.That(read, Is.EqualTo((second.Size, secondHash)));
        Assert.That(_gcs.Sessions.Count(s => s.Name == "pipelines/second"), Is.EqualTo(1), "the upload resumed its session rather than starting over");
    }

    [Test]
    public async Task Content_that_fails_while_being_written_stores_nothing()
    {
        var store = Store();

        var error = Assert.ThrowsAsync<InvalidOperationException>(() => store.WriteAsync(store.UriFor("model"), async (stream, token) =>
        {
            await stream.WriteAsync(new byte[9 * 1024 * 1024], token);
            throw new InvalidOperationException("the model could not be serialized");
        }, CancellationToken.None));

        Assert.That(error!.Message, Is.EqualTo("the model could not be serialized"));
        Assert.That(_gcs.ObjectNames(Bucket), Is.Empty);
        Assert.That(_gcs.Chunks.Where(c => c.Final), Is.Empty);
    }

    [Test]
    public async Task Requests_carry_the_bearer_token_of_application_default_credentials()
    {
        await using var google = await FakeGoogle.StartAsync();
        await using var gcs = await FakeGcs.StartAsync(google.IsIssuedToken);
        gcs.CreateBucket(Bucket);
        var store = new GcsArtifactStore($"gs://{Bucket}", GcsArtifactStore.CreateClient(KeyFileAuth(google), new Uri(gcs.BaseUri)));

        var stored = await store.WriteAsync($"gs://{Bucket}/a", new MemoryStream([1, 2, 3]), CancellationToken.None);
        await using (var content = await store.OpenReadAsync($"gs://{Bucket}/a", CancellationToken.None))
        {
            Assert.That(await HashAsync(content), Is.EqualTo((3L, stored.ContentHash)));
        }

        Assert.That(await ToListAsync(store.ListAsync()), Has.Count.EqualTo(1));
        Assert.That(await store.DeleteAsync($"gs://{Bucket}/a", CancellationToken.None), Is.True);
        Assert.That(gcs.Requests.Where(r => r.EndsWith("→ 401", StringComparison.Ordinal)), Is.Empty);
        Assert.That(google.TokensIssued, Is.EqualTo(1));
    }

    [Test]
    public void Like_Cloud_Storage_the_emulator_refuses_a_client_without_credentials()
    {
        var store = new GcsArtifactStore($"gs://{Bucket}", new StorageClientBuilder { BaseUri = _gcs.BaseUri, UnauthenticatedAccess = true }.Build());

        _gcs.FailNext(1);
        Assert.That(() => store.OpenReadAsync($"gs://{Bucket}/a", CancellationToken.None), Throws.TypeOf<StackException>().With.Message.Contains("(401: Invalid Credentials)"));
        Assert.That(_gcs.Requests, Is.Not.Empty.And.All.EndsWith("→ 401"), "credentials are checked before anything else can fail");
    }

    [Test]
    public async Task Missing_credentials_are_one_line_and_nothing_is_sent()
    {
        var missing = Path.Combine(_directory, "missing.json");
        var auth = new GoogleAuth(() => Task.FromResult<ITokenAccess>(CredentialFactory.FromFile<ServiceAccountCredential>(missing).ToGoogleCredential()));
        var store = new GcsArtifactStore($"gs://{Bucket}", GcsArtifactStore.CreateClient(auth, new Uri(_gcs.BaseUri)));

        Assert.That(() => store.WriteAsync($"gs://{Bucket}/a", new MemoryStream([1]), CancellationToken.None), Throws.TypeOf<StackException>()
            .With.Message.StartsWith("no usable Google credentials (").And.Message.EndsWith("set GOOGLE_APPLICATION_CREDENTIALS to a service account key file").And.Message.Not.Contains("\n"));
        Assert.That(() => store.OpenReadAsync($"gs://{Bucket}/a", CancellationToken.None), Throws.TypeOf<StackException>().With.Message.StartsWith("no usable Google credentials ("));
        Assert.That(_gcs.Requests, Is.Empty);
    }

    [Test]
    public async Task A_rejected_token_is_one_line_that_says_how_to_log_in()
    {
        await using var gcs = await FakeGcs.StartAsync(_ => false);
        gcs.CreateBucket(Bucket);
        var auth = new GoogleAuth(() => Task.FromResult<ITokenAccess>(new FixedToken("ya29.stale")));
        var store = new GcsArtifactStore($"gs://{Bucket}", GcsArtifactStore.CreateClient(auth, new Uri(gcs.BaseUri)));

        Assert.That(() => store.OpenReadAsync($"gs://{Bucket}/a", CancellationToken.None), Throws.TypeOf<StackException>().With.Message.EqualTo(
            $"Cloud Storage did not accept the credentials in use to read gs://{Bucket}/a (401: Invalid Credentials); run `gcloud auth application-default login` or set GOOGLE_APPLICATION_CREDENTIALS to a service account key file"));
    }

    [Test]
    public void A_refused_permission_names_the_role_to_grant()
    {
        _gcs.CreateForbiddenBucket("locked");
        var store = Store("gs://locked/p");

        Assert.That(() => WriteGeneratedAsync(store, "gs://locked/p/model", 10), Throws.TypeOf<StackException>().With.Message.EqualTo(
            $"Cloud Storage refused to write gs://locked/p/model (403: {FakeGoogle.ServiceAccount} does not have storage.objects.create access to the Google Cloud Storage object. Permission 'storage.objects.create' denied on resource (or it may not exist).); the credentials in use need the Storage Object User role (roles/storage.objectUser) on bucket locked"));
        Assert.That(() => store.OpenReadAsync("gs://locked/p/model", CancellationToken.None), Throws.TypeOf<StackException>().With.Message.EndWith(
            "the credentials in use need the Storage Object Viewer role (roles/storage.objectViewer) on bucket locked"));
    }

    [Test]
    public void A_missing_bucket_says_how_to_create_it()
    {
        var store = Store("gs://no-such-bucket/p");

        Assert.That(() => WriteGeneratedAsync(store, "gs://no-such-bucket/p/model", 10), Throws.TypeOf<StackException>().With.Message.EqualTo(
            "bucket no-such-bucket does not exist (write gs://no-such-bucket/p/model); create it with `gcloud storage buckets create gs://no-such-bucket --location=REGION` or correct the artifact store's path"));
        Assert.That(() => store.DeleteAsync("gs://no-such-bucket/p/model", CancellationToken.None), Throws.TypeOf<StackException>().With.Message.StartsWith("bucket no-such-bucket does not exist"));
    }

    [Test]
    public void Uris_outside_the_root_are_refused()
    {
        var store = Store();

        Assert.That(() => store.OpenReadAsync($"gs://{Bucket}/pipelinesX/a", CancellationToken.None), Throws.ArgumentException);
        Assert.That(() => store.OpenReadAsync("gs://other/pipelines/a", CancellationToken.None), Throws.ArgumentException);
        Assert.That(() => Store("s3://bucket"), Throws.ArgumentException.With.Message.StartsWith("'s3://bucket' is not a Cloud Storage path"));
    }

    internal static GoogleAuth KeyFileAuth(FakeGoogle google)
    {
        var keyFile = google.WriteKeyFile(Directory.CreateTempSubdirectory("psdk-key-").FullName);
        return new GoogleAuth(() => Task.FromResult<ITokenAccess>(
            CredentialFactory.FromFile<ServiceAccountCredential>(keyFile).ToGoogleCredential().CreateScoped(GoogleAuth.CloudPlatformScope)));
    }

    /// <summary>Writes <paramref name="size"/> pseudo-random bytes, produced as they are uploaded; returns the result and their SHA-256.</summary>
    internal static async Task<(StoredContent Stored, string Sha256)> WriteGeneratedAsync(GcsArtifactStore store, string uri, long size)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var stored = await store.WriteAsync(uri, async (stream, token) =>
        {
            var random = new Random(42);
            var block = new byte[256 * 1024];
            for (var left = size; left > 0; left -= block.Length)
            {
                random.NextBytes(block);
                var part = block.AsMemory(0, (int)Math.Min(block.Length, left));
                hash.AppendData(part.Span);
                await stream.WriteAsync(part, token);
            }
        }, CancellationToken.None);
        return (stored, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    internal static async Task<(long Size, string Sha256)> HashAsync(Stream content)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[100_000];
        long size = 0;
        int read;
        while ((read = await content.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer.AsSpan(0, read));
            size += read;
        }

        return (size, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }

    private sealed class FixedToken(string token) : ITokenAccess
    {
        public Task<string> GetAccessTokenForRequestAsync(string? authUri = null, CancellationToken cancellationToken = default) => Task.FromResult(token);
    }

    /// <summary>
    /// Samples the live managed heap (after a full collection) while a transfer runs: loose, but an object
    /// held whole in memory would show as growth of its full size.
    /// </summary>
    private sealed class PeakLiveMemory : IDisposable
    {
        private readonly long _baseline;
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _sampler;
        private long _peak;

        private PeakLiveMemory()
        {
            GC.Collect();
            _baseline = GC.GetTotalMemory(forceFullCollection: false);
            _peak = _baseline;
            _sampler = new Thread(() =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    GC.Collect();
                    _peak = Math.Max(_peak, GC.GetTotalMemory(forceFullCollection: false));
                    Thread.Sleep(50);
                }
            }) { IsBackground = true };
            _sampler.Start();
        }

        public long PeakGrowth => Math.Max(0, Volatile.Read(ref _peak) - _baseline);

        public static PeakLiveMemory Start() => new();

        public void Dispose()
        {
            _stop.Cancel();
            _sampler.Join();
            _stop.Dispose();
        }
    }
}
