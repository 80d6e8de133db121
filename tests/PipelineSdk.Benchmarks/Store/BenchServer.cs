using PipelineSdk.Server.Hosting;
using PipelineSdk.Server.Security;
using PipelineSdk.Store.Remote;
using PipelineSdk.Store.Sql;

namespace PipelineSdk.Benchmarks.Store;

/// <summary>A real <c>pipelines server</c> (Kestrel on 127.0.0.1, SQLite behind it) and clients with a write token, as a team member has.</summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private readonly PipelineServer _server;
    private readonly string _directory;
    private readonly string _token;
    private int _clients;

    private BenchServer(PipelineServer server, string directory, string token)
    {
        _server = server;
        _directory = directory;
        _token = token;
    }

    public static BenchServer Start(string directory)
    {
        var storeDirectory = Path.Combine(directory, "server");
        string token;
        using (var database = SqlMetadataStore.OpenSqlite(storeDirectory))
        {
            token = new ApiTokens(database).Create("bench", TokenRole.Write, null);
        }

        var server = PipelineServer.StartAsync(new ServerOptions { StoreDirectory = storeDirectory, Port = 0 }).GetAwaiter().GetResult();
        return new BenchServer(server, directory, token);
    }

    /// <summary>A client in a folder of its own, as a program on another machine has.</summary>
    public ServerStore Client() =>
        new(Directory.CreateDirectory(Path.Combine(_directory, $"client-{Interlocked.Increment(ref _clients)}")).FullName, new ServerConnection(_server.Url, _token));

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
