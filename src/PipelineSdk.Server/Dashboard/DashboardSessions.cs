using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using PipelineSdk.Server.Security;
using PipelineSdk.Store.Sql;

namespace PipelineSdk.Server.Dashboard;

/// <summary>A signed-in browser: who it acts as, and the token its writes must echo (CSRF).</summary>
/// <param name="Name">The API token's name, or <c>dashboard</c> for a one-time login link.</param>
/// <param name="Role">What it may do.</param>
/// <param name="Csrf">The value a cookie-authenticated write must send in <see cref="DashboardSessions.CsrfHeader"/>.</param>
/// <param name="ExpiresAt">When it ends.</param>
internal sealed record DashboardSession(string Name, TokenRole Role, string Csrf, DateTimeOffset ExpiresAt);

/// <summary>
/// Browser sessions of the dashboard, kept in the store's <c>dashboard_sessions</c> table so that a restart, or another server
/// on the same database, keeps people signed in: an HttpOnly, SameSite=Strict cookie holds a random session id, and only its
/// SHA-256 is stored, with the id of the API token it signed in with (checked again on each request, so revoking the token
/// ends its sessions) and when it expires. The CSRF token is derived from the session id, so it is not stored either.
/// One-time login codes (what <c>pipelines dashboard</c> prints) live in memory: they are spent by the server that printed them.
/// </summary>
internal sealed class DashboardSessions(SqlMetadataStore store, ApiTokens tokens)
{
    /// <summary>The session cookie.</summary>
    public const string CookieName = "psdk_session";

    /// <summary>The header a cookie-authenticated write must carry, holding the session's CSRF token.</summary>
    public const string CsrfHeader = "X-PipelineSdk-Csrf";

    private static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(12);
    private static readonly TimeSpan LoginCodeLifetime = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, (TokenRole Role, DateTimeOffset ExpiresAt)> _loginCodes = new(StringComparer.Ordinal);

    /// <summary>Makes a one-time login code that signs a browser in with <paramref name="role"/>.</summary>
    public string IssueLoginCode(TokenRole role)
    {
        var code = NewSecret();
        _loginCodes[ApiTokens.Hash(code)] = (role, DateTimeOffset.UtcNow + LoginCodeLifetime);
        return code;
    }

    /// <summary>Starts a session for a valid API token (<paramref name="tokenId"/>; null for a login code); sets the cookie.</summary>
    public DashboardSession SignIn(HttpContext context, string name, TokenRole role, string? tokenId)
    {
        var id = NewSecret();
        var now = DateTimeOffset.UtcNow;
        var session = new DashboardSession(name, role, CsrfOf(id), now + SessionLifetime);
        using (var db = store.Lease())
        {
            db.Begin();
            // Expired sessions are cleared as new ones start, so the table holds about a day of sign-ins.
            db.Execute("DELETE FROM dashboard_sessions WHERE expires_at <= @now;", ("@now", ApiTokens.Time(now)));
            db.Execute("INSERT INTO dashboard_sessions (id_hash, name, role, token_id, created_at, expires_at) VALUES (@hash, @name, @role, @token, @now, @expires);",
                ("@hash", ApiTokens.Hash(id)), ("@name", name), ("@role", ApiTokens.RoleName(role)), ("@token", tokenId), ("@now", ApiTokens.Time(now)),
                ("@expires", ApiTokens.Time(session.ExpiresAt)));
            db.Commit();
        }

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
        _loginCodes.TryRemove(ApiTokens.Hash(code), out var login) && login.ExpiresAt > DateTimeOffset.UtcNow
            ? SignIn(context, "dashboard", login.Role, tokenId: null)
            : null;

    /// <summary>The session the request's cookie names, if it is live (and its API token still valid).</summary>
    public DashboardSession? Find(HttpContext context)
    {
        if (context.Request.Cookies[CookieName] is not { Length: > 0 } id)
        {
            return null;
        }

        var hash = ApiTokens.Hash(id);
        using var db = store.Lease();
        var rows = db.Query("SELECT name, role, token_id, expires_at FROM dashboard_sessions WHERE id_hash = @hash;",
            r => (Name: r.GetString(0), Role: ApiTokens.ParseRole(r.GetString(1)) ?? TokenRole.Read, TokenId: r.IsDBNull(2) ? null : r.GetString(2),
                ExpiresAt: ApiTokens.ParseTime(r.GetString(3))!.Value), ("@hash", hash));
        if (rows.Count == 0)
        {
            return null;
        }

        var row = rows[0];
        if (row.ExpiresAt <= DateTimeOffset.UtcNow || (row.TokenId is { } tokenId && !tokens.IsValid(tokenId)))
        {
            db.Execute("DELETE FROM dashboard_sessions WHERE id_hash = @hash;", ("@hash", hash));
            return null;
        }

        return new DashboardSession(row.Name, row.Role, CsrfOf(id), row.ExpiresAt);
    }

    /// <summary>Ends the request's session and clears the cookie.</summary>
    public void SignOut(HttpContext context)
    {
        if (context.Request.Cookies[CookieName] is { Length: > 0 } id)
        {
            using var db = store.Lease();
            db.Execute("DELETE FROM dashboard_sessions WHERE id_hash = @hash;", ("@hash", ApiTokens.Hash(id)));
        }

        context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = context.Request.IsHttps });
    }

    /// <summary>Whether a write carries the session's CSRF token (a cross-site form cannot set a custom header).</summary>
    public static bool HasCsrfToken(HttpContext context, DashboardSession session) =>
        context.Request.Headers[CsrfHeader].ToString() is { Length: > 0 } sent &&
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(sent), Encoding.ASCII.GetBytes(session.Csrf));

    private static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    // Only the holder of the session id can compute it; the stored hash (of the id alone) does not give it away.
    private static string CsrfOf(string sessionId) => ApiTokens.Hash("csrf:" + sessionId);
}
