using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using PipelineSdk.Server.Security;

namespace PipelineSdk.Server.Dashboard;

/// <summary>A signed-in browser: who it acts as, and the token its writes must echo (CSRF).</summary>
/// <param name="Name">The API token's name, or <c>dashboard</c> for a one-time login link.</param>
/// <param name="Role">What it may do.</param>
/// <param name="Csrf">The value a cookie-authenticated write must send in <see cref="DashboardSessions.CsrfHeader"/>.</param>
/// <param name="ApiToken">The API token it signed in with, checked again on each request so a revoked token ends the session.</param>
/// <param name="ExpiresAt">When it ends.</param>
internal sealed record DashboardSession(string Name, TokenRole Role, string Csrf, string? ApiToken, DateTimeOffset ExpiresAt);

/// <summary>
/// Browser sessions of the dashboard, kept in memory (a restart signs everyone out): an HttpOnly, SameSite=Strict cookie
/// holds a random session id; only its SHA-256 is kept. One-time login codes (what <c>pipelines dashboard</c> prints) become sessions once.
/// </summary>
internal sealed class DashboardSessions
{
    /// <summary>The session cookie.</summary>
    public const string CookieName = "psdk_session";

    /// <summary>The header a cookie-authenticated write must carry, holding the session's CSRF token.</summary>
    public const string CsrfHeader = "X-PipelineSdk-Csrf";

    private static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(12);
    private static readonly TimeSpan LoginCodeLifetime = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, DashboardSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (TokenRole Role, DateTimeOffset ExpiresAt)> _loginCodes = new(StringComparer.Ordinal);

    /// <summary>Makes a one-time login code that signs a browser in with <paramref name="role"/>.</summary>
    public string IssueLoginCode(TokenRole role)
    {
        var code = NewSecret();
        _loginCodes[Hash(code)] = (role, DateTimeOffset.UtcNow + LoginCodeLifetime);
        return code;
    }

    /// <summary>Starts a session for a valid API token; sets the cookie.</summary>
    public DashboardSession SignIn(HttpContext context, string name, TokenRole role, string? apiToken)
    {
        var id = NewSecret();
        var session = new DashboardSession(name, role, NewSecret(), apiToken, DateTimeOffset.UtcNow + SessionLifetime);
        _sessions[Hash(id)] = session;
        context.Response.Cookies.Append(CookieName, id, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/",
            MaxAge = SessionLifetime,
        });
        return session;
    }

    /// <summary>Spends a one-time login code: a session, or null if the code is unknown, used or expired.</summary>
    public DashboardSession? Redeem(HttpContext context, string code) =>
        _loginCodes.TryRemove(Hash(code), out var login) && login.ExpiresAt > DateTimeOffset.UtcNow
            ? SignIn(context, "dashboard", login.Role, apiToken: null)
            : null;

    /// <summary>The session the request's cookie names, if it is live (and its API token still valid).</summary>
    public DashboardSession? Find(HttpContext context, ApiTokens tokens)
    {
        if (context.Request.Cookies[CookieName] is not { Length: > 0 } id || !_sessions.TryGetValue(Hash(id), out var session))
        {
            return null;
        }

        if (session.ExpiresAt <= DateTimeOffset.UtcNow || (session.ApiToken is { } token && tokens.Authenticate(token, out _) is null))
        {
            _sessions.TryRemove(Hash(id), out _);
            return null;
        }

        return session;
    }

    /// <summary>Ends the request's session and clears the cookie.</summary>
    public void SignOut(HttpContext context)
    {
        if (context.Request.Cookies[CookieName] is { Length: > 0 } id)
        {
            _sessions.TryRemove(Hash(id), out _);
        }

        context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Strict });
    }

    /// <summary>Whether a write carries the session's CSRF token (a cross-site form cannot set a custom header).</summary>
    public static bool HasCsrfToken(HttpContext context, DashboardSession session) =>
        context.Request.Headers[CsrfHeader].ToString() is { Length: > 0 } sent &&
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(sent), Encoding.ASCII.GetBytes(session.Csrf));

    private static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
