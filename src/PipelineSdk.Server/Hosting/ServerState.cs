using System.Text.Json;
using System.Text.Json.Serialization;

namespace PipelineSdk.Server.Hosting;

/// <summary>
/// <c>server.json</c> in the store folder while a server runs from it: its process and URL, so <c>pipelines server
/// status|stop</c> find it.
/// </summary>
/// <param name="ProcessId">The server's process.</param>
/// <param name="Url">Where it listens.</param>
/// <param name="Database">Where it keeps the records (never a password).</param>
/// <param name="StartedAt">When it started.</param>
public sealed record ServerState(int ProcessId, string Url, string Database, DateTimeOffset StartedAt)
{
    /// <summary>The file name in the store folder.</summary>
    public const string FileName = "server.json";

    /// <summary>The log a background server writes, in the store folder.</summary>
    public const string LogFileName = "server.log";

    /// <summary>Reads the state of the server of <paramref name="storeDirectory"/>, if one wrote it.</summary>
    public static ServerState? Read(string storeDirectory)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(Path.Combine(storeDirectory, FileName)), ServerJson.Default.ServerState);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Writes the state file.</summary>
    public void Write(string storeDirectory) =>
        File.WriteAllText(Path.Combine(storeDirectory, FileName), JsonSerializer.Serialize(this, ServerJson.Default.ServerState));

    /// <summary>Removes the state file if it is this process's.</summary>
    public static void Remove(string storeDirectory, int processId)
    {
        if (Read(storeDirectory)?.ProcessId == processId)
        {
            File.Delete(Path.Combine(storeDirectory, FileName));
        }
    }
}

/// <summary>Source-generated JSON for the server's own files.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ServerState))]
internal sealed partial class ServerJson : JsonSerializerContext;
