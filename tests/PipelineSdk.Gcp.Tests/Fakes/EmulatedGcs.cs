using PipelineSdk.Execution;
using PipelineSdk.Gcp.Artifacts;

namespace PipelineSdk.Gcp.Tests.Fakes;

/// <summary>
/// A fake Cloud Storage with one bucket that this process reaches as local emulators are reached (anonymous, through
/// <c>STORAGE_EMULATOR_HOST</c>), with no bucket mount set, and a scratch folder; disposing it restores the environment.
/// </summary>
internal sealed class EmulatedGcs : IAsyncDisposable
{
    private readonly string? _savedMount = Environment.GetEnvironmentVariable(GcsMount.RootVariable);
    private readonly string? _savedEmulator = Environment.GetEnvironmentVariable(GcsArtifactStore.EmulatorHostVariable);

    private EmulatedGcs(FakeGcs server, string directory)
    {
        Server = server;
        Directory = directory;
        Environment.SetEnvironmentVariable(GcsArtifactStore.EmulatorHostVariable, server.BaseUri);
        Environment.SetEnvironmentVariable(GcsMount.RootVariable, null);
    }

    public FakeGcs Server { get; }

    public string Directory { get; }

    public static async Task<EmulatedGcs> StartAsync(string bucket, string scratchPrefix)
    {
        var server = await FakeGcs.StartAnonymousAsync();
        server.CreateBucket(bucket);
        return new EmulatedGcs(server, System.IO.Directory.CreateTempSubdirectory(scratchPrefix).FullName);
    }

    public async ValueTask DisposeAsync()
    {
        Environment.SetEnvironmentVariable(GcsMount.RootVariable, _savedMount);
        Environment.SetEnvironmentVariable(GcsArtifactStore.EmulatorHostVariable, _savedEmulator);
        await Server.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
