using System.ComponentModel;
using System.CommandLine;
using System.Diagnostics;
using System.Net;
using PipelineSdk.Server.Hosting;
using PipelineSdk.Store;

namespace PipelineSdk.Cli.Commands;

/// <summary>
/// <c>pipelines dashboard</c>: the server on this machine's store, on loopback, until Ctrl+C; prints a link that signs a browser
/// in once (as Jupyter does) and opens it. ASP.NET Core loads only when the command runs (its types stay out of <see cref="Create"/>).
/// </summary>
internal static class DashboardCommand
{
    private const string OpenerFileName = "dashboard-open.html";

    public static Command Create(Cli cli)
    {
        var port = new Option<int>("--port") { Description = "The port to listen on, on 127.0.0.1 (default: any free port).", DefaultValueFactory = _ => 0 };
        var noBrowser = new Option<bool>("--no-browser") { Description = "Prints the sign-in link without opening a browser." };
        var store = new Option<string?>("--store") { Description = "The store folder to show (default: the store this tool would use)." };
        var command = new Command("dashboard", "Shows runs, DAGs, artifacts and cache decisions of this machine's store in a browser, until Ctrl+C.") { port, noBrowser, store };
        command.SetAction(cli.Handle((result, token) =>
        {
            var portNumber = result.GetValue(port);
            if (portNumber is < 0 or > 65535)
            {
                throw new CliException($"--port {portNumber}: give a port from 0 to 65535");
            }

            var directory = Path.GetFullPath(result.GetValue(store) ?? StoreLocation.Resolve());
            return Run(cli, directory, portNumber, !result.GetValue(noBrowser), token);
        }));
        return command;
    }

    private static async Task<int> Run(Cli cli, string directory, int port, bool openBrowser, CancellationToken token)
    {
        var server = await PipelineServer.StartAsync(new ServerOptions { Host = IPAddress.Loopback.ToString(), Port = port, StoreDirectory = directory }, token).ConfigureAwait(false);
        await using (server.ConfigureAwait(false))
        {
            var link = server.CreateLoginLink();
            cli.Line($"PipelineSdk dashboard of {server.Database} at {server.Url}");
            cli.Line($"Open this link to sign in (it works once, within an hour): {link}");
            var opener = Path.Combine(directory, OpenerFileName);
            try
            {
                if (openBrowser)
                {
                    Open(cli, opener, link);
                }

                cli.Line("Press Ctrl+C to stop.");
                try
                {
                    await server.WaitForShutdownAsync(token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl+C: stop as asked.
                }
            }
            finally
            {
                File.Delete(opener);
            }
        }

        cli.Line("Dashboard stopped.");
        return Cli.Success;
    }

    // The browser opens a private file that redirects to the link, so the one-time code never appears on a command line.
    private static void Open(Cli cli, string opener, string link)
    {
        StoreLocation.CreatePrivateFile(opener);
        File.WriteAllText(opener, $"<!doctype html><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"0;url={WebUtility.HtmlEncode(link)}\"><title>PipelineSdk</title><a href=\"{WebUtility.HtmlEncode(link)}\">Open the dashboard</a>");
        try
        {
            using var browser = Process.Start(new ProcessStartInfo(opener) { UseShellExecute = true });
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or FileNotFoundException)
        {
            cli.Error.WriteLine($"note: no browser could be opened ({e.Message.TrimEnd('.')}); open the link above in one");
        }
    }
}
