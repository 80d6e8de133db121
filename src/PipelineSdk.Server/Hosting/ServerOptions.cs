using System.Net;
using PipelineSdk.Stacks;

namespace PipelineSdk.Server.Hosting;

/// <summary>How <c>pipelines server start</c> runs.</summary>
public sealed record ServerOptions
{
    /// <summary>The default port.</summary>
    public const int DefaultPort = 8237;

    /// <summary>The largest request body accepted by default (a pipeline spec with a run fits many times over).</summary>
    public const long DefaultMaxRequestBodyBytes = 16 * 1024 * 1024;

    /// <summary>The address to listen on (default: loopback only).</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The port (0: any free port).</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>Allows a non-loopback <see cref="Host"/>; tokens then travel in clear unless a TLS proxy is in front.</summary>
    public bool AllowRemote { get; init; }

    /// <summary>The store folder: the SQLite database when no <see cref="Database"/> is given, the state file and the log.</summary>
    public required string StoreDirectory { get; init; }

    /// <summary>Where the records are kept: the folder's SQLite file, or PostgreSQL.</summary>
    public ServerDatabase Database { get; init; } = new();

    /// <summary>Folders whose files the server may stream as artifact content (default: the store folder's artifacts).</summary>
    public IReadOnlyList<string> ArtifactRoots { get; init; } = [];

    /// <summary>
    /// The TLS-terminating proxies in front (IP addresses, or networks such as <c>10.0.0.0/8</c>) whose
    /// <c>X-Forwarded-Proto</c> and <c>X-Forwarded-For</c> the server believes: requests they forward over HTTPS count as
    /// HTTPS (the session cookie is then <c>Secure</c>). Empty (the default): those headers are ignored.
    /// </summary>
    public IReadOnlyList<string> TrustedProxies { get; init; } = [];

    /// <summary>The largest request body accepted (413 beyond).</summary>
    public long MaxRequestBodyBytes { get; init; } = DefaultMaxRequestBodyBytes;

    /// <summary>The address to bind, after checking it is allowed.</summary>
    /// <exception cref="StackException">It is not an IP address, or not loopback without <see cref="AllowRemote"/>.</exception>
    public IPAddress BindAddress()
    {
        var address = Host == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(Host, out var parsed) ? parsed
            : throw new StackException($"--host {Host}: give an IP address to listen on, e.g. 127.0.0.1 or 0.0.0.0");
        if (!IPAddress.IsLoopback(address) && !AllowRemote)
        {
            throw new StackException($"--host {Host} would serve API tokens in clear over plain HTTP; put a TLS reverse proxy in front (see docs/server.md) and add --allow-remote");
        }

        return address;
    }

    /// <summary>The <see cref="TrustedProxies"/> as networks (an address is a network of one).</summary>
    /// <exception cref="StackException">One is neither an IP address nor a network.</exception>
    public IReadOnlyList<IPNetwork> TrustedProxyNetworks() =>
        [.. TrustedProxies.Select(proxy =>
            IPAddress.TryParse(proxy, out var address) ? new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
            : IPNetwork.TryParse(proxy, out var network) ? network
            : throw new StackException($"--trusted-proxy {proxy}: give the proxy's IP address as the server sees it (e.g. 127.0.0.1) or a network (e.g. 10.0.0.0/8)"))];
}
