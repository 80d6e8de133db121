using System.Text.Json;
using System.Text.Json.Serialization;
using PipelineSdk.Stacks;

namespace PipelineSdk.Store.Remote;

/// <summary>
/// The server a store folder records to: <c>connection.json</c> in the folder (written by <c>pipelines connect</c>, readable only by
/// its owner), or <c>PIPELINES_SERVER_URL</c> + <c>PIPELINES_SERVER_TOKEN</c> (containers, CI), which win over the file.
/// The client's active stack is kept here too: it belongs to this client, not to the server.
/// </summary>
/// <param name="Url">The server's base URL, e.g. <c>http://127.0.0.1:8237</c>.</param>
/// <param name="Token">The API token sent as <c>Authorization: Bearer</c>.</param>
/// <param name="ActiveStack">The stack this client runs on (null: <c>default</c>).</param>
public sealed record ServerConnection(string? Url, string? Token, string? ActiveStack = null)
{
    /// <summary>The file in the store folder.</summary>
    public const string FileName = "connection.json";

    /// <summary>Environment variable that connects every program and command to a server (with <see cref="TokenVariable"/>).</summary>
    public const string UrlVariable = "PIPELINES_SERVER_URL";

    /// <summary>Environment variable with the API token for <see cref="UrlVariable"/>.</summary>
    public const string TokenVariable = "PIPELINES_SERVER_TOKEN";

    /// <summary>Whether the connection came from the environment rather than the file.</summary>
    [JsonIgnore]
    public bool FromEnvironment { get; init; }

    /// <summary>The connection file of <paramref name="directory"/>.</summary>
    public static string PathIn(string directory) => Path.Combine(directory, FileName);

    /// <summary>The server <paramref name="directory"/> is connected to, or null when it uses its embedded store.</summary>
    /// <exception cref="StackException">The connection file or the environment variables are unusable.</exception>
    public static ServerConnection? Find(string directory)
    {
        var saved = Read(directory);
        var url = Environment.GetEnvironmentVariable(UrlVariable);
        if (!string.IsNullOrWhiteSpace(url))
        {
            var token = Environment.GetEnvironmentVariable(TokenVariable);
            if (string.IsNullOrWhiteSpace(token))
            {
                throw new StackException($"{UrlVariable} is set but {TokenVariable} is not; set both (an API token from `pipelines server token create`)");
            }

            return new ServerConnection(CheckUrl(url), token.Trim(), saved?.ActiveStack) { FromEnvironment = true };
        }

        return saved is { Url: not null, Token: not null } ? saved : null;
    }

    /// <summary>Reads the connection file, if there is one.</summary>
    /// <exception cref="StackException">The file is not a connection.</exception>
    public static ServerConnection? Read(string directory)
    {
        var path = PathIn(directory);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), RemoteJson.Default.ServerConnection);
        }
        catch (JsonException e)
        {
            throw new StackException($"{path} is not a server connection ({e.Message.Split('\n')[0]}); run `pipelines disconnect` and connect again");
        }
    }

    /// <summary>Writes the connection file, readable and writable only by its owner.</summary>
    public void Save(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        var path = PathIn(directory);
        var temporary = path + ".tmp";
        var json = JsonSerializer.Serialize(this, RemoteJson.Default.ServerConnection);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(json);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Checks that <paramref name="url"/> is an absolute http(s) URL and returns it without a trailing slash.</summary>
    /// <exception cref="StackException">It is not.</exception>
    public static string CheckUrl(string url)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new StackException($"'{url}' is not a server URL; write it as http://HOST:PORT or https://HOST");
        }

        return uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }
}
