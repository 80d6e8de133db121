using PipelineSdk.Gcp.Auth;

namespace PipelineSdk.Gcp.Images;

/// <summary>How <see cref="ImagePublisher"/> builds and where it finds registry credentials.</summary>
public sealed class ImagePublisherOptions
{
    /// <summary>The build configuration to publish; default <c>Release</c>.</summary>
    public string Configuration { get; init; } = "Release";

    /// <summary>
    /// The folder holding the docker <c>config.json</c> to read credentials from; default <c>$DOCKER_CONFIG</c>, else
    /// <c>~/.docker</c>. The .NET SDK's push is pointed at the same folder.
    /// </summary>
    public string? DockerConfigDirectory { get; init; }

    /// <summary>Google credentials for Google registries; default Application Default Credentials, looked up only when needed.</summary>
    public GoogleAuth? GoogleAuth { get; init; }

    /// <summary>
    /// Registry hosts (<c>host[:port]</c>) that take a Google access token besides <c>gcr.io</c>, <c>*.gcr.io</c> and
    /// <c>*-docker.pkg.dev</c>, e.g. an Artifact Registry reached through Private Service Connect.
    /// </summary>
    public IReadOnlyCollection<string> GoogleRegistries { get; init; } = [];

    /// <summary>The <c>dotnet</c> executable to build with; default <c>dotnet</c> on the PATH.</summary>
    public string DotnetPath { get; init; } = "dotnet";
}
