using PipelineSdk.Gcp.Images;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Gcp.Tests.Images;

/// <summary>
/// What every image test shares, set up once: the real registry on 127.0.0.1 with no auth, the offline base image in
/// it, and a copy of QuickStart to publish. Other registries (htpasswd, token auth) use the same storage folder, so
/// the base image is in all of them.
/// </summary>
[SetUpFixture]
public sealed class ImageTestEnvironment
{
    /// <summary>
    /// The configuration the tests publish: Debug, which the solution build made already, so a publish builds only the
    /// program copy. Builds started by other test projects take turns with these (<see cref="RepositoryBuild"/>).
    /// </summary>
    public const string Configuration = "Debug";

    private static RegistryServer? s_registry;
    private static ProgramCopy? s_quickStart;

    internal static string Root { get; private set; } = null!;

    internal static string Storage => Path.Combine(Root, "storage");

    internal static RegistryServer Registry => s_registry!;

    internal static ProgramCopy QuickStart => s_quickStart!;

    internal static string BaseLayerDigest { get; private set; } = null!;

    /// <summary>The base image in the open registry.</summary>
    internal static string BaseImageReference => $"{Registry.Host}/{BaseImage.Repository}:{BaseImage.Tag}";

    internal static ImagePublisher Publisher(ImagePublisherOptions? options = null) =>
        new(options is null
            ? new ImagePublisherOptions { Configuration = Configuration, DockerConfigDirectory = EmptyDockerConfig(), DotnetPath = RepositoryBuild.Dotnet }
            : options);

    /// <summary>A folder with no docker config: tests never read the machine's own credentials.</summary>
    internal static string EmptyDockerConfig() => Directory.CreateDirectory(Path.Combine(Root, "docker-empty")).FullName;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        Root = Directory.CreateTempSubdirectory("psdk-images-").FullName;
        Directory.CreateDirectory(Storage);
        s_registry = await RegistryServer.StartAsync(Storage, Root);
        BaseLayerDigest = await BaseImage.PushAsync(Registry.Url, "10.0-other");
        s_quickStart = ProgramCopy.Of("QuickStart");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (s_registry is not null)
        {
            await s_registry.DisposeAsync();
        }

        s_quickStart?.Dispose();
        Directory.Delete(Root, recursive: true);
    }
}

/// <summary>Collects progress lines as they are reported (<see cref="Progress{T}"/> would post them later).</summary>
internal sealed class ProgressLines : IProgress<string>
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public void Report(string value)
    {
        lock (_lines)
        {
            _lines.Add(value);
        }
    }

    public override string ToString() => string.Join('\n', Lines);
}
