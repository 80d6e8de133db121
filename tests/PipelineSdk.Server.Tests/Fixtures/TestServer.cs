using System.Net.Http.Headers;
using PipelineSdk.Server.Hosting;
using PipelineSdk.Server.Security;
using PipelineSdk.Store.Remote;
using PipelineSdk.Store.Sql;

namespace PipelineSdk.Server.Tests.Fixtures;

/// <summary>
/// A real server in this process: Kestrel on a free loopback port over a SQLite store in a fresh folder. Tokens are made on
/// its database directly, as `pipelines server token create` does.
/// </summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly PipelineServer _server;

    private TestServer(PipelineServer server, string root)
    {
        _server = server;
        Root = root;
    }

    public string Root { get; }

    public string StoreDirectory => Path.Combine(Root, "server");

    public string Url => _server.Url;

    public ServerDatabase Database { get; private init; } = new();

    public static async Task<TestServer> StartAsync(long? maxRequestBodyBytes = null, IReadOnlyList<string>? artifactRoots = null, ServerDatabase? database = null)
    {
        var root = Path.Combine(Path.GetTempPath(), "psdk-server", Guid.NewGuid().ToString("N"));
        var options = new ServerOptions
        {
            Port = 0,
            StoreDirectory = Path.Combine(root, "server"),
            MaxRequestBodyBytes = maxRequestBodyBytes ?? ServerOptions.DefaultMaxRequestBodyBytes,
            ArtifactRoots = artifactRoots ?? [],
            Database = database ?? new ServerDatabase(),
        };
        return new TestServer(await PipelineServer.StartAsync(options), root) { Database = options.Database };
    }

    /// <summary>Opens the server's database beside the server, as the token commands do.</summary>
    public SqlMetadataStore OpenDatabase() => Database.Open(StoreDirectory);

    public string Token(TokenRole role, string? name = null, TimeSpan? lifetime = null)
    {
        using var store = OpenDatabase();
        return new ApiTokens(store).Create(name ?? $"{role}-{Guid.NewGuid():N}", role, lifetime);
    }

    /// <summary>A client store in a fresh folder of its own (or <paramref name="folder"/>, absolute or below the root), as a program on another machine would have.</summary>
    public ServerStore Client(string? token = null, string? folder = null)
    {
        var directory = Path.Combine(Root, folder ?? "client-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return new ServerStore(directory, new ServerConnection(Url, token ?? Token(TokenRole.Write)));
    }

    public HttpClient Http(string? token)
    {
        var http = new HttpClient { BaseAddress = new Uri(Url + "/") };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Left for the temp cleaner.
        }
    }
}
