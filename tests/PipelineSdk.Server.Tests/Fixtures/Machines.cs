using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Server.Tests.Fixtures;

/// <summary>
/// Users on separate machines, played by separate processes with separate HOMEs and store folders: the `pipelines` tool, the
/// QuickStart example and the gate program run as each user would run them; the server can run as its own process too.
/// </summary>
internal sealed class Machines : IDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "psdk-machines", Guid.NewGuid().ToString("N"));

    public User User(string name) => new(Path.Combine(Root, name));

    /// <summary>A loopback port nobody listens on now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts `pipelines server start --foreground` as a child process and waits until it answers.</summary>
    public async Task<Process> StartServerProcess(string storeDirectory, int port)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])[Metadata("CliDll"), "server", "start", "--foreground", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--store", storeDirectory])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["PIPELINES_HOME"] = "";
        var process = Process.Start(start)!;
        var error = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => error.AppendLine(e.Data);
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        using var http = new HttpClient();
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{port}/api/v1/health");
                if (response.IsSuccessStatusCode)
                {
                    return process;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            Assert.That(process.HasExited, Is.False, $"the server process stopped while starting: {error}");
            Assert.That(waited.Elapsed, Is.LessThan(ProcessResult.HangLimit), "the server process hung while starting");
            await Task.Delay(100);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Left for the temp cleaner if a child still holds a file.
        }
    }

    public static string Metadata(string key) =>
        typeof(Machines).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}

/// <summary>One user: a HOME and a store folder of their own.</summary>
internal sealed class User
{
    private readonly Dictionary<string, string> _environment;

    public User(string root)
    {
        Home = Path.Combine(root, "home");
        Store = Path.Combine(root, "store");
        Directory.CreateDirectory(Home);
        Directory.CreateDirectory(Store);
        _environment = new Dictionary<string, string>
        {
            ["HOME"] = Home,
            ["DOTNET_CLI_HOME"] = Home,
            ["XDG_CONFIG_HOME"] = Path.Combine(Home, ".config"),
            ["PIPELINES_HOME"] = Store,
            ["PIPELINES_STACK"] = "",
            ["PIPELINES_SERVER_URL"] = "",
            ["PIPELINES_SERVER_TOKEN"] = "",
        };
    }

    public string Home { get; }

    public string Store { get; }

    public Task<ProcessResult> Pipelines(params string[] args) =>
        ProcessResult.RunAsync("dotnet", [Machines.Metadata("CliDll"), .. args], _environment, Home);

    public Task<ProcessResult> QuickStart(params string[] args) =>
        ProcessResult.RunAsync("dotnet", [Machines.Metadata("QuickStartDll"), .. args], _environment, Home);

    public Task<ProcessResult> GateApp(params string[] args) =>
        ProcessResult.RunAsync("dotnet", [Machines.Metadata("GateAppDll"), .. args], _environment, Home);

    /// <summary>Runs the tool and fails the test unless it succeeds; returns its output.</summary>
    public async Task<string> Ok(params string[] args)
    {
        var result = await Pipelines(args);
        Assert.That(result.Exit, Is.EqualTo(0), $"pipelines {string.Join(' ', args)}\n{result.Output}{result.Error}");
        return result.Output;
    }

    /// <summary>Runs the tool and checks it fails with one error line and no stack trace; returns that line.</summary>
    public async Task<string> Fails(params string[] args)
    {
        var result = await Pipelines(args);
        Assert.That(result.Exit, Is.EqualTo(2), $"pipelines {string.Join(' ', args)}\n{result.Output}{result.Error}");
        var lines = result.Error.TrimEnd('\n').Split('\n');
        Assert.That(lines, Has.Length.EqualTo(1), result.Error);
        Assert.That(lines[0], Does.StartWith("error: ").And.Not.Contain("   at "));
        return lines[0];
    }
}
