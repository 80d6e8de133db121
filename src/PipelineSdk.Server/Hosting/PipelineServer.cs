using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PipelineSdk.Server.Api;
using PipelineSdk.Server.Dashboard;
using PipelineSdk.Server.Security;
using PipelineSdk.Store;
using PipelineSdk.Store.Sql;

namespace PipelineSdk.Server.Hosting;

/// <summary>A running PipelineSdk server: Kestrel over one store, answering the JSON API under <c>/api/v1</c> and the dashboard at <c>/</c>.</summary>
public sealed class PipelineServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SqlMetadataStore _store;

    private PipelineServer(WebApplication app, SqlMetadataStore store, string url)
    {
        _app = app;
        _store = store;
        Url = url;
    }

    /// <summary>Where it listens, e.g. <c>http://127.0.0.1:8237</c>.</summary>
    public string Url { get; }

    /// <summary>Where it keeps the records.</summary>
    public string Database => _store.Location;

    /// <summary>Opens the database and starts listening.</summary>
    /// <exception cref="Stacks.StackException">The options, the database or the address cannot be used.</exception>
    public static async Task<PipelineServer> StartAsync(ServerOptions options, CancellationToken cancellationToken = default)
    {
        var address = options.BindAddress();
        var trustedProxies = options.TrustedProxyNetworks();
        options = options with
        {
            ArtifactRoots = options.ArtifactRoots.Count > 0
                ? [.. options.ArtifactRoots.Select(Path.GetFullPath)]
                : [Path.GetFullPath(Path.Combine(options.StoreDirectory, "artifacts"))],
        };
        var store = options.Database.Open(options.StoreDirectory);
        try
        {
            var app = Build(options, store, address, trustedProxies);
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                await app.DisposeAsync().ConfigureAwait(false);
                throw new Stacks.StackException($"cannot listen on {options.Host}:{options.Port} ({e.Message.TrimEnd('.')}); is a server running already (`pipelines server status`)? pick another --port");
            }

            var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new PipelineServer(app, store, url);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A link that signs a browser in to the dashboard once (as a write token would), for <c>pipelines dashboard</c> to print
    /// and open: the code in it works one time, within an hour.
    /// </summary>
    public string CreateLoginLink() =>
        $"{Url}{DashboardApi.LoginPath}?code={_app.Services.GetRequiredService<DashboardSessions>().IssueLoginCode(TokenRole.Write)}";

    /// <summary>Completes when the host is asked to stop (SIGTERM, Ctrl+C, or <paramref name="cancellationToken"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _store.Dispose();
    }

    private static WebApplication Build(ServerOptions options, SqlMetadataStore store, System.Net.IPAddress address, IReadOnlyList<System.Net.IPNetwork> trustedProxies)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(address, options.Port);
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            kestrel.AddServerHeader = false;
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.Services.AddSingleton<MetadataStore>(store);
        builder.Services.AddSingleton(new ApiTokens(store));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(services => new DashboardSessions(store, services.GetRequiredService<ApiTokens>()));

        var app = builder.Build();
        if (trustedProxies.Count > 0)
        {
            // Only the proxies named: anyone else could claim HTTPS or another client address with these headers.
            var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var network in trustedProxies)
            {
                forwarded.KnownIPNetworks.Add(network);
            }

            app.UseForwardedHeaders(forwarded);
        }

        var tokens = app.Services.GetRequiredService<ApiTokens>();
        app.Use(ApiErrors.Handle);
        var sessions = app.Services.GetRequiredService<DashboardSessions>();
        app.Use((context, next) => TokenAuthorization.Check(context, tokens, sessions, next));
        HealthApi.Map(app);
        StacksApi.Map(app);
        RunsApi.Map(app);
        StepRunsApi.Map(app);
        MetadataApi.Map(app);
        ArtifactsApi.Map(app);
        SchedulesApi.Map(app);
        RegistryApi.Map(app);
        TokensApi.Map(app);
        RunSummariesApi.Map(app);
        RunMetricsApi.Map(app);
        RunComparisonApi.Map(app);
        ModelsApi.Map(app);
        ScheduleSummariesApi.Map(app);
        StepDetailsApi.Map(app);
        StepLogStreamApi.Map(app);
        ArtifactPreviewApi.Map(app);
        ArtifactTableApi.Map(app);
        EventsApi.Map(app);
        DashboardApi.Map(app);
        DashboardAssets.Map(app);
        app.MapFallback((HttpContext context) =>
            throw new ApiException(StatusCodes.Status404NotFound, $"no endpoint {context.Request.Method} {context.Request.Path}; the API is under /api/v1 (see docs/server.md)"));
        return app;
    }
}
