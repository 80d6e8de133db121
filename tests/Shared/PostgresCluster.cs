using System.Net;
using System.Net.Sockets;

namespace PipelineSdk.Tests.Shared;

/// <summary>
/// A real PostgreSQL server for the whole test run: Debian's binaries (<c>.ci/run</c> installs the postgresql package),
/// a cluster in a temporary folder on a free loopback port, started once on first use and stopped when the test process
/// exits. Each test asks for a database of its own.
/// </summary>
internal sealed class PostgresCluster
{
    private static readonly Lazy<Task<PostgresCluster>> Shared = new(StartAsync);
    private readonly string _directory;
    private readonly string _bin;
    private int _databases;

    private PostgresCluster(string directory, string bin, int port)
    {
        _directory = directory;
        _bin = bin;
        Port = port;
    }

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; }

    /// <summary>The superuser the cluster was created with (trust authentication on loopback).</summary>
    public const string User = "pipelines";

    /// <summary>The cluster of this test run.</summary>
    public static Task<PostgresCluster> GetAsync() => Shared.Value;

    /// <summary>A connection string for the maintenance database.</summary>
    public string ConnectionString(string database = "postgres") => $"Host=127.0.0.1;Port={Port};Database={database};Username={User}";

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"t{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        var result = await RunAsync(Path.Combine(_bin, "createdb"), ["-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", User, name]);
        if (result.Exit != 0)
        {
            throw new InvalidOperationException($"createdb {name} failed: {result.Error}");
        }

        return ConnectionString(name);
    }

    private static async Task<PostgresCluster> StartAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException("PostgreSQL is not installed: run .ci/run once, or `apt-get install postgresql` (the tests start their own cluster)");
        }

        var directory = Path.Combine(Path.GetTempPath(), $"psdk-postgres-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var port = FreePort();
        var cluster = new PostgresCluster(directory, bin, port);
        if (IsRoot)
        {
            // initdb refuses to run as root: the cluster belongs to the postgres user.
            var chown = await ProcessResult.RunAsync("chown", ["postgres:postgres", directory]);
            if (chown.Exit != 0)
            {
                throw new InvalidOperationException($"chown of {directory} failed: {chown.Error}");
            }
        }

        var data = Path.Combine(directory, "data");
        var init = await cluster.RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-A", "trust", "-U", User, "--no-sync"]);
        if (init.Exit != 0)
        {
            throw new InvalidOperationException($"initdb failed: {init.Output}{init.Error}");
        }

        var start = await cluster.RunAsync(Path.Combine(bin, "pg_ctl"),
            ["-D", data, "-o", $"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off", "-l", Path.Combine(directory, "log"), "-w", "-t", "1800", "start"]);
        if (start.Exit != 0)
        {
            throw new InvalidOperationException($"pg_ctl start failed: {start.Output}{start.Error}\n{ReadLog(directory)}");
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Stop();
        return cluster;
    }

    private void Stop()
    {
        try
        {
            RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_directory, "data"), "-m", "fast", "stop"]).Wait();
            Directory.Delete(_directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or AggregateException)
        {
            // The temp cleaner takes what is left; a stopped test run must not fail on it.
        }
    }

    private Task<ProcessResult> RunAsync(string program, IEnumerable<string> args) =>
        IsRoot
            ? ProcessResult.RunAsync("runuser", ["-u", "postgres", "--", program, .. args], workingDirectory: _directory)
            : ProcessResult.RunAsync(program, args, workingDirectory: _directory);

    private static bool IsRoot => Environment.UserName == "root";

    private static string ReadLog(string directory)
    {
        var log = Path.Combine(directory, "log");
        return File.Exists(log) ? File.ReadAllText(log) : "";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
