using System.ComponentModel;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using PipelineSdk.Stacks;

namespace PipelineSdk.Gcp.Images;

/// <summary>
/// Packages a pipeline program as a container image and pushes it, without a Docker daemon: the .NET SDK's own
/// container support (<c>dotnet publish -t:PublishContainer</c>) builds the image and pushes it to the registry.
/// The tag is a content hash of the build, and the registry is asked for it first, so unchanged code is neither
/// rebuilt (the build is incremental) nor pushed again.
/// </summary>
public sealed partial class ImagePublisher
{
    /// <summary>The platform images are built for (Vertex AI runs linux/amd64).</summary>
    public const string RuntimeIdentifier = "linux-x64";

    /// <summary>The .NET SDK's list of registries it may reach over plain HTTP (<c>host:port</c>, separated by semicolons).</summary>
    public const string InsecureRegistriesVariable = "DOTNET_CONTAINER_INSECURE_REGISTRIES";

    /// <summary>Stands for the SDK's default base image in the build hash.</summary>
    private const string DefaultBaseImage = "(sdk default)";

    private readonly ImagePublisherOptions _options;
    private readonly RegistryCredentials _credentials;

    /// <summary>Creates a publisher.</summary>
    public ImagePublisher(ImagePublisherOptions? options = null)
    {
        _options = options ?? new ImagePublisherOptions();
        _credentials = new RegistryCredentials(_options);
    }

    /// <summary>
    /// Builds the project for <see cref="RuntimeIdentifier"/>, tags it with the hash of the build, and pushes the image
    /// unless the registry already has that tag.
    /// </summary>
    /// <param name="request">The project, registry, base image and AOT choice.</param>
    /// <param name="progress">Receives a line for each stage and the SDK's build and push messages; may be null.</param>
    /// <param name="cancellationToken">Stops the build or push (the child process is killed).</param>
    /// <returns>The image reference to run the steps with.</returns>
    /// <exception cref="StackException">The registry is unreachable or refuses the credentials, or the build or push failed; the message is one line that says what to do.</exception>
    public async Task<PublishedImage> PublishAsync(ImagePublishRequest request, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (registry, repositoryPrefix) = ParseRegistryUri(request.RegistryUri);
        var insecure = IsInsecure(registry);
        var pushCredential = await _credentials.ResolveAsync(registry, push: true, alsoPushRegistry: true, cancellationToken).ConfigureAwait(false);
        var baseRegistry = request.BaseImage is null ? null : RegistryOf(request.BaseImage);
        var baseCredential = baseRegistry is null ? null
            : await _credentials.ResolveAsync(baseRegistry, push: false, alsoPushRegistry: baseRegistry.Equals(registry, StringComparison.OrdinalIgnoreCase), cancellationToken).ConfigureAwait(false);

        using var client = new RegistryClient(registry, insecure, pushCredential, LoginAdvice(registry));
        progress?.Report($"Checking container registry {registry}");
        await client.PingAsync(cancellationToken).ConfigureAwait(false);

        var (common, repository, tag) = await BuildAsync(request, repositoryPrefix, progress, cancellationToken).ConfigureAwait(false);
        var reference = $"{registry}/{repository}:{tag}";
        if (await client.TagExistsAsync(repository, tag, cancellationToken).ConfigureAwait(false))
        {
            progress?.Report($"{reference} is already in the registry; nothing to push");
            return new PublishedImage(reference, tag, Reused: true);
        }

        progress?.Report($"Publishing {reference} on {request.BaseImage ?? "the .NET SDK's default base image"}");
        string[] container =
        [
            .. common, "--no-build", "-t:PublishContainer",
            "-p:ContainerRegistry=" + registry, "-p:ContainerRepository=" + repository, "-p:ContainerImageTag=" + tag,
            .. request.BaseImage is null ? Array.Empty<string>() : ["-p:ContainerBaseImage=" + request.BaseImage],
        ];
        var push = await DotnetAsync(container, SdkEnvironment(registry, pushCredential, baseRegistry, baseCredential), progress, cancellationToken).ConfigureAwait(false);
        if (push.ExitCode != 0)
        {
            throw new StackException($"publishing {reference} failed: {ErrorLine(push)}");
        }

        progress?.Report($"Pushed {reference}");
        return new PublishedImage(reference, tag, Reused: false);
    }

    /// <summary>
    /// The reference <see cref="PublishAsync"/> would push now: the project is built and its build hashed, and nothing is
    /// pushed nor the registry contacted (a dry run predicts Vertex AI's cache with it, which is keyed by the image).
    /// </summary>
    /// <exception cref="StackException">The build failed; the message is one line that says what to do.</exception>
    public async Task<string> ReferenceAsync(ImagePublishRequest request, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (registry, repositoryPrefix) = ParseRegistryUri(request.RegistryUri);
        var (_, repository, tag) = await BuildAsync(request, repositoryPrefix, progress, cancellationToken).ConfigureAwait(false);
        return $"{registry}/{repository}:{tag}";
    }

    /// <summary>Publishes the project into an empty folder and returns the publish arguments, the repository and the build's tag.</summary>
    private async Task<(string[] Common, string Repository, string Tag)> BuildAsync(ImagePublishRequest request, string repositoryPrefix, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var project = FindProject(request.ProjectPath);
        // The publish folder holds exactly what goes into the image, so it starts empty; the build itself stays incremental.
        var work = Path.Combine(Path.GetDirectoryName(project)!, "obj", "pipelines-image", $"{_options.Configuration}-{RuntimeIdentifier}{(request.NativeAot ? "-aot" : "")}");
        var publishDirectory = Path.Combine(work, "app");
        if (Directory.Exists(publishDirectory))
        {
            Directory.Delete(publishDirectory, recursive: true);
        }

        Directory.CreateDirectory(work);
        var properties = Path.Combine(work, "assembly-name.txt");
        string[] common = ["publish", project, "-c", _options.Configuration, "-r", RuntimeIdentifier, "-o", publishDirectory, "--nologo", "-tl:off", .. request.NativeAot ? ["-p:PublishAot=true"] : Array.Empty<string>()];

        progress?.Report($"Building {Path.GetFileName(project)} ({_options.Configuration}, {RuntimeIdentifier}{(request.NativeAot ? ", Native AOT" : "")})");
        var build = await DotnetAsync([.. common, "-getProperty:AssemblyName", "-getResultOutputFile:" + properties], null, progress, cancellationToken).ConfigureAwait(false);
        if (build.ExitCode != 0)
        {
            throw new StackException($"building {Path.GetFileName(project)} failed: {ErrorLine(build)}; fix it and publish again");
        }

        var tag = await BuildHash.ComputeTagAsync(publishDirectory, request.BaseImage ?? DefaultBaseImage, request.NativeAot, cancellationToken).ConfigureAwait(false);
        var repository = string.Join('/', new[] { repositoryPrefix, RepositoryName(ReadAssemblyName(properties)) }.Where(p => p.Length > 0));
        return (common, repository, tag);
    }

    /// <summary>
    /// What the SDK's push needs beyond the inherited environment: the credentials found here as its documented
    /// <c>DOTNET_CONTAINER_PUSH/PULL_REGISTRY_UNAME/PWORD</c> variables (one push and one base registry per publish, so
    /// they cannot go to the wrong registry), the same docker config folder, and loopback registries as insecure.
    /// </summary>
    private Dictionary<string, string?> SdkEnvironment(string registry, RegistryCredential? pushCredential, string? baseRegistry, RegistryCredential? baseCredential)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal) { ["DOCKER_CONFIG"] = _credentials.DockerConfigDirectory };
        var insecure = InsecureRegistries().ToList();
        foreach (var loopback in new[] { registry, baseRegistry }.OfType<string>().Where(IsLoopback).Where(r => !insecure.Contains(r, StringComparer.OrdinalIgnoreCase)))
        {
            insecure.Add(loopback);
        }

        if (insecure.Count > 0)
        {
            environment[InsecureRegistriesVariable] = string.Join(';', insecure);
        }

        if (Handed(pushCredential) is { } push)
        {
            environment["DOTNET_CONTAINER_PUSH_REGISTRY_UNAME"] = push.Username;
            environment["DOTNET_CONTAINER_PUSH_REGISTRY_PWORD"] = push.Secret;
        }

        if (Handed(baseCredential) is { } pull)
        {
            environment["DOTNET_CONTAINER_PULL_REGISTRY_UNAME"] = pull.Username;
            environment["DOTNET_CONTAINER_PULL_REGISTRY_PWORD"] = pull.Secret;
        }

        return environment;

        // Identity tokens have no variable: the SDK reads them from the same docker config itself.
        static RegistryCredential? Handed(RegistryCredential? credential) =>
            credential is { Source: not CredentialSource.Environment, IsIdentityToken: false } ? credential : null;
    }

    private async Task<ChildProcessResult> DotnetAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        try
        {
            return await ChildProcess.RunAsync(_options.DotnetPath, arguments, environment, null, line =>
            {
                if (SdkLine(line) is { } shown)
                {
                    progress?.Report(shown);
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Win32Exception e)
        {
            throw new StackException($"cannot start '{_options.DotnetPath}' ({e.Message}); install the .NET SDK or put dotnet on the PATH");
        }
    }

    private string LoginAdvice(string registry) =>
        _credentials.IsGoogleRegistry(registry)
            ? "the Google account in use needs the Artifact Registry Writer role (roles/artifactregistry.writer) on the repository, or run `gcloud auth configure-docker " + registry + "`"
            : $"log in with `docker login {registry}` (credentials are read from {Path.Combine(_credentials.DockerConfigDirectory, "config.json")})";

    private static string FindProject(string path)
    {
        if (File.Exists(path))
        {
            return Path.GetFullPath(path);
        }

        if (Directory.Exists(path))
        {
            var projects = Directory.GetFiles(path, "*.*proj").Where(p => p.EndsWith(".csproj", StringComparison.Ordinal) || p.EndsWith(".fsproj", StringComparison.Ordinal) || p.EndsWith(".vbproj", StringComparison.Ordinal)).ToList();
            return projects.Count == 1
                ? Path.GetFullPath(projects[0])
                : throw new StackException(projects.Count == 0
                    ? $"there is no project file in {path}; give the path of the program's .csproj"
                    : $"{path} holds {projects.Count} project files; give the path of the program's .csproj");
        }

        throw new StackException($"the project {path} does not exist; give the path of the program's .csproj or its folder");
    }

    private static (string Registry, string Path) ParseRegistryUri(string uri)
    {
        var match = RegistryUriPattern().Match(uri.Trim().TrimEnd('/'));
        return match.Success
            ? (match.Groups["registry"].Value, match.Groups["path"].Value.TrimStart('/'))
            : throw new StackException($"the container registry uri '{uri}' is not host[:port]/repository, like registry.example.com:5000/team or europe-west1-docker.pkg.dev/my-project/repo");
    }

    /// <summary>The registry of an image reference, as docker reads it: the first segment if it looks like a host, else Docker Hub.</summary>
    private static string RegistryOf(string image)
    {
        var slash = image.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return "docker.io";
        }

        var first = image[..slash];
        return first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost" ? first : "docker.io";
    }

    private static bool IsInsecure(string registry) => IsLoopback(registry) || InsecureRegistries().Contains(registry, StringComparer.OrdinalIgnoreCase);

    /// <summary>The registries the SDK reaches over plain HTTP: <see cref="InsecureRegistriesVariable"/>, semicolon-separated as the SDK reads it.</summary>
    private static IEnumerable<string> InsecureRegistries() =>
        (Environment.GetEnvironmentVariable(InsecureRegistriesVariable) ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Registries on this machine are reached over plain HTTP, as docker does for 127.0.0.0/8.</summary>
    private static bool IsLoopback(string registry)
    {
        var host = registry.StartsWith('[') ? registry[1..registry.IndexOf(']', StringComparison.Ordinal)] : registry.Split(':')[0];
        return host == "localhost" || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }

    /// <summary>MSBuild writes one requested property as its bare value (several as a JSON object).</summary>
    private static string ReadAssemblyName(string propertiesFile)
    {
        var text = File.ReadAllText(propertiesFile).Trim();
        if (!text.StartsWith('{'))
        {
            return text;
        }

        using var document = JsonDocument.Parse(text);
        return document.RootElement.GetProperty("Properties").GetProperty("AssemblyName").GetString()!;
    }

    /// <summary>The assembly name as a repository path component: lower case, other characters than <c>a-z0-9._-</c> as <c>-</c>.</summary>
    private static string RepositoryName(string assemblyName) =>
        RepositoryInvalidCharacters().Replace(assemblyName.ToLowerInvariant(), "-").Trim('-', '.', '_');

    /// <summary>An SDK output line worth showing, without MSBuild's decoration; null for restore chatter and blank lines.</summary>
    private static string? SdkLine(string line)
    {
        var text = line.Trim();
        if (text.Length == 0 || text.StartsWith("Determining projects to restore", StringComparison.Ordinal) || text.StartsWith("Restored ", StringComparison.Ordinal)
            || text.Contains("up-to-date for restore", StringComparison.Ordinal))
        {
            return null;
        }

        var message = MessageLine().Match(text);
        return ProjectSuffix().Replace(message.Success ? message.Groups["text"].Value : text, "");
    }

    /// <summary>
    /// The first MSBuild error, as one line, without the project suffix and without a location inside the SDK's own
    /// targets. A task that crashed (MSB4018) is followed by its exception's message.
    /// </summary>
    private static string ErrorLine(ChildProcessResult result)
    {
        var errors = result.Lines.Select(l => ProjectSuffix().Replace(l.Trim(), "")).Where(l => l.Contains(": error ", StringComparison.Ordinal)).Take(2).ToList();
        if (errors.Count == 0)
        {
            return result.Lines.LastOrDefault(l => l.Trim().Length > 0)?.Trim() ?? $"dotnet exited with code {result.ExitCode}";
        }

        var error = errors[0];
        var at = error.IndexOf(": error ", StringComparison.Ordinal);
        var location = error[..at];
        var line = location.Contains(".targets(", StringComparison.Ordinal) || location.Contains(".props(", StringComparison.Ordinal) || location.Length == 0
            ? error[(at + 2)..]
            : error;
        const string crashed = "error MSB4018:";
        if (line.Contains(crashed, StringComparison.Ordinal) && errors.Count > 1 && errors[1].Contains(crashed, StringComparison.Ordinal))
        {
            line = line.TrimEnd('.') + ": " + errors[1][(errors[1].IndexOf(crashed, StringComparison.Ordinal) + crashed.Length)..].Trim();
        }

        return line;
    }

    [GeneratedRegex("^(?<registry>[A-Za-z0-9.-]+(:[0-9]+)?)(?<path>(/[a-z0-9._-]+)*)$")]
    private static partial Regex RegistryUriPattern();

    [GeneratedRegex("[^a-z0-9._-]+")]
    private static partial Regex RepositoryInvalidCharacters();

    [GeneratedRegex(": message : (\\[[^\\]]+\\] )?(?<text>.*)$")]
    private static partial Regex MessageLine();

    [GeneratedRegex("\\s+\\[[^\\]]*proj[^\\]]*\\]$")]
    private static partial Regex ProjectSuffix();
}
