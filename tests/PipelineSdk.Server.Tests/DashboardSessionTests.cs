using System.Net;
using System.Net.Http.Json;
using PipelineSdk.Server.Hosting;
using PipelineSdk.Server.Security;
using PipelineSdk.Stacks;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Server.Tests;

/// <summary>
/// Dashboard sessions live in the store (hashed, with an expiry): a restart or a second server on the same database keeps people
/// signed in; and behind a trusted TLS proxy the session cookie is Secure.
/// </summary>
public sealed class DashboardSessionTests
{
    private string _root = "";

    [SetUp]
    public void CreateFolder() => _root = Path.Combine(Path.GetTempPath(), "psdk-sessions", Guid.NewGuid().ToString("N"));

    [TearDown]
    public void DeleteFolder()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    [Test]
    public async Task A_session_outlives_a_restart_of_the_server_and_only_its_hash_is_stored()
    {
        var options = new ServerOptions { Port = 0, StoreDirectory = _root };
        string token;
        using (var database = options.Database.Open(_root))
        {
            token = new ApiTokens(database).Create("alice", TokenRole.Read, null);
        }

        string cookie;
        await using (var first = await PipelineServer.StartAsync(options))
        {
            using var signIn = await SignIn(first.Url, token);
            Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.OK), await signIn.Content.ReadAsStringAsync());
            cookie = SessionCookie(signIn);
        }

        await using var second = await PipelineServer.StartAsync(options);
        Assert.That(await StatusWithCookie(second.Url, cookie), Is.EqualTo(HttpStatusCode.OK), "still signed in after the restart");

        using var store = options.Database.Open(_root);
        using var db = store.Lease();
        var row = db.Query("SELECT id_hash, name, role, token_id FROM dashboard_sessions;", r => (Hash: r.GetString(0), Name: r.GetString(1), Role: r.GetString(2), TokenId: r.GetString(3))).Single();
        var sessionId = cookie.Split('=', 2)[1];
        Assert.That(row.Hash, Is.Not.EqualTo(sessionId).And.Length.EqualTo(64), "the id itself is never stored");
        Assert.That((row.Name, row.Role, row.TokenId), Is.EqualTo(("alice", "read", ApiTokens.IdOf(token))));
        Assert.That(row.TokenId, Does.Not.Contain(token.Split('_')[^1]), "the token's secret is not stored with the session");
    }

    [Test]
    public async Task Two_servers_on_one_postgresql_database_share_sessions_and_an_expired_or_revoked_one_ends_on_both()
    {
        var cluster = await PostgresCluster.GetAsync();
        var database = new ServerDatabase(await cluster.CreateDatabaseAsync());
        await using var left = await PipelineServer.StartAsync(new ServerOptions { Port = 0, StoreDirectory = Path.Combine(_root, "left"), Database = database });
        await using var right = await PipelineServer.StartAsync(new ServerOptions { Port = 0, StoreDirectory = Path.Combine(_root, "right"), Database = database });
        using var store = database.Open(_root);
        var tokens = new ApiTokens(store);
        var bob = tokens.Create("bob", TokenRole.Write, null);
        var carol = tokens.Create("carol", TokenRole.Write, null);

        using var bobSignIn = await SignIn(left.Url, bob);
        var bobCookie = SessionCookie(bobSignIn);
        using var carolSignIn = await SignIn(left.Url, carol);
        var carolCookie = SessionCookie(carolSignIn);
        Assert.That(await StatusWithCookie(right.Url, bobCookie), Is.EqualTo(HttpStatusCode.OK), "signed in on one server, known to the other");

        tokens.Revoke("bob");
        Assert.That(await StatusWithCookie(right.Url, bobCookie), Is.EqualTo(HttpStatusCode.Unauthorized), "revoking the token ends its sessions");

        using (var db = store.Lease())
        {
            db.Execute("UPDATE dashboard_sessions SET expires_at = @past;", ("@past", ApiTokens.Time(DateTimeOffset.UtcNow.AddMinutes(-1))));
        }

        Assert.That(await StatusWithCookie(left.Url, carolCookie), Is.EqualTo(HttpStatusCode.Unauthorized), "an expired session ends");
        using (var db = store.Lease())
        {
            Assert.That(Convert.ToInt64(db.Scalar("SELECT COUNT(*) FROM dashboard_sessions;")), Is.Zero, "ended sessions are deleted");
        }
    }

    [Test]
    public async Task Behind_a_trusted_tls_proxy_the_cookie_is_secure_and_forwarded_headers_from_anyone_else_are_ignored()
    {
        var (trusted, trustedToken) = await Start(["127.0.0.1"]);
        var (untrusted, untrustedToken) = await Start(["10.1.2.3"]);
        var (plain, plainToken) = await Start([]);
        await using (trusted)
        await using (untrusted)
        await using (plain)
        {
            using var viaProxy = await SignIn(trusted.Url, trustedToken, proto: "https");
            Assert.That(viaProxy.StatusCode, Is.EqualTo(HttpStatusCode.OK), await viaProxy.Content.ReadAsStringAsync());
            Assert.That(SetCookie(viaProxy), Does.Contain("secure"), "the proxy said the browser used HTTPS");
            using var direct = await SignIn(trusted.Url, trustedToken);
            Assert.That(SetCookie(direct), Does.Not.Contain("secure"), "a plain HTTP request to the same server");

            using var spoofed = await SignIn(untrusted.Url, untrustedToken, proto: "https");
            Assert.That(SetCookie(spoofed), Does.Not.Contain("secure"), "this client is not the trusted proxy");
            using var byDefault = await SignIn(plain.Url, plainToken, proto: "https");
            Assert.That(SetCookie(byDefault), Does.Not.Contain("secure"), "without --trusted-proxy the headers mean nothing");

            var host = new Uri(plain.Url).Authority;
            using var refused = await SignIn(plain.Url, plainToken, proto: "https", origin: $"https://{host}");
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("--trusted-proxy"), "the page came over HTTPS through a proxy the server does not trust");
            using var accepted = await SignIn(trusted.Url, trustedToken, proto: "https", origin: $"https://{new Uri(trusted.Url).Authority}");
            Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK), await accepted.Content.ReadAsStringAsync());
        }
    }

    [Test]
    public async Task A_login_link_through_a_TLS_proxy_the_server_does_not_trust_is_refused_and_names_the_option()
    {
        var (plain, _) = await Start([]);
        await using (plain)
        {
            using var http = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri(plain.Url) };
            using var viaProxy = new HttpRequestMessage(HttpMethod.Get, new Uri(plain.CreateLoginLink()).PathAndQuery);
            viaProxy.Headers.Add("X-Forwarded-Proto", "https");
            using var refused = await http.SendAsync(viaProxy);
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("--trusted-proxy"));
            Assert.That(SetCookie(refused), Is.Empty, "no cookie that could not be Secure");

            using var direct = await http.GetAsync(new Uri(plain.CreateLoginLink()).PathAndQuery);
            Assert.That(direct.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
            Assert.That(SetCookie(direct), Does.Contain("psdk_session="), "a plain request to the server itself signs in");
        }
    }

    [Test]
    public void A_trusted_proxy_that_is_not_an_address_or_network_is_one_line_saying_what_to_give()
    {
        var options = new ServerOptions { StoreDirectory = _root, TrustedProxies = ["127.0.0.1", "10.0.0.0/8", "::1", "proxy.internal"] };

        var error = Assert.Throws<StackException>(() => options.TrustedProxyNetworks())!;

        Assert.That(error.Message, Is.EqualTo("--trusted-proxy proxy.internal: give the proxy's IP address as the server sees it (e.g. 127.0.0.1) or a network (e.g. 10.0.0.0/8)"));
        Assert.That((options with { TrustedProxies = ["127.0.0.1", "10.0.0.0/8", "::1"] }).TrustedProxyNetworks().Select(n => n.ToString()),
            Is.EqualTo(new[] { "127.0.0.1/32", "10.0.0.0/8", "::1/128" }));
    }

    [Test]
    public async Task Pipelines_server_start_takes_trusted_proxies_in_the_background_and_refuses_what_is_no_address()
    {
        using var machines = new Fixtures.Machines();
        var admin = machines.User("admin");
        var serverStore = Path.Combine(machines.Root, "server");
        var port = Fixtures.Machines.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var refusal = await admin.Fails("server", "start", "--store", serverStore, "--port", port, "--trusted-proxy", "proxy.internal");
        Assert.That(refusal, Does.StartWith("error: --trusted-proxy proxy.internal: give the proxy's IP address"));

        var token = (await admin.Ok("server", "token", "create", "reader", "--role", "read", "--store", serverStore)).Trim();
        await admin.Ok("server", "start", "--store", serverStore, "--port", port, "--trusted-proxy", "127.0.0.1", "--trusted-proxy", "10.0.0.0/8");
        try
        {
            using var viaProxy = await SignIn($"http://127.0.0.1:{port}", token, proto: "https");
            Assert.That(SetCookie(viaProxy), Does.Contain("secure"), "the background server was started with the proxies");
        }
        finally
        {
            await admin.Ok("server", "stop", "--store", serverStore);
        }
    }

    private async Task<(PipelineServer Server, string Token)> Start(string[] trustedProxies)
    {
        var options = new ServerOptions { Port = 0, StoreDirectory = Path.Combine(_root, Guid.NewGuid().ToString("N")), TrustedProxies = trustedProxies };
        var server = await PipelineServer.StartAsync(options);
        using var database = options.Database.Open(options.StoreDirectory);
        return (server, new ApiTokens(database).Create("reader", TokenRole.Read, null));
    }

    private static async Task<HttpResponseMessage> SignIn(string url, string token, string? proto = null, string? origin = null)
    {
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = new Uri(url) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/session") { Content = JsonContent.Create(new { token }) };
        if (proto is not null)
        {
            request.Headers.Add("X-Forwarded-Proto", proto);
            request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        }

        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        return await http.SendAsync(request);
    }

    private static async Task<HttpStatusCode> StatusWithCookie(string url, string cookie)
    {
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = new Uri(url) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/runs");
        request.Headers.Add("Cookie", cookie);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static string SetCookie(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? string.Join("\n", values).ToLowerInvariant() : "";

    // "psdk_session=ID" from the Set-Cookie header.
    private static string SessionCookie(HttpResponseMessage response) =>
        response.Headers.GetValues("Set-Cookie").Single(v => v.StartsWith("psdk_session=", StringComparison.Ordinal)).Split(';')[0];
}
