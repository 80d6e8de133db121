using System.Text;
using System.Text.Json;
using PipelineSdk.Gcp.Images;
using PipelineSdk.Stacks;
using PipelineSdk.Tests.Shared;
using static PipelineSdk.Gcp.Tests.Images.ImageTestEnvironment;

namespace PipelineSdk.Gcp.Tests.Images;

/// <summary>
/// A registry with htpasswd basic auth (the real registry checks the passwords), reached with the credentials of a
/// docker config: an <c>auths</c> entry, or a credential helper it names. Both our own calls and the SDK's push use them.
/// </summary>
[NonParallelizable]
public class RegistryAuthTests
{
    private const string User = "pipelines";
    private const string Password = "s3cret-Pa55";

    private RegistryServer _registry = null!;
    private string _directory = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _directory = Directory.CreateTempSubdirectory("psdk-registry-auth-").FullName;
        var htpasswd = await ProcessResult.RunAsync("htpasswd", ["-Bbn", User, Password]);
        Assert.That(htpasswd.Exit, Is.EqualTo(0), htpasswd.Error);
        var passwords = Path.Combine(_directory, "htpasswd");
        File.WriteAllText(passwords, htpasswd.Output.Trim() + "\n");
        _registry = await RegistryServer.StartAsync(Storage, _directory, $"""
            auth:
              htpasswd:
                realm: pipelinesdk-tests
                path: {passwords}
            """);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _registry.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task Basic_auth_uses_the_docker_config_credentials_for_the_check_and_the_push()
    {
        var config = DockerConfig("auths", new Dictionary<string, object> { [_registry.Host] = new Dictionary<string, string> { ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")) } });

        var image = await Publish(config, "basic");

        Assert.That(image.Reused, Is.False);
        var pushed = new RegistryRequest("PUT", $"/v2/basic/quickstart/manifests/{image.Tag}", 201);
        var requests = await _registry.RequestsAsync(pushed);
        Assert.That(requests, Does.Contain(pushed));
        Assert.That(requests, Does.Contain(new RegistryRequest("GET", "/v2/", 401)), "the registry did ask for credentials");
        Assert.That(await Registry.TagsAsync("basic/quickstart"), Does.Contain(image.Tag));

        var again = await Publish(config, "basic");
        Assert.That(again, Is.EqualTo(image with { Reused = true }));
    }

    [Test]
    public async Task A_credential_helper_named_in_the_docker_config_is_asked()
    {
        var helpers = Directory.CreateDirectory(Path.Combine(_directory, "helpers")).FullName;
        var helper = Path.Combine(helpers, "docker-credential-psdk-test");
        File.WriteAllText(helper, $$"""
            #!/bin/sh
            read server
            echo "$1 $server" >> '{{helpers}}/calls'
            if [ "$1" = get ] && [ "$server" = "{{_registry.Host}}" ]; then
              printf '{"ServerURL":"%s","Username":"{{User}}","Secret":"{{Password}}"}' "$server"
            else
              echo "credentials not found in native keychain"; exit 1
            fi
            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(helper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var config = DockerConfig("credHelpers", new Dictionary<string, object> { [_registry.Host] = "psdk-test" });
        var path = Environment.GetEnvironmentVariable("PATH");
        Environment.SetEnvironmentVariable("PATH", helpers + ":" + path);
        try
        {
            var image = await Publish(config, "helper");

            Assert.That(image.Reused, Is.False);
            Assert.That(File.ReadAllLines(Path.Combine(helpers, "calls")), Has.All.EqualTo($"get {_registry.Host}"));
            var pushed = new RegistryRequest("PUT", $"/v2/helper/quickstart/manifests/{image.Tag}", 201);
            Assert.That(await _registry.RequestsAsync(pushed), Does.Contain(pushed));
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", path);
        }
    }

    [Test]
    public void Refused_credentials_fail_before_building_and_say_how_to_log_in()
    {
        var config = DockerConfig("auths", new Dictionary<string, object> { [_registry.Host] = new Dictionary<string, string> { ["username"] = User, ["password"] = "wrong" } });
        var progress = new ProgressLines();

        var error = Assert.ThrowsAsync<StackException>(() => Publish(config, "refused", progress));

        Assert.That(error!.Message, Is.EqualTo(
            $"the container registry {_registry.Host} refused the docker config {config}/config.json (401 Unauthorized); log in with `docker login {_registry.Host}` (credentials are read from {config}/config.json)"));
        Assert.That(progress.Lines, Has.None.StartsWith("Building"));
    }

    [Test]
    public void Missing_credentials_say_how_to_log_in()
    {
        var config = EmptyDockerConfig();

        var error = Assert.ThrowsAsync<StackException>(() => Publish(config, "anonymous"));

        Assert.That(error!.Message, Is.EqualTo(
            $"the container registry {_registry.Host} needs credentials and none were found; log in with `docker login {_registry.Host}` (credentials are read from {config}/config.json)"));
    }

    [Test]
    public void A_credential_helper_that_is_not_installed_is_named()
    {
        var config = DockerConfig("credHelpers", new Dictionary<string, object> { [_registry.Host] = "not-installed" });

        var error = Assert.ThrowsAsync<StackException>(() => Publish(config, "helper"));

        Assert.That(error!.Message, Is.EqualTo(
            $"{config}/config.json names the credential helper 'not-installed' for {_registry.Host}, but docker-credential-not-installed is not on the PATH; install it or remove the entry"));
    }

    private Task<PublishedImage> Publish(string dockerConfig, string repository, IProgress<string>? progress = null) =>
        Publisher(new ImagePublisherOptions { Configuration = Configuration, DockerConfigDirectory = dockerConfig, DotnetPath = RepositoryBuild.Dotnet })
            .PublishAsync(new ImagePublishRequest(QuickStart.ProjectPath, $"{_registry.Host}/{repository}", BaseImageReference, NativeAot: false), progress, CancellationToken.None);

    private string DockerConfig(string section, Dictionary<string, object> entries)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_directory, "docker-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        File.WriteAllText(Path.Combine(directory, "config.json"), JsonSerializer.Serialize(new Dictionary<string, object> { [section] = entries }));
        return directory;
    }
}
