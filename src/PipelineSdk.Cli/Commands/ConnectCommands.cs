using System.CommandLine;
using PipelineSdk.Store;
using PipelineSdk.Store.Remote;

namespace PipelineSdk.Cli.Commands;

/// <summary>
/// <c>pipelines connect|disconnect|status</c>: records of this store folder go to a team's server (or back to the embedded
/// store). The token is saved in the folder's <c>connection.json</c> (owner-only) and never printed.
/// </summary>
internal static class ConnectCommands
{
    public static IEnumerable<Command> Create(Cli cli) => [Connect(cli), Disconnect(cli), Status(cli)];

    private static Command Connect(Cli cli)
    {
        var url = new Option<string>("--url") { Description = "The server's URL, e.g. http://127.0.0.1:8237 or https://pipelines.example.com.", Required = true };
        var token = new Option<string?>("--token") { Description = $"An API token from `pipelines server token create` (default: ${ServerConnection.TokenVariable})." };
        var command = new Command("connect", "Connects this store folder to a PipelineSdk server: programs and this tool then record to and read from it.") { url, token };
        command.SetAction(cli.Handle(result =>
        {
            var directory = StoreLocation.Resolve();
            var address = ServerConnection.CheckUrl(result.GetValue(url)!);
            var secret = result.GetValue(token) ?? Environment.GetEnvironmentVariable(ServerConnection.TokenVariable)
                ?? throw new CliException($"give --token TOKEN (or set {ServerConnection.TokenVariable}); make one on the server with `pipelines server token create NAME --role write`");
            var version = ServerStore.Check(address, secret.Trim());
            var previous = ServerConnection.Read(directory);
            var activeStack = previous?.Url == address ? previous.ActiveStack : null;
            new ServerConnection(address, secret.Trim(), activeStack).Save(directory);
            cli.Line($"Connected {directory} to the server at {address} (PipelineSdk {version}); active stack: '{activeStack ?? Stacks.Stack.DefaultName}'.");
            if (address.StartsWith("http://", StringComparison.Ordinal) && !IsLoopback(address))
            {
                cli.Error.WriteLine("note: the token travels in clear over http://; serve the API behind a TLS reverse proxy and connect with https:// (docs/server.md).");
            }
        }));
        return command;
    }

    private static Command Disconnect(Cli cli)
    {
        var command = new Command("disconnect", "Disconnects this store folder from its server: records go to the embedded store again (the server keeps its records).");
        command.SetAction(cli.Handle(_ =>
        {
            var directory = StoreLocation.Resolve();
            var saved = ServerConnection.Read(directory);
            if (saved?.Url is null)
            {
                throw new CliException($"{directory} is not connected to a server");
            }

            File.Delete(ServerConnection.PathIn(directory));
            cli.Line($"Disconnected {directory} from {saved.Url}; records go to {Path.Combine(directory, MetadataStore.DatabaseFileName)} again.");
            if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(ServerConnection.UrlVariable)))
            {
                cli.Error.WriteLine($"note: {ServerConnection.UrlVariable} is set and still connects this shell to a server.");
            }
        }));
        return command;
    }

    private static Command Status(Cli cli)
    {
        var command = new Command("status", "Shows where this folder's records go: the embedded store or a server, and whether the server answers and accepts the token.");
        command.SetAction(cli.Handle(_ =>
        {
            var directory = StoreLocation.Resolve();
            cli.Line($"Store folder: {directory}");
            if (ServerConnection.Find(directory) is not { } connection)
            {
                cli.Line($"Records: {Path.Combine(directory, MetadataStore.DatabaseFileName)} (embedded; `pipelines connect --url URL --token TOKEN` to use a server)");
                return;
            }

            cli.Line($"Server: {connection.Url} (from {(connection.FromEnvironment ? ServerConnection.UrlVariable : ServerConnection.PathIn(directory))})");
            cli.Line($"Active stack: {connection.ActiveStack ?? Stacks.Stack.DefaultName}");
            var version = ServerStore.Check(connection.Url!, connection.Token!);
            cli.Line($"Reachable: yes, PipelineSdk {version}; the token is accepted.");
        }));
        return command;
    }

    private static bool IsLoopback(string url) =>
        new Uri(url).Host is "localhost" or "127.0.0.1" or "[::1]" or "::1";
}
