using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PipelineSdk.Stacks;
using PipelineSdk.Store.Sql;

namespace PipelineSdk.Server.Security;

/// <summary>What a token may do.</summary>
public enum TokenRole
{
    /// <summary>Reads stacks, runs, artifacts and schedules.</summary>
    Read,

    /// <summary>Reads and records: what programs and the CLI of a team member need.</summary>
    Write,

    /// <summary>Everything a write token may, for the people who run the server.</summary>
    Admin,
}

/// <summary>A token as listed: never its secret.</summary>
/// <param name="Name">Its unique name.</param>
/// <param name="Role">What it may do.</param>
/// <param name="CreatedAt">When it was made.</param>
/// <param name="ExpiresAt">When it stops working, if ever.</param>
/// <param name="RevokedAt">When it was revoked, if it was.</param>
/// <param name="LastUsedAt">When it last authorized a request (to the minute).</param>
public sealed record ApiToken(string Name, TokenRole Role, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt)
{
    /// <summary>Whether it authorizes requests at <paramref name="now"/>.</summary>
    public bool IsValidAt(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}

/// <summary>
/// The server's API tokens, in the <c>api_tokens</c> table of its database. A token reads <c>psdk_ID_SECRET</c>; only the
/// SHA-256 of the secret is stored (the secret is 256 random bits, so a fast hash suffices), and it is shown once.
/// </summary>
public sealed class ApiTokens(SqlMetadataStore store)
{
    private const string Prefix = "psdk_";
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    /// <summary>Makes a token; returns it — the only time its secret is seen.</summary>
    /// <exception cref="StackException">The name is taken or not a name.</exception>
    public string Create(string name, TokenRole role, TimeSpan? lifetime)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new StackException($"'{name}' is not a token name; use letters, digits, dots, dashes or underscores");
        }

        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var now = DateTimeOffset.UtcNow;
        using var db = store.Lease();
        db.Begin();
        if (db.Scalar("SELECT id FROM api_tokens WHERE name = @name;", ("@name", name)) is not null)
        {
            throw new StackException($"a token named '{name}' exists; revoke it with `pipelines server token revoke {name}` or pick another name");
        }

        db.Execute("INSERT INTO api_tokens (id, name, role, secret_hash, created_at, expires_at) VALUES (@id, @name, @role, @hash, @created, @expires);",
            ("@id", id), ("@name", name), ("@role", RoleName(role)), ("@hash", Hash(secret)), ("@created", Time(now)),
            ("@expires", lifetime is { } life ? Time(now + life) : null));
        db.Commit();
        return $"{Prefix}{id}_{secret}";
    }

    /// <summary>Lists tokens by name.</summary>
    public IReadOnlyList<ApiToken> List()
    {
        using var db = store.Lease();
        return db.Query("SELECT name, role, created_at, expires_at, revoked_at, last_used_at FROM api_tokens ORDER BY name;", r => new ApiToken(
            r.GetString(0), ParseRole(r.GetString(1)) ?? TokenRole.Read, ParseTime(r.GetString(2))!.Value,
            r.IsDBNull(3) ? null : ParseTime(r.GetString(3)), r.IsDBNull(4) ? null : ParseTime(r.GetString(4)), r.IsDBNull(5) ? null : ParseTime(r.GetString(5))));
    }

    /// <summary>Revokes a token; requests with it are refused from now on.</summary>
    /// <exception cref="StackException">There is no such token, or it is revoked already.</exception>
    public void Revoke(string name)
    {
        using var db = store.Lease();
        if (db.Execute("UPDATE api_tokens SET revoked_at = @now WHERE name = @name AND revoked_at IS NULL;", ("@name", name), ("@now", Time(DateTimeOffset.UtcNow))) == 0)
        {
            var known = List().Select(t => t.Name).ToList();
            throw new StackException(known.Contains(name, StringComparer.Ordinal)
                ? $"the token '{name}' is revoked already"
                : $"no token named '{name}'; tokens: {(known.Count == 0 ? "none" : string.Join(", ", known.Select(n => $"'{n}'")))} (see `pipelines server token list`)");
        }
    }

    /// <summary>Checks a presented token; returns its name and role, or why it is refused.</summary>
    public (string Name, TokenRole Role)? Authenticate(string presented, out string refusal)
    {
        refusal = "the token is not a PipelineSdk API token; make one with `pipelines server token create NAME --role write` on the server";
        if (IdOf(presented) is not { } id)
        {
            return null;
        }

        var secret = presented[(Prefix.Length + id.Length + 1)..];
        using var db = store.Lease();
        var rows = db.Query("SELECT name, role, secret_hash, expires_at, revoked_at, last_used_at FROM api_tokens WHERE id = @id;",
            r => (Name: r.GetString(0), Role: r.GetString(1), Hash: r.GetString(2), Expires: r.IsDBNull(3) ? null : r.GetString(3),
                Revoked: !r.IsDBNull(4), LastUsed: r.IsDBNull(5) ? null : r.GetString(5)), ("@id", id));
        if (rows.Count == 0 || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(rows[0].Hash), Encoding.ASCII.GetBytes(Hash(secret))))
        {
            refusal = "the token is not known to this server (mistyped, or made for another server)";
            return null;
        }

        var row = rows[0];
        var now = DateTimeOffset.UtcNow;
        if (row.Revoked)
        {
            refusal = $"the token '{row.Name}' was revoked; ask for a new one";
            return null;
        }

        if (row.Expires is not null && ParseTime(row.Expires) <= now)
        {
            refusal = $"the token '{row.Name}' expired at {row.Expires}; ask for a new one";
            return null;
        }

        if (row.LastUsed is null || now - ParseTime(row.LastUsed) > LastUsedResolution)
        {
            db.Execute("UPDATE api_tokens SET last_used_at = @now WHERE id = @id;", ("@id", id), ("@now", Time(now)));
        }

        return (row.Name, ParseRole(row.Role) ?? TokenRole.Read);
    }

    /// <summary>The id part of a presented token (<c>psdk_ID_SECRET</c>), which names it without its secret; null for anything else.</summary>
    public static string? IdOf(string presented)
    {
        var split = presented.StartsWith(Prefix, StringComparison.Ordinal) ? presented.IndexOf('_', Prefix.Length) : -1;
        return split < 0 ? null : presented[Prefix.Length..split];
    }

    /// <summary>Whether the token with this id still authorizes requests (known, not revoked, not expired).</summary>
    public bool IsValid(string id)
    {
        using var db = store.Lease();
        var rows = db.Query("SELECT expires_at, revoked_at FROM api_tokens WHERE id = @id;",
            r => (Expires: r.IsDBNull(0) ? null : ParseTime(r.GetString(0)), Revoked: !r.IsDBNull(1)), ("@id", id));
        return rows.Count == 1 && !rows[0].Revoked && (rows[0].Expires is not { } expires || expires > DateTimeOffset.UtcNow);
    }

    /// <summary>The role's name as written on the command line and stored.</summary>
    public static string RoleName(TokenRole role) => role.ToString().ToLowerInvariant();

    /// <summary>Parses <c>admin</c>, <c>write</c> or <c>read</c>.</summary>
    public static TokenRole? ParseRole(string text) => text switch
    {
        "admin" => TokenRole.Admin,
        "write" => TokenRole.Write,
        "read" => TokenRole.Read,
        _ => null,
    };

    /// <summary>Parses a lifetime such as <c>30d</c>, <c>12h</c>, <c>90m</c> or <c>1y</c>.</summary>
    /// <exception cref="StackException">It is not one.</exception>
    public static TimeSpan ParseLifetime(string text)
    {
        if (text.Length >= 2 && int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0)
        {
            switch (text[^1])
            {
                case 'm': return TimeSpan.FromMinutes(count);
                case 'h': return TimeSpan.FromHours(count);
                case 'd': return TimeSpan.FromDays(count);
                case 'y': return TimeSpan.FromDays(365.0 * count);
            }
        }

        throw new StackException($"--expires {text}: write a count and a unit, e.g. 90m, 12h, 30d or 1y");
    }

    /// <summary>The SHA-256 of a secret, lower-case hex: what is stored of it.</summary>
    internal static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>A time as the tables keep it (ISO 8601, UTC).</summary>
    internal static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>A time as the tables keep it, read back.</summary>
    internal static DateTimeOffset? ParseTime(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
