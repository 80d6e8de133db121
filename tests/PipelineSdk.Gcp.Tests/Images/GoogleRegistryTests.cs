using Google.Apis.Auth.OAuth2;
using PipelineSdk.Gcp.Auth;
using PipelineSdk.Gcp.Images;
using PipelineSdk.Gcp.Tests.Fakes;
using PipelineSdk.Stacks;
using PipelineSdk.Tests.Shared;
using static PipelineSdk.Gcp.Tests.Images.ImageTestEnvironment;

namespace PipelineSdk.Gcp.Tests.Images;

/// <summary>
/// A registry that works as Google's do: the real registry with token auth, whose tokens come from a token service
/// (FakeGoogle) that takes Basic <c>oauth2accesstoken:&lt;Google access token&gt;</c>. The access token comes from the
/// real Google auth library with a service-account key, and reaches the SDK's push and its base-image pull.
/// </summary>
[NonParallelizable]
public class GoogleRegistryTests
{
    private FakeGoogle _google = null!;
    private RegistryServer _registry = null!;
    private string _directory = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _directory = Directory.CreateTempSubdirectory("psdk-google-registry-").FullName;
        _google = await FakeGoogle.StartAsync();
        _registry = await RegistryServer.StartAsync(Storage, _directory, $"""
            auth:
              token:
                realm: {_google.RegistryTokenRealm}
                service: {FakeGoogle.RegistryService}
                issuer: {FakeGoogle.RegistryTokenIssuer}
                rootcertbundle: {_google.WriteRegistryCertificate(_directory)}
            """);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _registry.DisposeAsync();
        await _google.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task A_Google_access_token_pulls_the_base_image_and_pushes()
    {
        var keyFile = _google.WriteKeyFile(_directory);
        var auth = new GoogleAuth(() => Task.FromResult<ITokenAccess>(
            CredentialFactory.FromFile<ServiceAccountCredential>(keyFile).ToGoogleCredential().CreateScoped(GoogleAuth.CloudPlatformScope)));
        var publisher = Publisher(auth);
        var request = new ImagePublishRequest(QuickStart.ProjectPath, $"{_registry.Host}/my-project/pipelines", $"{_registry.Host}/{BaseImage.Repository}:{BaseImage.Tag}", NativeAot: false);

        var image = await publisher.PublishAsync(request, null, CancellationToken.None);

        Assert.That(image.Reused, Is.False);
        Assert.That(image.Reference, Is.EqualTo($"{_registry.Host}/my-project/pipelines/quickstart:{image.Tag}"));
        Assert.That(_google.TokensIssued, Is.EqualTo(1), "one Google token for the check, the pull and the push");
        var scopes = _google.RegistryTokenRequests.ToList();
        // The SDK names the actions in either order (pull,push or push,pull).
        Assert.That(scopes, Has.Some.Matches<string>(s => s.Contains("repository:my-project/pipelines/quickstart:pull,push", StringComparison.Ordinal)
            || s.Contains("repository:my-project/pipelines/quickstart:push,pull", StringComparison.Ordinal)), "the SDK's push got a token");
        Assert.That(scopes, Has.Some.Contains($"repository:{BaseImage.Repository}:pull"), "the SDK's base-image pull got a token");
        var pushed = new RegistryRequest("PUT", $"/v2/my-project/pipelines/quickstart/manifests/{image.Tag}", 201);
        var requests = await _registry.RequestsAsync(pushed);
        Assert.That(requests, Does.Contain(pushed));
        Assert.That(requests, Does.Contain(new RegistryRequest("GET", "/v2/", 401)), "the registry did ask for a token");

        var again = await publisher.PublishAsync(request, null, CancellationToken.None);
        Assert.That(again, Is.EqualTo(image with { Reused = true }));
    }

    [Test]
    public void A_refused_Google_token_names_the_role_to_grant()
    {
        var publisher = Publisher(new GoogleAuth(() => Task.FromResult<ITokenAccess>(new FixedToken("ya29.not-issued-by-google"))));

        var error = Assert.ThrowsAsync<StackException>(() => publisher.PublishAsync(
            new ImagePublishRequest(QuickStart.ProjectPath, $"{_registry.Host}/my-project/pipelines", BaseImageReference, NativeAot: false), null, CancellationToken.None));

        Assert.That(error!.Message, Is.EqualTo(
            $"the container registry {_registry.Host} refused a Google access token (401 Unauthorized from its token service); the Google account in use needs the Artifact Registry Writer role (roles/artifactregistry.writer) on the repository, or run `gcloud auth configure-docker {_registry.Host}`"));
    }

    private ImagePublisher Publisher(GoogleAuth auth) =>
        ImageTestEnvironment.Publisher(new ImagePublisherOptions
        {
            Configuration = Configuration,
            DockerConfigDirectory = EmptyDockerConfig(),
            GoogleAuth = auth,
            GoogleRegistries = [_registry.Host],
            DotnetPath = RepositoryBuild.Dotnet,
        });

    private sealed class FixedToken(string token) : ITokenAccess
    {
        public Task<string> GetAccessTokenForRequestAsync(string? authUri = null, CancellationToken cancellationToken = default) => Task.FromResult(token);
    }
}
