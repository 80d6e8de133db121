using System.Reflection;
using Microsoft.Playwright;
using PipelineSdk.Server.Hosting;
using PipelineSdk.Server.Security;
using PipelineSdk.Store;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Dashboard.Tests;

/// <summary>
/// What every dashboard test shares, made once: a store filled by really running the examples (TrainAndDeploy as it is, failing,
/// below its threshold and again from the cache; the program with every kind of artifact; a step that fails twice before it writes
/// Parquet; two runs of an experiment whose steps log metadata; the deploy-if-better registry pipeline twice, then a promotion to
/// staging and a tag with the CLI), the real server over it on a free loopback port, and Debian's Chromium.
/// </summary>
[SetUpFixture]
public sealed class DashboardSite
{
    private static readonly string[] ChromiumArgs = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private static readonly float HangLimitMilliseconds = (float)ProcessResult.HangLimit.TotalMilliseconds;

    private static PipelineServer? s_server;
    private static IPlaywright? s_playwright;
    private static IBrowser? s_browser;

    public static string StoreDirectory { get; } = Path.Combine(Path.GetTempPath(), "psdk-dashboard", Guid.NewGuid().ToString("N"));

    public static PipelineServer Server => s_server ?? throw new InvalidOperationException("the site is not set up");

    public static IBrowser Browser => s_browser ?? throw new InvalidOperationException("the site is not set up");

    /// <summary>A read token (what a colleague looking at runs would have).</summary>
    public static string ReadToken { get; private set; } = "";

    /// <summary>The runs the set-up made, by what they show.</summary>
    public static Runs Made { get; private set; } = new("", "", "", "", "", "", "", "", "", "");

    public static string ScreenshotDirectory => Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots");

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        Directory.CreateDirectory(StoreDirectory);
        var completed = await RunExample("TrainAndDeployDll");
        var failed = await RunExample("TrainAndDeployDll", expectedExit: 1, "--param", "rows=5");
        var belowThreshold = await RunExample("TrainAndDeployDll", expectedExit: 0, "--param", "accuracyThreshold=0.99");
        var cached = await RunExample("TrainAndDeployDll");
        var artifacts = await RunExample("ArtifactsAppDll", expectedExit: 0, "run", "artifact-kinds");
        var retriedTable = await RunExample("TableAppDll", expectedExit: 0, "run", "retried-table");
        var scoredLow = await RunExample("ArtifactsAppDll", expectedExit: 0, "run", "scored-pipeline", "--param", "learningRate=0.25");
        var scoredHigh = await RunExample("ArtifactsAppDll", expectedExit: 0, "run", "scored-pipeline", "--param", "learningRate=0.4");
        var firstModel = await RunExample("RegistryAppDll", expectedExit: 0, "run", "train-and-promote", "--param", "quality=0.8", "--experiment", "churn");
        var betterModel = await RunExample("RegistryAppDll", expectedExit: 0, "run", "train-and-promote", "--param", "quality=0.9", "--experiment", "churn");
        await RunCli("model", "promote", "churn-model", "1", "--stage", "staging");
        await RunCli("artifacts", "tag", "churn-model", "2", "best");
        Made = new Runs(completed, failed, belowThreshold, cached, artifacts, retriedTable, scoredLow, scoredHigh, firstModel, betterModel);

        s_server = await PipelineServer.StartAsync(new ServerOptions { Port = 0, StoreDirectory = StoreDirectory });
        using (var database = new ServerDatabase().Open(StoreDirectory))
        {
            ReadToken = new ApiTokens(database).Create("dashboard-tests", TokenRole.Read, null);
        }

        s_playwright = await Playwright.CreateAsync();
        // Playwright's own limits (30 s per action, 5 s per expectation) would fail a healthy test on a busy machine: only hangs stop a test.
        Assertions.SetDefaultExpectTimeout(HangLimitMilliseconds);
        s_browser = await s_playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ChromiumArgs, Timeout = HangLimitMilliseconds });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (s_browser is not null)
        {
            await s_browser.DisposeAsync();
        }

        s_playwright?.Dispose();
        if (s_server is not null)
        {
            await s_server.DisposeAsync();
        }

        try
        {
            Directory.Delete(StoreDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the temp cleaner.
        }
    }

    /// <summary>A fresh browser context (no cookies) with a page at the dashboard.</summary>
    public static async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Server.Url, ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
        context.SetDefaultTimeout(HangLimitMilliseconds);
        context.SetDefaultNavigationTimeout(HangLimitMilliseconds);
        return await context.NewPageAsync();
    }

    /// <summary>A page signed in with the read token, through the sign-in form.</summary>
    public static async Task<IPage> SignedInPageAsync()
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/");
        await page.FillAsync("#token", ReadToken);
        await page.ClickAsync("form.login button[type=submit]");
        await page.WaitForSelectorAsync("table.grid tbody tr");
        return page;
    }

    /// <summary>Saves a screenshot of the page as a test attachment.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        var path = Path.Combine(ScreenshotDirectory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        TestContext.AddTestAttachment(path, name);
    }

    /// <summary>Runs an example program on the store and returns the id of the run it made.</summary>
    public static async Task<string> RunExample(string program, int expectedExit = 0, params string[] args)
    {
        var before = RunIds();
        var result = await ProcessResult.RunAsync("dotnet", [Metadata(program), .. args], Environment());
        Assert.That(result.Exit, Is.EqualTo(expectedExit), $"{program} {string.Join(' ', args)}\n{result.Output}{result.Error}");
        return RunIds().Except(before).Single();
    }

    /// <summary>Runs the <c>pipelines</c> tool on the store; it must succeed.</summary>
    public static async Task RunCli(params string[] args)
    {
        var result = await ProcessResult.RunAsync("dotnet", [Metadata("CliDll"), .. args], Environment());
        Assert.That(result.Exit, Is.EqualTo(0), $"pipelines {string.Join(' ', args)}\n{result.Output}{result.Error}");
    }

    /// <summary>The environment of a user whose store is the test store.</summary>
    public static Dictionary<string, string> Environment() => new()
    {
        [StoreLocation.HomeVariable] = StoreDirectory,
        ["PIPELINES_STACK"] = "",
        ["PIPELINES_SERVER_URL"] = "",
        ["PIPELINES_SERVER_TOKEN"] = "",
    };

    public static string Metadata(string key) =>
        typeof(DashboardSite).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    /// <summary>The id of the artifact a task of a run produced (or reused) as <paramref name="output"/>.</summary>
    public static long OutputId(string runId, string taskKey, string output)
    {
        using var store = MetadataStore.OpenForReading(StoreDirectory);
        return store.GetOutputs(store.GetStepRuns(runId).Single(s => s.TaskKey == taskKey).Id)[output].Id;
    }

    private static HashSet<string> RunIds()
    {
        if (!File.Exists(Path.Combine(StoreDirectory, MetadataStore.DatabaseFileName)))
        {
            return [];
        }

        using var store = MetadataStore.OpenForReading(StoreDirectory);
        return [.. store.ListRuns(limit: 10_000).Select(r => r.Id)];
    }

    /// <summary>The runs the set-up made.</summary>
    /// <param name="Completed">TrainAndDeploy as it is: every step ran, the model deployed.</param>
    /// <param name="Failed">TrainAndDeploy with too few rows: load-data failed, the rest did not run, notify ran.</param>
    /// <param name="BelowThreshold">TrainAndDeploy with a threshold no model reaches: deploy not triggered.</param>
    /// <param name="Cached">TrainAndDeploy again: its steps came from the cache.</param>
    /// <param name="Artifacts">The artifact-kinds pipeline: classification metrics, HTML, Markdown.</param>
    /// <param name="RetriedTable">The retried-table pipeline: a step that failed twice before it wrote a Parquet data set.</param>
    /// <param name="ScoredLow">The scored pipeline (experiment <c>scored</c>) at learning rate 0.25: run, step and artifact metadata.</param>
    /// <param name="ScoredHigh">The scored pipeline at learning rate 0.4: the same keys, other values.</param>
    /// <param name="FirstModel">train-and-promote (experiment <c>churn</c>) at quality 0.8: churn-model version 1, promoted to production by its step.</param>
    /// <param name="BetterModel">train-and-promote at quality 0.9: version 2, promoted to production (version 1 archived, then moved to staging and version 2 tagged best by the CLI).</param>
    public sealed record Runs(string Completed, string Failed, string BelowThreshold, string Cached, string Artifacts, string RetriedTable,
        string ScoredLow, string ScoredHigh, string FirstModel, string BetterModel);
}
