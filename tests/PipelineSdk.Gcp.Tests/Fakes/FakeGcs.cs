using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.Intrinsics.X86;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace PipelineSdk.Gcp.Tests.Fakes;

/// <summary>
/// The Cloud Storage JSON API v1 on 127.0.0.1, for the real Google.Cloud.Storage.V1 client, checking requests as
/// the service does: resumable uploads (gzip-compressed JSON session body, <c>Content-Range</c> chunks in 256 KiB
/// multiples at the persisted offset, 308 + <c>Range</c> between chunks, status queries, the final chunk's
/// <c>x-goog-hash</c> checked against the bytes received → 400 on mismatch), media downloads with
/// <c>x-goog-hash</c> crc32c and md5, metadata, listing with prefix/delimiter/pageToken (pages as small as
/// <see cref="PageSize"/>), deletes, object names percent-encoded in one path segment, 404/403/401 in Google's
/// JSON error shape, and a bearer token unless started anonymous. Faults are injected on demand. Object contents
/// are kept in files, so the emulator holds no object in memory.
/// </summary>
internal sealed partial class FakeGcs : IAsyncDisposable
{
    public const int ChunkMultiple = 256 * 1024;
    private const int CopyBuffer = 64 * 1024;
    private const string Dropped = "dropped";

    private readonly WebApplication _app;
    private readonly string _directory;
    private readonly Func<string, bool>? _acceptToken;
    private readonly ConcurrentDictionary<string, BucketState> _buckets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, UploadSession> _sessions = new(StringComparer.Ordinal);
    private readonly Lock _faultGate = new();
    private long _generation = 1_700_000_000_000_000;
    private int _failCount;
    private int _failStatus;
    private Func<HttpRequest, bool>? _failWhen;
    private int _dropNextChunk;
    private int _corruptNextChunk;
    private int _corruptNextDownload;

    private FakeGcs(WebApplication app, string directory, Func<string, bool>? acceptToken)
    {
        _app = app;
        _directory = directory;
        _acceptToken = acceptToken;
    }

    /// <summary>The JSON API base clients take (<c>BaseUri</c>, <c>STORAGE_EMULATOR_HOST</c>): <c>http://127.0.0.1:PORT/storage/v1/</c>.</summary>
    public string BaseUri { get; private set; } = "";

    /// <summary>The most objects and prefixes one listing page holds (the service allows up to 1000).</summary>
    public int PageSize { get; set; } = 1000;

    /// <summary>Every request as <c>METHOD target → status</c>, in arrival order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Every upload chunk the emulator persisted.</summary>
    public ConcurrentQueue<ChunkRecord> Chunks { get; } = new();

    /// <summary>Every resumable session started, with its decompressed JSON body.</summary>
    public ConcurrentQueue<SessionRecord> Sessions { get; } = new();

    /// <summary>Starts an emulator that, as Cloud Storage does, refuses (401) every API request without a bearer token <paramref name="acceptToken"/> accepts.</summary>
    public static Task<FakeGcs> StartAsync(Func<string, bool> acceptToken) => StartCoreAsync(acceptToken);

    /// <summary>Starts an emulator that takes requests without credentials, as local emulators do (<c>STORAGE_EMULATOR_HOST</c>).</summary>
    public static Task<FakeGcs> StartAnonymousAsync() => StartCoreAsync(null);

    private static async Task<FakeGcs> StartCoreAsync(Func<string, bool>? acceptToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeGcs(app, Directory.CreateTempSubdirectory("psdk-fakegcs-").FullName, acceptToken);
        Directory.CreateDirectory(Path.Combine(fake._directory, "objects"));
        Directory.CreateDirectory(Path.Combine(fake._directory, "uploads"));
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        var origin = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/');
        fake.BaseUri = origin + "/storage/v1/";
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    public void CreateBucket(string bucket) => _buckets.TryAdd(bucket, new BucketState());

    /// <summary>A bucket that exists but refuses the caller everything (403), as one without an IAM binding does.</summary>
    public void CreateForbiddenBucket(string bucket) => _buckets.TryAdd(bucket, new BucketState { Forbidden = true });

    /// <summary>The next <paramref name="count"/> requests (those <paramref name="when"/> selects) get <paramref name="status"/>.</summary>
    public void FailNext(int count, int status = 503, Func<HttpRequest, bool>? when = null)
    {
        lock (_faultGate)
        {
            (_failCount, _failStatus, _failWhen) = (count, status, when);
        }
    }

    /// <summary>The next upload chunk is cut off halfway: the connection drops and nothing of it is persisted.</summary>
    public void DropNextUploadChunk() => Volatile.Write(ref _dropNextChunk, 1);

    /// <summary>The next upload chunk is damaged on arrival (one byte flipped), as corruption in transit would.</summary>
    public void CorruptNextUploadChunk() => Volatile.Write(ref _corruptNextChunk, 1);

    /// <summary>The next download is damaged on the way (one byte flipped) while its headers stay right.</summary>
    public void CorruptNextDownload() => Volatile.Write(ref _corruptNextDownload, 1);

    /// <summary>The names of a bucket's objects, sorted.</summary>
    public IReadOnlyList<string> ObjectNames(string bucket)
    {
        var state = _buckets[bucket];
        lock (state)
        {
            return [.. state.Objects.Keys];
        }
    }

    /// <summary>An object's stored bytes, or null when there is none (for small objects).</summary>
    public byte[]? Content(string bucket, string name) => Find(bucket, name) is { } stored ? File.ReadAllBytes(stored.Path) : null;

    /// <summary>An object's size and SHA-256 (hex), read from its file; null when there is none.</summary>
    public (long Size, string Sha256)? Describe(string bucket, string name)
    {
        if (Find(bucket, name) is not { } stored)
        {
            return null;
        }

        using var file = File.OpenRead(stored.Path);
        return (file.Length, Convert.ToHexStringLower(SHA256.HashData(file)));
    }

    private StoredObject? Find(string bucket, string name)
    {
        var state = _buckets[bucket];
        lock (state)
        {
            return state.Objects.GetValueOrDefault(name);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var target = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        try
        {
            await DispatchAsync(context, target);
        }
        finally
        {
            var outcome = context.Items.ContainsKey(Dropped) ? "dropped" : context.Response.StatusCode.ToString(CultureInfo.InvariantCulture);
            Requests.Enqueue($"{request.Method} {target} → {outcome}");
        }
    }

    private async Task DispatchAsync(HttpContext context, string target)
    {
        var request = context.Request;
        // Object names are one path segment, fully percent-encoded; the raw target keeps %2F as sent.
        var path = target.Split('?')[0].Split('/');
        var isSession = path is ["", "upload", "storage", "v1", "b", _, "o"] && request.Query.ContainsKey("upload_id");
        if (!isSession && _acceptToken is not null)
        {
            var header = request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.Ordinal) || !_acceptToken(header["Bearer ".Length..]))
            {
                context.Response.Headers.WWWAuthenticate = "Bearer realm=\"https://accounts.google.com/\"";
                await ErrorAsync(context, 401, "Invalid Credentials", "authError");
                return;
            }
        }

        // As in Cloud Storage, a request is authenticated before anything else can go wrong with it.
        if (TakeFault(request) is { } status)
        {
            await request.Body.CopyToAsync(Stream.Null);
            await ErrorAsync(context, status, status == 503 ? "Service Unavailable" : "Injected failure", status == 503 ? "backendError" : "injected");
            return;
        }

        switch (path)
        {
            case ["", "upload", "storage", "v1", "b", var bucket, "o"] when isSession && request.Method == "PUT":
                await ChunkAsync(context, Unescape(bucket));
                return;
            case ["", "upload", "storage", "v1", "b", _, "o"] when isSession && request.Method == "DELETE":
                _sessions.TryRemove(request.Query["upload_id"].ToString(), out _);
                context.Response.StatusCode = 499;
                return;
            case ["", "upload", "storage", "v1", "b", var bucket, "o"] when request.Method == "POST":
                if (await BucketOrRefusalAsync(context, Unescape(bucket), "storage.objects.create") is not null)
                {
                    await StartSessionAsync(context, Unescape(bucket));
                }

                return;
            case ["", "storage", "v1", "b", var bucket, "o"] when request.Method == "GET":
                if (await BucketOrRefusalAsync(context, Unescape(bucket), "storage.objects.list") is { } listed)
                {
                    await ListAsync(context, Unescape(bucket), listed);
                }

                return;
            case ["", "storage", "v1", "b", var bucket, "o", var name]:
                await ObjectAsync(context, Unescape(bucket), Unescape(name), media: request.Query["alt"] == "media");
                return;
            case ["", "download", "storage", "v1", "b", var bucket, "o", var name]:
                await ObjectAsync(context, Unescape(bucket), Unescape(name), media: true);
                return;
            default:
                await ErrorAsync(context, 404, "Not Found", "notFound");
                return;
        }
    }

    private async Task ObjectAsync(HttpContext context, string bucket, string name, bool media)
    {
        var request = context.Request;
        var permission = request.Method switch { "DELETE" => "storage.objects.delete", _ => "storage.objects.get" };
        if (await BucketOrRefusalAsync(context, bucket, permission) is not { } state)
        {
            return;
        }

        StoredObject? stored;
        lock (state)
        {
            stored = state.Objects.GetValueOrDefault(name);
            if (stored is not null && request.Method == "DELETE")
            {
                state.Objects.Remove(name);
            }
        }

        var generation = request.Query["generation"].ToString();
        if (stored is null || (generation.Length > 0 && generation != stored.Generation.ToString(CultureInfo.InvariantCulture)))
        {
            await ErrorAsync(context, 404, $"No such object: {bucket}/{name}", "notFound");
            return;
        }

        switch (request.Method)
        {
            case "DELETE":
                context.Response.StatusCode = 204;
                return;
            case "GET" when media:
                await DownloadAsync(context, stored);
                return;
            case "GET":
                await JsonAsync(context, 200, w => WriteObjectProperties(w, stored));
                return;
            default:
                await ErrorAsync(context, 405, "Method Not Allowed", "methodNotAllowed");
                return;
        }
    }

    private async Task StartSessionAsync(HttpContext context, string bucket)
    {
        var request = context.Request;
        if (request.Query["uploadType"] != "resumable")
        {
            await ErrorAsync(context, 400, $"Upload type '{request.Query["uploadType"]}' is not served by this emulator; the client uses resumable uploads.", "invalid");
            return;
        }

        using var raw = new MemoryStream();
        await request.Body.CopyToAsync(raw);
        var encoding = request.Headers.ContentEncoding.ToString();
        var gzipped = encoding == "gzip";
        byte[] body;
        try
        {
            body = gzipped ? Gunzip(raw.ToArray()) : encoding is "" or "identity" ? raw.ToArray() : throw new InvalidDataException($"unsupported Content-Encoding {encoding}");
        }
        catch (InvalidDataException e)
        {
            await ErrorAsync(context, 400, $"Invalid request body: {e.Message}", "parseError");
            return;
        }

        var name = request.Query["name"].FirstOrDefault();
        var contentType = request.Headers["X-Upload-Content-Type"].FirstOrDefault() ?? "application/octet-stream";
        if (body.Length > 0)
        {
            if (!(request.ContentType ?? "").StartsWith("application/json", StringComparison.Ordinal))
            {
                await ErrorAsync(context, 400, $"Content-Type {request.ContentType} is not application/json.", "invalid");
                return;
            }

            try
            {
                using var json = JsonDocument.Parse(body);
                var root = json.RootElement;
                name = root.TryGetProperty("name", out var n) ? n.GetString() : name;
                contentType = root.TryGetProperty("contentType", out var t) && t.GetString() is { } type ? type : contentType;
                if (root.TryGetProperty("bucket", out var b) && b.GetString() != bucket)
                {
                    await ErrorAsync(context, 400, "The bucket in the body does not match the bucket in the path.", "invalid");
                    return;
                }
            }
            catch (JsonException)
            {
                await ErrorAsync(context, 400, "Parse Error", "parseError");
                return;
            }
        }

        if (string.IsNullOrEmpty(name))
        {
            await ErrorAsync(context, 400, "Required", "required");
            return;
        }

        if (Encoding.UTF8.GetByteCount(name) > 1024 || name.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            await ErrorAsync(context, 400, "The specified object name is not valid.", "invalid");
            return;
        }

        long? declaredLength = long.TryParse(request.Headers["X-Upload-Content-Length"], CultureInfo.InvariantCulture, out var length) ? length : null;
        var id = Guid.NewGuid().ToString("N");
        _sessions[id] = new UploadSession(id, bucket, name, contentType, declaredLength, Path.Combine(_directory, "uploads", id));
        Sessions.Enqueue(new SessionRecord(bucket, name, gzipped, Encoding.UTF8.GetString(body)));
        context.Response.Headers.Location = $"{request.Scheme}://{request.Host}/upload/storage/v1/b/{Uri.EscapeDataString(bucket)}/o?uploadType=resumable&name={Uri.EscapeDataString(name)}&upload_id={id}";
        context.Response.Headers["X-GUploader-UploadID"] = id;
        context.Response.StatusCode = 200;
    }

    private async Task ChunkAsync(HttpContext context, string bucket)
    {
        var request = context.Request;
        if (!_sessions.TryGetValue(request.Query["upload_id"].ToString(), out var session) || session.Bucket != bucket)
        {
            await request.Body.CopyToAsync(Stream.Null);
            await ErrorAsync(context, 404, "No such upload session.", "notFound");
            return;
        }

        await session.Gate.WaitAsync();
        try
        {
            if (session.Result is { } done)
            {
                await request.Body.CopyToAsync(Stream.Null);
                await JsonAsync(context, 200, w => WriteObjectProperties(w, done));
                return;
            }

            var range = ContentRangePattern().Match(request.Headers.ContentRange.ToString());
            if (!range.Success)
            {
                await request.Body.CopyToAsync(Stream.Null);
                await ErrorAsync(context, 400, $"Failed to parse Content-Range header: '{request.Headers.ContentRange}'.", "invalid");
                return;
            }

            long? total = range.Groups["total"].Value is "*" ? null : long.Parse(range.Groups["total"].Value, CultureInfo.InvariantCulture);
            if (!range.Groups["first"].Success)
            {
                // bytes */TOTAL or bytes */*: a status query, or the end of an upload whose bytes have all arrived.
                if (request.ContentLength is > 0)
                {
                    await ErrorAsync(context, 400, "A Content-Range of bytes */... must come without content.", "invalid");
                    return;
                }

                if (total is { } t && t == session.Committed)
                {
                    await FinishAsync(context, session);
                }
                else if (total < session.Committed)
                {
                    await ErrorAsync(context, 400, $"Invalid request. The upload size {total} is smaller than the {session.Committed} byte(s) already uploaded.", "invalid");
                }
                else
                {
                    Incomplete(context, session);
                }

                return;
            }

            var first = long.Parse(range.Groups["first"].Value, CultureInfo.InvariantCulture);
            var last = long.Parse(range.Groups["last"].Value, CultureInfo.InvariantCulture);
            var chunkLength = last - first + 1;
            var final = total is { } size && last + 1 == size;
            var problem =
                last < first ? "the range ends before it starts"
                : request.ContentLength != chunkLength ? $"Content-Length {request.ContentLength} does not match Content-Range {request.Headers.ContentRange}"
                : total is { } declared && last + 1 > declared ? "the range goes past the declared size"
                : first > session.Committed ? $"According to the Content-Range header, the upload offset is {first} byte(s), which exceeds already uploaded size of {session.Committed} byte(s)"
                : !final && chunkLength % ChunkMultiple != 0 ? $"Chunk size {chunkLength} is not a multiple of {ChunkMultiple} bytes and the chunk is not the last"
                : null;
            if (problem is not null)
            {
                await request.Body.CopyToAsync(Stream.Null);
                await ErrorAsync(context, 400, "Invalid request. " + problem + ".", "invalid");
                return;
            }

            var drop = Interlocked.Exchange(ref _dropNextChunk, 0) == 1;
            var corrupt = Interlocked.Exchange(ref _corruptNextChunk, 0) == 1;
            await using (var file = new FileStream(session.Path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, CopyBuffer, useAsync: true))
            {
                // Bytes before the persisted offset were sent again after a failure: the service keeps what it has.
                var skip = session.Committed - first;
                file.Position = session.Committed;
                var buffer = new byte[CopyBuffer];
                long received = 0;
                int read;
                while ((read = await request.Body.ReadAsync(buffer)) > 0)
                {
                    var start = (int)Math.Clamp(skip - received, 0, read);
                    received += read;
                    if (corrupt && start < read)
                    {
                        buffer[start] ^= 0x55;
                        corrupt = false;
                    }

                    await file.WriteAsync(buffer.AsMemory(start, read - start));
                    if (drop && received >= chunkLength / 2)
                    {
                        context.Items[Dropped] = true;
                        context.Abort();
                        return;
                    }
                }

                if (received != chunkLength)
                {
                    return;
                }
            }

            session.Committed = last + 1;
            Chunks.Enqueue(new ChunkRecord(session.Name, first, chunkLength, final, request.Headers["x-goog-hash"].ToString()));
            if (final)
            {
                await FinishAsync(context, session);
            }
            else
            {
                Incomplete(context, session);
            }
        }
        finally
        {
            session.Gate.Release();
        }
    }

    private static void Incomplete(HttpContext context, UploadSession session)
    {
        context.Response.StatusCode = 308;
        if (session.Committed > 0)
        {
            context.Response.Headers["Range"] = $"bytes=0-{session.Committed - 1}";
        }
    }

    private async Task FinishAsync(HttpContext context, UploadSession session)
    {
        if (session.DeclaredLength is { } declared && declared != session.Committed)
        {
            await ErrorAsync(context, 400, $"Invalid request. The upload has {session.Committed} byte(s) but X-Upload-Content-Length said {declared}.", "invalid");
            return;
        }

        if (!File.Exists(session.Path))
        {
            await File.WriteAllBytesAsync(session.Path, []);
        }

        var (crc32c, md5) = Checksums(session.Path, session.Committed);
        var sent = ParseHashes(context.Request.Headers["x-goog-hash"]);
        var mismatch =
            sent.TryGetValue("crc32c", out var sentCrc) && sentCrc != crc32c ? $"Provided CRC32C \"{sentCrc}\" doesn't match calculated CRC32C \"{crc32c}\"."
            : sent.TryGetValue("md5", out var sentMd5) && sentMd5 != md5 ? $"Provided MD5 hash \"{sentMd5}\" doesn't match calculated MD5 hash \"{md5}\"."
            : null;
        if (mismatch is not null)
        {
            // The service creates no object, and the session cannot be finished any more.
            _sessions.TryRemove(session.Id, out _);
            File.Delete(session.Path);
            await ErrorAsync(context, 400, mismatch, "invalid");
            return;
        }

        var state = _buckets[session.Bucket];
        var generation = Interlocked.Increment(ref _generation);
        var path = Path.Combine(_directory, "objects", $"{generation}");
        File.Move(session.Path, path);
        var stored = new StoredObject(session.Bucket, session.Name, generation, session.Committed, session.ContentType, crc32c, md5, DateTimeOffset.UtcNow, path);
        lock (state)
        {
            state.Objects[session.Name] = stored;
        }

        session.Result = stored;
        await JsonAsync(context, 200, w => WriteObjectProperties(w, stored));
    }

    private async Task DownloadAsync(HttpContext context, StoredObject stored)
    {
        var response = context.Response;
        long from = 0;
        var to = stored.Size - 1;
        if (RangePattern().Match(context.Request.Headers.Range.ToString()) is { Success: true } range)
        {
            from = long.Parse(range.Groups["first"].Value, CultureInfo.InvariantCulture);
            to = range.Groups["last"].Success ? Math.Min(to, long.Parse(range.Groups["last"].Value, CultureInfo.InvariantCulture)) : to;
            if (from >= stored.Size)
            {
                await ErrorAsync(context, 416, "The requested range cannot be satisfied.", "requestedRangeNotSatisfiable");
                return;
            }

            response.StatusCode = 206;
            response.Headers.ContentRange = $"bytes {from}-{to}/{stored.Size}";
        }
        else
        {
            response.StatusCode = 200;
        }

        response.ContentType = stored.ContentType;
        response.ContentLength = to - from + 1;
        response.Headers["x-goog-hash"] = new StringValues([$"crc32c={stored.Crc32c}", $"md5={stored.Md5}"]);
        response.Headers["x-goog-generation"] = stored.Generation.ToString(CultureInfo.InvariantCulture);
        response.Headers["x-goog-metageneration"] = "1";
        response.Headers["x-goog-stored-content-length"] = stored.Size.ToString(CultureInfo.InvariantCulture);
        response.Headers["x-goog-stored-content-encoding"] = "identity";
        response.Headers.ETag = $"\"{stored.Md5}\"";

        var corrupt = Interlocked.Exchange(ref _corruptNextDownload, 0) == 1;
        await using var file = new FileStream(stored.Path, FileMode.Open, FileAccess.Read, FileShare.Read, CopyBuffer, useAsync: true);
        file.Position = from;
        var buffer = new byte[CopyBuffer];
        var remaining = to - from + 1;
        while (remaining > 0)
        {
            var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)));
            if (corrupt)
            {
                buffer[0] ^= 0x55;
                corrupt = false;
            }

            await response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
            remaining -= read;
        }
    }

    private async Task ListAsync(HttpContext context, string bucket, BucketState state)
    {
        var query = context.Request.Query;
        var prefix = query["prefix"].ToString();
        var delimiter = query["delimiter"].ToString();
        var maxResults = query["maxResults"].Count == 0 ? 1000 : int.TryParse(query["maxResults"], CultureInfo.InvariantCulture, out var max) && max > 0 ? max : -1;
        if (maxResults < 0)
        {
            await ErrorAsync(context, 400, $"Invalid value for maxResults: {query["maxResults"]}", "invalid");
            return;
        }

        string? after = null;
        if (query["pageToken"].ToString() is { Length: > 0 } token)
        {
            try
            {
                after = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            }
            catch (FormatException)
            {
                await ErrorAsync(context, 400, "Invalid page token.", "invalid");
                return;
            }
        }

        List<(string Key, StoredObject? Object)> entries;
        lock (state)
        {
            entries = state.Objects.Values
                .Where(o => o.Name.StartsWith(prefix, StringComparison.Ordinal))
                .Select(o => delimiter.Length > 0 && o.Name.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal) is var at and >= 0
                    ? (Key: o.Name[..(at + delimiter.Length)], Object: (StoredObject?)null)
                    : (Key: o.Name, Object: o))
                .DistinctBy(e => e.Key)
                .OrderBy(e => e.Key, StringComparer.Ordinal)
                .ToList();
        }

        var remaining = entries.Where(e => after is null || string.CompareOrdinal(e.Key, after) > 0).ToList();
        var page = remaining.Take(Math.Min(maxResults, PageSize)).ToList();
        await JsonAsync(context, 200, w =>
        {
            w.WriteString("kind", "storage#objects");
            if (page.Any(e => e.Object is null))
            {
                w.WriteStartArray("prefixes");
                foreach (var (key, _) in page.Where(e => e.Object is null))
                {
                    w.WriteStringValue(key);
                }

                w.WriteEndArray();
            }

            if (page.Any(e => e.Object is not null))
            {
                w.WriteStartArray("items");
                foreach (var (_, item) in page.Where(e => e.Object is not null))
                {
                    w.WriteStartObject();
                    WriteObjectProperties(w, item!);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            if (remaining.Count > page.Count)
            {
                w.WriteString("nextPageToken", Convert.ToBase64String(Encoding.UTF8.GetBytes(page[^1].Key)));
            }
        });
    }

    /// <summary>The bucket, or null after answering 404 (no such bucket) or 403 (refused) as the service does.</summary>
    private async Task<BucketState?> BucketOrRefusalAsync(HttpContext context, string bucket, string permission)
    {
        if (!_buckets.TryGetValue(bucket, out var state))
        {
            await context.Request.Body.CopyToAsync(Stream.Null);
            await ErrorAsync(context, 404, "The specified bucket does not exist.", "notFound");
            return null;
        }

        if (state.Forbidden)
        {
            await context.Request.Body.CopyToAsync(Stream.Null);
            var caller = _acceptToken is null ? "anonymous caller" : FakeGoogle.ServiceAccount;
            var resource = permission == "storage.objects.list" ? "bucket" : "object";
            await ErrorAsync(context, 403, $"{caller} does not have {permission} access to the Google Cloud Storage {resource}. Permission '{permission}' denied on resource (or it may not exist).", "forbidden");
            return null;
        }

        return state;
    }

    private int? TakeFault(HttpRequest request)
    {
        lock (_faultGate)
        {
            if (_failCount > 0 && (_failWhen?.Invoke(request) ?? true))
            {
                _failCount--;
                return _failStatus;
            }

            return null;
        }
    }

    private static void WriteObject(Utf8JsonWriter w, StoredObject o) => WriteObjectProperties(w, o);

    private static void WriteObjectProperties(Utf8JsonWriter w, StoredObject o)
    {
        var generation = o.Generation.ToString(CultureInfo.InvariantCulture);
        var time = o.Updated.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        w.WriteString("kind", "storage#object");
        w.WriteString("id", $"{o.Bucket}/{o.Name}/{generation}");
        w.WriteString("selfLink", $"https://www.googleapis.com/storage/v1/b/{o.Bucket}/o/{Uri.EscapeDataString(o.Name)}");
        w.WriteString("mediaLink", $"https://storage.googleapis.com/download/storage/v1/b/{o.Bucket}/o/{Uri.EscapeDataString(o.Name)}?generation={generation}&alt=media");
        w.WriteString("name", o.Name);
        w.WriteString("bucket", o.Bucket);
        w.WriteString("generation", generation);
        w.WriteString("metageneration", "1");
        w.WriteString("contentType", o.ContentType);
        w.WriteString("storageClass", "STANDARD");
        w.WriteString("size", o.Size.ToString(CultureInfo.InvariantCulture));
        w.WriteString("md5Hash", o.Md5);
        w.WriteString("crc32c", o.Crc32c);
        w.WriteString("etag", Convert.ToBase64String(BitConverter.GetBytes(o.Generation)));
        w.WriteString("timeCreated", time);
        w.WriteString("updated", time);
    }

    private static async Task JsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> properties)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            properties(writer);
            writer.WriteEndObject();
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.Body.WriteAsync(buffer.ToArray());
    }

    private static Task ErrorAsync(HttpContext context, int code, string message, string reason) =>
        JsonAsync(context, code, w =>
        {
            w.WriteStartObject("error");
            w.WriteNumber("code", code);
            w.WriteString("message", message);
            w.WriteStartArray("errors");
            w.WriteStartObject();
            w.WriteString("message", message);
            w.WriteString("domain", "global");
            w.WriteString("reason", reason);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        });

    private static Dictionary<string, string> ParseHashes(StringValues headers)
    {
        var hashes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in headers.SelectMany(h => (h ?? "").Split(',')))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                hashes[part[..equals].Trim()] = part[(equals + 1)..].Trim();
            }
        }

        return hashes;
    }

    private static (string Crc32c, string Md5) Checksums(string path, long length)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.SetLength(length);
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var crc = uint.MaxValue;
        var buffer = new byte[CopyBuffer];
        int read;
        while ((read = file.Read(buffer)) > 0)
        {
            md5.AppendData(buffer.AsSpan(0, read));
            crc = Crc32cUpdate(crc, buffer.AsSpan(0, read));
        }

        var crcBytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crcBytes, ~crc);
        return (Convert.ToBase64String(crcBytes), Convert.ToBase64String(md5.GetHashAndReset()));
    }

    // The emulator's own CRC32C (Castagnoli, reflected; the SSE4.2 instruction computes the same), written apart from the product's.
    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(i =>
    {
        var entry = (uint)i;
        for (var bit = 0; bit < 8; bit++)
        {
            entry = (entry & 1) != 0 ? (entry >> 1) ^ 0x82F63B78u : entry >> 1;
        }

        return entry;
    }).ToArray();

    private static uint Crc32cUpdate(uint crc, ReadOnlySpan<byte> data)
    {
        if (Sse42.X64.IsSupported)
        {
            ulong wide = crc;
            for (; data.Length >= 8; data = data[8..])
            {
                wide = Sse42.X64.Crc32(wide, BinaryPrimitives.ReadUInt64LittleEndian(data));
            }

            crc = (uint)wide;
        }

        foreach (var b in data)
        {
            crc = CrcTable[(byte)(crc ^ b)] ^ (crc >> 8);
        }

        return crc;
    }

    private static byte[] Gunzip(byte[] compressed)
    {
        using var input = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private static string Unescape(string segment) => Uri.UnescapeDataString(segment);

    [GeneratedRegex(@"^bytes (?:(?<first>\d+)-(?<last>\d+)|\*)/(?<total>\d+|\*)$")]
    private static partial Regex ContentRangePattern();

    [GeneratedRegex(@"^bytes=(?<first>\d+)-(?<last>\d+)?$")]
    private static partial Regex RangePattern();

    internal sealed record ChunkRecord(string Name, long Start, long Length, bool Final, string HashHeader);

    internal sealed record SessionRecord(string Bucket, string Name, bool Gzipped, string Json);

    private sealed record StoredObject(string Bucket, string Name, long Generation, long Size, string ContentType, string Crc32c, string Md5, DateTimeOffset Updated, string Path);

    private sealed class BucketState
    {
        public bool Forbidden { get; init; }

        public SortedDictionary<string, StoredObject> Objects { get; } = new(StringComparer.Ordinal);
    }

    private sealed class UploadSession(string id, string bucket, string name, string contentType, long? declaredLength, string path)
    {
        public string Id { get; } = id;
        public string Bucket { get; } = bucket;
        public string Name { get; } = name;
        public string ContentType { get; } = contentType;
        public long? DeclaredLength { get; } = declaredLength;
        public string Path { get; } = path;
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public long Committed { get; set; }
        public StoredObject? Result { get; set; }
    }
}
