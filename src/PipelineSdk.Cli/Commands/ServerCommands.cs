using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PipelineSdk.Server.Hosting;
using PipelineSdk.Server.Security;
using PipelineSdk.Store;
using Spectre.Console;

namespace PipelineSdk.Cli.Commands;

/// <summary>
/// <c>pipelines server start|status|stop</c> and <c>pipelines server token create|list|revoke</c>. ASP.NET Core is loaded only when
/// one of these runs: the server's types appear in the actions' methods, never in <see cref="Create"/>.
/// </summary>
internal static class ServerCommands
{
    public static Command Create(Cli cli)
    {
        var command = new Command("server", "Runs a PipelineSdk server: one store for a team (SQLite or PostgreSQL) behind a token-secured JSON API.");
        command.Add(Start(cli));
        command.Add(Status(cli));
        command.Add(Stop(cli));
        command.Add(Tokens(cli));
        return command;
    }

    /// <summary>The options that say which database the server uses; token commands take the same ones.</summary>
    private sealed class DatabaseOptions
    {
        public Option<string?> Store { get; } = new("--store") { Description = "The server's store folder: its SQLite database, state file and log (default: the store this tool would use)." };

        public Option<string?> Database { get; } = new("--database") { Description = "A PostgreSQL connection string without a password, e.g. \"Host=db;Database=pipelines;Username=pipelines\" (default: SQLite in the store folder)." };

        public Option<string?> PasswordFile { get; } = new("--database-password-file") { Description = "A file holding the PostgreSQL password (default: $PIPELINES_DATABASE_PASSWORD, else ~/.pgpass)." };

        public void AddTo(Command command)
        {
            command.Add(Store);
            command.Add(Database);
            command.Add(PasswordFile);
        }

        public string Directory(ParseResult result) => Path.GetFullPath(result.GetValue(Store) ?? StoreLocation.Resolve());
    }

    private static Command Start(Cli cli)
    {
        var database = new DatabaseOptions();
        var host = new Option<string>("--host") { Description = "The address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "The port to listen on (0: any free port).", DefaultValueFactory = _ => ServerOptions.DefaultPort };
        var allowRemote = new Option<bool>("--allow-remote") { Description = "Allows a --host other than loopback: put a TLS reverse proxy in front, since tokens travel in clear over HTTP." };
        var artifactRoots = new Option<string[]>("--artifact-root") { Description = "A folder whose artifact files the server may stream (repeatable; default: the store folder's artifacts).", Arity = ArgumentArity.ZeroOrMore };
        var trustedProxies = new Option<string[]>("--trusted-proxy") { Description = "A TLS-terminating proxy in front (its IP address as the server sees it, or a network such as 10.0.0.0/8; repeatable) whose X-Forwarded-Proto and X-Forwarded-For are believed, so requests it forwards over HTTPS get Secure session cookies.", Arity = ArgumentArity.ZeroOrMore };
        var foreground = new Option<bool>("--foreground") { Description = "Runs in this process until SIGTERM or Ctrl+C (for systemd and containers) instead of starting in the background." };
        var command = new Command("start", "Starts the server: in the background (waiting until it answers) or, with --foreground, in this process.") { host, port, allowRemote, artifactRoots, trustedProxies, foreground };
        database.AddTo(command);
        command.SetAction(cli.Handle(async (result, token) =>
        {
            var portNumber = result.GetValue(port);
            if (portNumber is < 0 or > 65535)
            {
                throw new CliException($"--port {portNumber}: give a port from 0 to 65535");
            }

            var options = new ServerOptions
            {
                Host = result.GetValue(host)!,
                Port = portNumber,
                AllowRemote = result.GetValue(allowRemote),
                StoreDirectory = database.Directory(result),
                Database = new ServerDatabase(result.GetValue(database.Database), result.GetValue(database.PasswordFile) is { } file ? Path.GetFullPath(file) : null),
                ArtifactRoots = result.GetValue(artifactRoots) ?? [],
                TrustedProxies = result.GetValue(trustedProxies) ?? [],
            };
            options.BindAddress();
            options.TrustedProxyNetworks();
            if (Running(options.StoreDirectory) is { } running)
            {
                throw new CliException($"a server from {options.StoreDirectory} is running already at {running.Url} (pid {running.ProcessId}); stop it with `pipelines server stop`");
            }

            return result.GetValue(foreground)
                ? await RunForeground(cli, options, token).ConfigureAwait(false)
                : await StartBackground(cli, options, token).ConfigureAwait(false);
        }));
        return command;
    }

    private static async Task<int> RunForeground(Cli cli, ServerOptions options, CancellationToken token)
    {
        var server = await PipelineServer.StartAsync(options, token).ConfigureAwait(false);
        await using (server.ConfigureAwait(false))
        {
            var state = new ServerState(Environment.ProcessId, server.Url, server.Database, DateTimeOffset.UtcNow);
            state.Write(options.StoreDirectory);
            try
            {
                cli.Line($"PipelineSdk server listening on {server.Url} (records: {server.Database}; pid {Environment.ProcessId}).");
                try
                {
                    await server.WaitForShutdownAsync(token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // SIGTERM or Ctrl+C: stop as asked.
                }
            }
            finally
            {
                ServerState.Remove(options.StoreDirectory, Environment.ProcessId);
            }
        }

        cli.Line("PipelineSdk server stopped.");
        return Cli.Success;
    }

    // The same command again with --foreground, in its own session, writing to server.log; ready when its state file and health say so.
    private static async Task<int> StartBackground(Cli cli, ServerOptions options, CancellationToken token)
    {
        System.IO.Directory.CreateDirectory(options.StoreDirectory);
        var log = Path.Combine(options.StoreDirectory, ServerState.LogFileName);
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false };
        foreach (var arg in (string[])["sh", "-c", "exec \"$@\" >>\"$0\" 2>&1 </dev/null", log, .. Self(), "server", "start", "--foreground",
            "--host", options.Host, "--port", options.Port.ToString(CultureInfo.InvariantCulture), "--store", options.StoreDirectory])
        {
            start.ArgumentList.Add(arg);
        }

        if (options.AllowRemote)
        {
            start.ArgumentList.Add("--allow-remote");
        }

        if (options.Database.ConnectionString is { } connection)
        {
            start.ArgumentList.Add("--database");
            start.ArgumentList.Add(connection);
        }

        if (options.Database.PasswordFile is { } passwordFile)
        {
            start.ArgumentList.Add("--database-password-file");
            start.ArgumentList.Add(passwordFile);
        }

        foreach (var root in options.ArtifactRoots)
        {
            start.ArgumentList.Add("--artifact-root");
            start.ArgumentList.Add(Path.GetFullPath(root));
        }

        foreach (var proxy in options.TrustedProxies)
        {
            start.ArgumentList.Add("--trusted-proxy");
            start.ArgumentList.Add(proxy);
        }

        using var child = Process.Start(start) ?? throw new CliException("the server process could not be started");
        using var http = new HttpClient();
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (Running(options.StoreDirectory) is { } state && await Answers(http, state.Url, token).ConfigureAwait(false))
            {
                cli.Line($"PipelineSdk server listening on {state.Url} (records: {state.Database}; pid {state.ProcessId}; log: {log}).");
                return Cli.Success;
            }

            if (child.HasExited)
            {
                var last = File.Exists(log) ? File.ReadLines(log).LastOrDefault(l => l.StartsWith("error: ", StringComparison.Ordinal)) : null;
                throw new CliException(last is not null ? last["error: ".Length..] : $"the server stopped while starting; see {log}");
            }

            // Only a hang is caught here, generously: a loaded machine can take a while to start ASP.NET Core.
            if (waited.Elapsed > TimeSpan.FromMinutes(10))
            {
                throw new CliException($"the server (pid {child.Id}) did not answer within 10 minutes; see {log}");
            }

            await Task.Delay(200, token).ConfigureAwait(false);
        }
    }

    private static Command Status(Cli cli)
    {
        var database = new DatabaseOptions();
        var command = new Command("status", "Says whether a server runs from the store folder, where it listens and whether it answers.");
        command.Add(database.Store);
        command.SetAction(cli.Handle(async (result, token) =>
        {
            var directory = database.Directory(result);
            if (Running(directory) is not { } state)
            {
                cli.Line($"No server is running from {directory}.");
                return 1;
            }

            using var http = new HttpClient();
            var answers = await Answers(http, state.Url, token).ConfigureAwait(false);
            cli.Line($"Server running at {state.Url} (pid {state.ProcessId}, since {state.StartedAt.ToString("u", CultureInfo.InvariantCulture)}; records: {state.Database}); {(answers ? "it answers" : "it does not answer")}.");
            return answers ? Cli.Success : 1;
        }));
        return command;
    }

    private static Command Stop(Cli cli)
    {
        var database = new DatabaseOptions();
        var command = new Command("stop", "Stops the server running from the store folder (SIGTERM: requests in flight finish) and waits until it has.");
        command.Add(database.Store);
        command.SetAction(cli.Handle(async (result, token) =>
        {
            var directory = database.Directory(result);
            var state = Running(directory) ?? throw new CliException($"no server is running from {directory}");
            using (var kill = Process.Start("kill", ["-TERM", state.ProcessId.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(token).ConfigureAwait(false);
            }

            while (IsAlive(state.ProcessId))
            {
                await Task.Delay(100, token).ConfigureAwait(false);
            }

            ServerState.Remove(directory, state.ProcessId);
            cli.Line($"Stopped the server at {state.Url}.");
            return Cli.Success;
        }));
        return command;
    }

    private static Command Tokens(Cli cli)
    {
        var command = new Command("token", "Makes, lists and revokes the server's API tokens, on its database directly (so the first admin token can be made).");

        var database = new DatabaseOptions();
        var name = new Argument<string>("name") { Description = "The token's name (who or what uses it)." };
        var role = new Option<string>("--role") { Description = "admin, write (record runs, register stacks) or read.", DefaultValueFactory = _ => "write" }.AcceptOnlyFromAmong("admin", "write", "read");
        var expires = new Option<string?>("--expires") { Description = "How long it works, e.g. 90m, 12h, 30d, 1y (default: until revoked)." };
        var create = new Command("create", "Makes a token and shows it once (only its hash is stored).") { name, role, expires };
        database.AddTo(create);
        create.SetAction(cli.Handle(result =>
        {
            var lifetime = result.GetValue(expires) is { } text ? ApiTokens.ParseLifetime(text) : (TimeSpan?)null;
            using var store = OpenDatabase(database, result);
            var secret = new ApiTokens(store).Create(result.GetValue(name)!, ApiTokens.ParseRole(result.GetValue(role)!)!.Value, lifetime);
            cli.Error.WriteLine($"Created {result.GetValue(role)} token '{result.GetValue(name)}'{(lifetime is { } l ? $", expiring {(DateTimeOffset.UtcNow + l).ToString("u", CultureInfo.InvariantCulture)}" : "")}; it is shown only now:");
            cli.Line(secret);
        }));
        command.Add(create);

        var listDatabase = new DatabaseOptions();
        var output = Cli.OutputOption();
        var list = new Command("list", "Lists the tokens (never their secrets).") { output };
        listDatabase.AddTo(list);
        list.SetAction(cli.Handle(result =>
        {
            using var store = OpenDatabase(listDatabase, result);
            var tokens = new ApiTokens(store).List();
            var now = DateTimeOffset.UtcNow;
            if (Cli.Json(result, output))
            {
                cli.WriteJson(w =>
                {
                    w.WriteStartArray();
                    foreach (var t in tokens)
                    {
                        w.WriteStartObject();
                        w.WriteString("name", t.Name);
                        w.WriteString("role", ApiTokens.RoleName(t.Role));
                        w.WriteString("createdAt", t.CreatedAt);
                        Time(w, "expiresAt", t.ExpiresAt);
                        Time(w, "revokedAt", t.RevokedAt);
                        Time(w, "lastUsedAt", t.LastUsedAt);
                        w.WriteBoolean("valid", t.IsValidAt(now));
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                });
                return;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumn("NAME").AddColumn("ROLE").AddColumn("CREATED").AddColumn("EXPIRES").AddColumn("STATE").AddColumn("LAST USED");
            foreach (var t in tokens)
            {
                table.AddRow(Markup.Escape(t.Name), ApiTokens.RoleName(t.Role), Day(t.CreatedAt), t.ExpiresAt is { } e ? Day(e) : "never",
                    t.RevokedAt is not null ? "revoked" : t.IsValidAt(now) ? "valid" : "expired", t.LastUsedAt is { } u ? Day(u) : "-");
            }

            cli.Console.Write(table);
        }));
        command.Add(list);

        var revokeDatabase = new DatabaseOptions();
        var revokeName = new Argument<string>("name") { Description = "The token to revoke." };
        var revoke = new Command("revoke", "Revokes a token: the server refuses it from its next request on.") { revokeName };
        revokeDatabase.AddTo(revoke);
        revoke.SetAction(cli.Handle(result =>
        {
            using var store = OpenDatabase(revokeDatabase, result);
            new ApiTokens(store).Revoke(result.GetValue(revokeName)!);
            cli.Line($"Revoked token '{result.GetValue(revokeName)}'.");
        }));
        command.Add(revoke);
        return command;
    }

    private static Store.Sql.SqlMetadataStore OpenDatabase(DatabaseOptions options, ParseResult result) =>
        new ServerDatabase(result.GetValue(options.Database), result.GetValue(options.PasswordFile)).Open(options.Directory(result));

    private static ServerState? Running(string directory) => ServerState.Read(directory) is { } state && IsAlive(state.ProcessId) ? state : null;

    private static bool IsAlive(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static async Task<bool> Answers(HttpClient http, string url, CancellationToken token)
    {
        try
        {
            using var response = await http.GetAsync(url + "/api/v1/health", token).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    // How to run this tool again: `dotnet pipelines.dll` or the apphost.
    private static string[] Self()
    {
        var process = Environment.ProcessPath ?? throw new CliException("cannot tell how this tool was started; run `pipelines server start --foreground` instead");
        return Path.GetFileNameWithoutExtension(process) == "dotnet" ? [process, typeof(ServerCommands).Assembly.Location] : [process];
    }

    private static string Day(DateTimeOffset time) => time.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static void Time(System.Text.Json.Utf8JsonWriter writer, string name, DateTimeOffset? time)
    {
        if (time is { } value)
        {
            writer.WriteString(name, value);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
