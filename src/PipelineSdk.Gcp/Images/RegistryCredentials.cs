using System.ComponentModel;
using System.Text;
using System.Text.Json;
using PipelineSdk.Gcp.Auth;
using PipelineSdk.Stacks;

namespace PipelineSdk.Gcp.Images;

/// <summary>Where a registry credential came from; decides how it reaches the .NET SDK's push.</summary>
internal enum CredentialSource
{
    /// <summary>The .NET SDK's own <c>DOTNET_CONTAINER_*_REGISTRY_UNAME/PWORD</c> variables, already in the environment.</summary>
    Environment,

    /// <summary>An <c>auths</c> entry of the docker config.</summary>
    DockerConfig,

    /// <summary>A docker credential helper (<c>credHelpers</c> or <c>credsStore</c>).</summary>
    CredentialHelper,

    /// <summary>A Google access token.</summary>
    Google,
}

/// <summary>A user name and secret for one registry. User <c>&lt;token&gt;</c> means the secret is an identity (refresh) token.</summary>
internal sealed record RegistryCredential(string Username, string Secret, CredentialSource Source, string Description)
{
    public const string IdentityTokenUser = "<token>";

    public bool IsIdentityToken => Username == IdentityTokenUser;
}

/// <summary>
/// Finds credentials for a registry as docker does — <c>credHelpers</c>, then <c>auths</c>, then <c>credsStore</c> of the
/// docker config — with Google registries taking a Google access token (user <c>oauth2accesstoken</c>) before
/// <c>credsStore</c>. The .NET SDK's own environment variables win over all of them, as they do in the SDK.
/// </summary>
internal sealed class RegistryCredentials(ImagePublisherOptions options)
{
    /// <summary>The user name Google registries expect with an access token as the password.</summary>
    public const string GoogleTokenUser = "oauth2accesstoken";

    private GoogleAuth? _google = options.GoogleAuth;

    public string DockerConfigDirectory =>
        options.DockerConfigDirectory
        ?? (Environment.GetEnvironmentVariable("DOCKER_CONFIG") is { Length: > 0 } configured ? configured : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker"));

    private string ConfigFile => Path.Combine(DockerConfigDirectory, "config.json");

    /// <summary>Whether <paramref name="registry"/> (<c>host[:port]</c>) is a Google registry that takes an access token.</summary>
    public bool IsGoogleRegistry(string registry)
    {
        var host = registry.Split(':')[0].ToLowerInvariant();
        return host == "gcr.io" || host.EndsWith(".gcr.io", StringComparison.Ordinal) || host.EndsWith("-docker.pkg.dev", StringComparison.Ordinal)
            || options.GoogleRegistries.Contains(registry, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Credentials for <paramref name="registry"/>; null to go anonymous.</summary>
    /// <param name="registry">The registry's <c>host[:port]</c>.</param>
    /// <param name="push">True for the registry pushed to; false for the base image's.</param>
    /// <param name="alsoPushRegistry">True when the base image lives in the registry pushed to (the SDK then falls back to its generic variables).</param>
    /// <param name="cancellationToken">Cancels a credential helper or token request.</param>
    public async Task<RegistryCredential?> ResolveAsync(string registry, bool push, bool alsoPushRegistry, CancellationToken cancellationToken)
    {
        if (FromEnvironment(push, alsoPushRegistry) is { } fromEnvironment)
        {
            return fromEnvironment;
        }

        using var config = ReadConfig();
        var root = config?.RootElement;
        if (root is { } r && Entry(r, "credHelpers", registry) is { ValueKind: JsonValueKind.String } helper)
        {
            return await FromHelperAsync(helper.GetString()!, registry, required: true, cancellationToken).ConfigureAwait(false)
                ?? throw new StackException($"the docker credential helper docker-credential-{helper.GetString()} has no credentials for {registry}; log in with `docker login {registry}`");
        }

        if (root is { } a && Entry(a, "auths", registry) is { ValueKind: JsonValueKind.Object } auth && FromAuthEntry(auth, registry) is { } fromAuths)
        {
            return fromAuths;
        }

        if (IsGoogleRegistry(registry))
        {
            _google ??= new GoogleAuth();
            var token = await _google.GetAccessTokenAsync(cancellationToken).ConfigureAwait(false);
            return new RegistryCredential(GoogleTokenUser, token, CredentialSource.Google, "a Google access token");
        }

        if (root is { } s && s.TryGetProperty("credsStore", out var store) && store.ValueKind == JsonValueKind.String && store.GetString() is { Length: > 0 } storeName)
        {
            return await FromHelperAsync(storeName, registry, required: false, cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    private static RegistryCredential? FromEnvironment(bool push, bool alsoPushRegistry)
    {
        string[][] pairs = push
            ? [["DOTNET_CONTAINER_PUSH_REGISTRY_UNAME", "DOTNET_CONTAINER_PUSH_REGISTRY_PWORD"], ["DOTNET_CONTAINER_REGISTRY_UNAME", "DOTNET_CONTAINER_REGISTRY_PWORD"], ["SDK_CONTAINER_REGISTRY_UNAME", "SDK_CONTAINER_REGISTRY_PWORD"]]
            : alsoPushRegistry
                ? [["DOTNET_CONTAINER_PULL_REGISTRY_UNAME", "DOTNET_CONTAINER_PULL_REGISTRY_PWORD"], ["DOTNET_CONTAINER_REGISTRY_UNAME", "DOTNET_CONTAINER_REGISTRY_PWORD"], ["SDK_CONTAINER_REGISTRY_UNAME", "SDK_CONTAINER_REGISTRY_PWORD"]]
                : [["DOTNET_CONTAINER_PULL_REGISTRY_UNAME", "DOTNET_CONTAINER_PULL_REGISTRY_PWORD"]];
        foreach (var pair in pairs)
        {
            if (Environment.GetEnvironmentVariable(pair[0]) is { Length: > 0 } user && Environment.GetEnvironmentVariable(pair[1]) is { Length: > 0 } password)
            {
                return new RegistryCredential(user, password, CredentialSource.Environment, $"{pair[0]}/{pair[1]}");
            }
        }

        return null;
    }

    private JsonDocument? ReadConfig()
    {
        if (!File.Exists(ConfigFile))
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(File.ReadAllText(ConfigFile));
        }
        catch (JsonException e)
        {
            throw new StackException($"the docker config {ConfigFile} is not valid JSON ({e.Message}); fix or remove it");
        }
    }

    /// <summary>The entry of a map in the config whose key names <paramref name="registry"/>, with or without a scheme or path, as docker matches them.</summary>
    private static JsonElement? Entry(JsonElement root, string map, string registry)
    {
        if (!root.TryGetProperty(map, out var entries) || entries.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var entry in entries.EnumerateObject())
        {
            if (string.Equals(Normalize(entry.Name), Normalize(registry), StringComparison.OrdinalIgnoreCase))
            {
                return entry.Value;
            }
        }

        return null;

        static string Normalize(string key)
        {
            var host = key.Contains("://", StringComparison.Ordinal) ? key[(key.IndexOf("://", StringComparison.Ordinal) + 3)..] : key;
            host = host.Split('/')[0];
            return host is "index.docker.io" or "registry-1.docker.io" ? "docker.io" : host;
        }
    }

    private RegistryCredential? FromAuthEntry(JsonElement entry, string registry)
    {
        var description = $"the docker config {ConfigFile}";
        if (entry.TryGetProperty("identitytoken", out var identity) && identity.GetString() is { Length: > 0 } identityToken)
        {
            return new RegistryCredential(RegistryCredential.IdentityTokenUser, identityToken, CredentialSource.DockerConfig, description);
        }

        if (entry.TryGetProperty("auth", out var auth) && auth.GetString() is { Length: > 0 } encoded)
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            }
            catch (FormatException)
            {
                throw new StackException($"the 'auth' of {registry} in {ConfigFile} is not base64; log in again with `docker login {registry}`");
            }

            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new StackException($"the 'auth' of {registry} in {ConfigFile} is not user:password; log in again with `docker login {registry}`");
            }

            return new RegistryCredential(decoded[..colon], decoded[(colon + 1)..], CredentialSource.DockerConfig, description);
        }

        return entry.TryGetProperty("username", out var user) && user.GetString() is { Length: > 0 } name
            && entry.TryGetProperty("password", out var password) && password.GetString() is { } secret
            ? new RegistryCredential(name, secret, CredentialSource.DockerConfig, description)
            : null;
    }

    private async Task<RegistryCredential?> FromHelperAsync(string helper, string registry, bool required, CancellationToken cancellationToken)
    {
        var program = "docker-credential-" + helper;
        ChildProcessResult result;
        try
        {
            result = await ChildProcess.RunAsync(program, ["get"], null, registry, null, cancellationToken).ConfigureAwait(false);
        }
        catch (Win32Exception)
        {
            if (!required)
            {
                return null;
            }

            throw new StackException($"{ConfigFile} names the credential helper '{helper}' for {registry}, but {program} is not on the PATH; install it or remove the entry");
        }

        if (result.ExitCode != 0)
        {
            var message = string.Join(' ', result.Lines).Trim();
            if (message.Contains("credentials not found", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            throw new StackException($"the docker credential helper {program} failed for {registry} (exit code {result.ExitCode}: {message}); log in with `docker login {registry}`");
        }

        try
        {
            using var document = JsonDocument.Parse(result.StandardOutput);
            var username = document.RootElement.GetProperty("Username").GetString() ?? "";
            var secret = document.RootElement.GetProperty("Secret").GetString() ?? "";
            return secret.Length == 0 ? null : new RegistryCredential(username, secret, CredentialSource.CredentialHelper, $"the credential helper {program}");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new StackException($"the docker credential helper {program} printed no Username and Secret for {registry}; check it with `echo {registry} | {program} get`");
        }
    }
}
