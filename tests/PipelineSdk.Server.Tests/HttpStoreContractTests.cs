using PipelineSdk.Server.Security;
using PipelineSdk.Server.Tests.Fixtures;
using PipelineSdk.Server.Tests.Store;
using PipelineSdk.Store;

namespace PipelineSdk.Server.Tests;

/// <summary>The store contract on the third backend: the server's HTTP client, against a real server per test.</summary>
public sealed class HttpStoreContractTests : StoreContractTests
{
    private readonly List<TestServer> _servers = [];
    private readonly Dictionary<MetadataStore, TestServer> _serverOf = [];

    private const string AdminName = "contract-admin";

    /// <summary>The server records the token's name, whatever the client says.</summary>
    protected override string RecordedPromoter(string given) => AdminName;

    protected override async Task<MetadataStore> CreateStoreAsync(string directory)
    {
        var server = await TestServer.StartAsync();
        _servers.Add(server);
        // The contract is the whole store's: deleting stacks and components included, which needs an admin token.
        var store = server.Client(server.Token(TokenRole.Admin, AdminName), folder: directory);
        _serverOf[store] = server;
        return store;
    }

    protected override Task<MetadataStore> OpenAgainAsync(MetadataStore store)
    {
        var server = _serverOf[store];
        var again = server.Client(server.Token(TokenRole.Admin));
        _serverOf[again] = server;
        return Task.FromResult<MetadataStore>(again);
    }

    [TearDown]
    public async Task StopServers()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        _servers.Clear();
        _serverOf.Clear();
    }
}
