using System.IO.Compression;
using BenchmarkDotNet.Attributes;
using Microsoft.Playwright;
using PipelineSdk.Benchmarks.Infrastructure;
using PipelineSdk.Server.Hosting;
using PipelineSdk.Server.Security;
using PipelineSdk.Store;
using PipelineSdk.Store.Sql;

namespace PipelineSdk.Benchmarks.Dashboard;

/// <summary>
/// Issue 18. Time to first render in Debian's Chromium (headless, driven by Playwright) of pages of the real server's
/// dashboard: a 1,000-step run's page (its whole DAG drawn) and the run list over 10,000 runs (the newest row shown),
/// against a 10-step run's page (<b>baseline</b>). Each operation opens a new tab in one signed-in browser context, so the
/// bundle comes from the browser's cache, as it does for anyone who has opened the dashboard before. Also records the
/// bundle's size, from the files embedded in the server.
/// </summary>
public class DashboardRenderBenchmarks
{
    private const string SmallRun = "small-run";
    private const string LargeRun = "large-run";
    private const int SmallSteps = 10;
    private const int Lanes = 25;
    private static readonly string[] ChromiumArgs = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private string _directory = null!;
    private PipelineServer _server = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private IBrowserContext _context = null!;
    private string _newestRun = "";

    /// <summary>The steps of the large run.</summary>
    public static int LargeSteps => Suite.Smoke ? 50 : 1000;

    /// <summary>The runs in the store that the run list pages through.</summary>
    public static int Runs => Suite.Smoke ? 100 : 10_000;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Suite.Temp, "dashboard-render");
        var storeDirectory = Path.Combine(_directory, "server");
        string token;
        using (var store = SqlMetadataStore.OpenSqlite(storeDirectory))
        {
            RecordRun(store, SmallRun, SmallSteps);
            RecordRun(store, LargeRun, LargeSteps);
            _newestRun = RecordRuns(store, Runs - 2);
            token = new ApiTokens(store).Create("bench", TokenRole.Read, null);
        }

        Findings.Record("dashboard.bundle", BundleSize());
        _server = PipelineServer.StartAsync(new ServerOptions { StoreDirectory = storeDirectory, Port = 0 }).GetAwaiter().GetResult();
        _playwright = Playwright.CreateAsync().GetAwaiter().GetResult();
        _browser = _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ChromiumArgs }).GetAwaiter().GetResult();
        _context = _browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _server.Url, ViewportSize = new ViewportSize { Width = 1440, Height = 900 } }).GetAwaiter().GetResult();
        SignIn(token).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _context.CloseAsync().GetAwaiter().GetResult();
        _browser.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _playwright.Dispose();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "a 10-step run's page")]
    public Task SmallRunPage() => FirstRender($"/#/runs/{SmallRun}", $"svg.dag g.node[data-node='step:{Key(SmallSteps - 1)}']");

    [Benchmark(Description = "a 1,000-step run's page")]
    public Task LargeRunPage() => FirstRender($"/#/runs/{LargeRun}", $"svg.dag g.node[data-node='step:{Key(LargeSteps - 1)}']");

    [Benchmark(Description = "the run list over 10,000 runs")]
    public Task RunList() => FirstRender("/#/runs", $"tr[data-run='{_newestRun}']");

    // From a new tab's navigation to the moment the page shows what was asked for (the last step's node, the newest run's row).
    private async Task FirstRender(string address, string shown)
    {
        var page = await _context.NewPageAsync();
        try
        {
            await page.GotoAsync(address);
            await page.WaitForSelectorAsync(shown, new PageWaitForSelectorOptions { Timeout = 0 });
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    private async Task SignIn(string token)
    {
        var page = await _context.NewPageAsync();
        await page.GotoAsync("/");
        await page.FillAsync("#token", token);
        await page.ClickAsync("form.login button[type=submit]");
        await page.WaitForSelectorAsync("table.grid tbody tr", new PageWaitForSelectorOptions { Timeout = 0 });
        await page.CloseAsync();
    }

    // Lanes of steps, each after the one before it in its lane, as the browser test's large run (recorded without a spec).
    private static void RecordRun(MetadataStore store, string runId, int steps)
    {
        var start = DateTimeOffset.UtcNow.AddDays(-1);
        store.CreateRun(runId, runId, start, "{}", "local", "default");
        for (var i = 0; i < steps; i++)
        {
            var id = store.StartStepRun(runId, Key(i), "work", start.AddSeconds(i), null, null, i < Lanes ? [] : [Key(i - Lanes)]);
            store.FinishStepRun(id, StepStatus.Completed, start.AddSeconds(i + 1), null, [], []);
        }

        store.EndRun(runId, RunStatus.Completed, start.AddSeconds(steps + 1), null);
    }

    // Runs of a few pipelines, a minute apart; returns the newest.
    private static string RecordRuns(MetadataStore store, int count)
    {
        var start = DateTimeOffset.UtcNow.AddMinutes(-count);
        var runId = "";
        for (var i = 0; i < count; i++)
        {
            runId = $"listed-{i:D5}";
            store.CreateRun(runId, $"pipeline-{i % 7}", start.AddMinutes(i), "{}", "local", "default");
            store.EndRun(runId, i % 13 == 0 ? RunStatus.Failed : RunStatus.Completed, start.AddMinutes(i).AddSeconds(30), i % 13 == 0 ? "failed" : null);
        }

        return runId;
    }

    private static string BundleSize()
    {
        var assembly = typeof(PipelineServer).Assembly;
        var files = assembly.GetManifestResourceNames().Where(n => n.StartsWith("dashboard/", StringComparison.Ordinal)).ToList();
        long Size(string extension, bool gzipped) => files.Where(n => n.EndsWith(extension, StringComparison.Ordinal)).Sum(n => Length(assembly.GetManifestResourceStream(n)!, gzipped));
        return files.Count == 0 ? "not embedded (built without the dashboard)"
            : $"scripts {Kib(Size(".js", false))} ({Kib(Size(".js", true))} gzipped), styles {Kib(Size(".css", false))} ({Kib(Size(".css", true))} gzipped), all {files.Count} files {Kib(files.Sum(n => Length(assembly.GetManifestResourceStream(n)!, false)))}";
    }

    private static long Length(Stream content, bool gzipped)
    {
        using (content)
        {
            if (!gzipped)
            {
                return content.Length;
            }

            var compressed = new MemoryStream();
            using (var gzip = new GZipStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
            {
                content.CopyTo(gzip);
            }

            return compressed.Length;
        }
    }

    private static string Kib(long bytes) => $"{bytes / 1024.0:0.0} KiB";

    private static string Key(int i) => $"step-{i:D4}";
}
