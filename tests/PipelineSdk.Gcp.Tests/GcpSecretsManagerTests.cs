using System.Reflection;
using System.Text.Json;
using Google.Apis.Auth.OAuth2;
using PipelineSdk.Gcp.Auth;
using PipelineSdk.Gcp.Secrets;
using PipelineSdk.Gcp.Tests.Fakes;
using PipelineSdk.Stacks;
using PipelineSdk.Tests.Shared;

namespace PipelineSdk.Gcp.Tests;

public class GcpSecretsManagerTests
{
    private FakeGoogle _google = null!;
    private string _directory = null!;

    [SetUp]
    public async Task SetUp()
    {
        _google = await FakeGoogle.StartAsync();
        _directory = Directory.CreateTempSubdirectory("psdk-gcp-").FullName;
    }

    [TearDown]
    public async Task TearDown()
    {
        await _google.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private GcpSecretsManager Client(string project = "my-project")
    {
        var keyFile = _google.WriteKeyFile(_directory);
        var auth = new GoogleAuth(() => Task.FromResult<ITokenAccess>(
            CredentialFactory.FromFile<ServiceAccountCredential>(keyFile).ToGoogleCredential().CreateScoped(GoogleAuth.CloudPlatformScope)));
        return new GcpSecretsManager(project, auth, new HttpClient { BaseAddress = new Uri(_google.BaseUrl) });
    }

    [Test]
    public async Task Create_get_list_and_delete_through_the_real_auth_library()
    {
        var client = Client();

        await client.CreateAsync("db", new Dictionary<string, string> { ["user"] = "admin", ["password"] = "p@ss" }, CancellationToken.None);
        await client.CreateAsync("api", new Dictionary<string, string> { ["token"] = "t" }, CancellationToken.None);
        await client.CreateAsync("cache", new Dictionary<string, string> { ["url"] = "u" }, CancellationToken.None);

        Assert.That(_google.Payload("my-project", "db"), Is.EqualTo("{\"password\":\"p@ss\",\"user\":\"admin\"}"));
        Assert.That(await client.GetAsync("db", CancellationToken.None), Is.EquivalentTo(new Dictionary<string, string> { ["user"] = "admin", ["password"] = "p@ss" }));
        Assert.That(await client.GetAsync("nope", CancellationToken.None), Is.Null);
        Assert.That(await client.ListAsync(CancellationToken.None), Is.EqualTo(new[] { "api", "cache", "db" }), "follows nextPageToken");
        Assert.That(await client.DeleteAsync("db", CancellationToken.None), Is.True);
        Assert.That(await client.DeleteAsync("db", CancellationToken.None), Is.False);
        Assert.That(_google.TokensIssued, Is.EqualTo(1), "one token, reused until it expires");
    }

    [Test]
    public async Task An_existing_secret_is_not_overwritten()
    {
        var client = Client();
        await client.CreateAsync("db", new Dictionary<string, string> { ["user"] = "first" }, CancellationToken.None);

        Assert.That(() => client.CreateAsync("db", new Dictionary<string, string> { ["user"] = "second" }, CancellationToken.None),
            Throws.TypeOf<StackException>().With.Message.EqualTo("A secret named 'db' exists in project my-project; delete it first with `pipelines secret delete db`."));
        Assert.That(_google.Payload("my-project", "db"), Does.Contain("first"));
    }

    [Test]
    public void A_refused_permission_names_the_role_to_grant()
    {
        var client = Client(FakeGoogle.ForbiddenProject);

        Assert.That(() => client.ListAsync(CancellationToken.None), Throws.TypeOf<StackException>().With.Message.EqualTo(
            "Secret Manager refused to list secrets in project forbidden-project (403: Permission 'secretmanager.secrets.create' denied for resource 'projects/forbidden-project' (or it may not exist).); the credentials in use need the Secret Manager Admin role (roles/secretmanager.admin) on the project"));
    }

    [Test]
    public void Missing_credentials_say_how_to_provide_them()
    {
        var missing = Path.Combine(_directory, "missing.json");
        var auth = new GoogleAuth(() => Task.FromResult<ITokenAccess>(CredentialFactory.FromFile<ServiceAccountCredential>(missing).ToGoogleCredential()));
        var client = new GcpSecretsManager("my-project", auth, new HttpClient { BaseAddress = new Uri(_google.BaseUrl) });

        Assert.That(() => client.ListAsync(CancellationToken.None), Throws.TypeOf<StackException>().With.Message.StartsWith("no usable Google credentials (")
            .And.Message.EndsWith("run `gcloud auth application-default login` or set GOOGLE_APPLICATION_CREDENTIALS to a service account key file"));
        Assert.That(_google.Requests, Is.Empty, "nothing is sent without credentials");
    }

    [Test]
    public async Task The_cli_uses_Secret_Manager_with_application_default_credentials()
    {
        var cli = typeof(GcpSecretsManagerTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "CliDll").Value!;
        var environment = new Dictionary<string, string>
        {
            ["PIPELINES_HOME"] = Path.Combine(_directory, "store"),
            ["GOOGLE_APPLICATION_CREDENTIALS"] = _google.WriteKeyFile(_directory),
            [GcpSecretsManager.EndpointVariable] = _google.BaseUrl,
            ["HOME"] = _directory,
        };
        async Task<ProcessResult> Pipelines(params string[] args) => await ProcessResult.RunAsync("dotnet", [cli, .. args], environment);

        Assert.That((await Pipelines("secrets-manager", "register", "gsm", "--flavor=gcp", "--project_id=my-project")).Exit, Is.EqualTo(0));
        Assert.That((await Pipelines("stack", "update", "default", "-x", "gsm")).Exit, Is.EqualTo(0));
        var created = await Pipelines("secret", "create", "registry", "--password=hunter2");
        var read = await Pipelines("secret", "get", "registry", "--output", "json");

        Assert.That(created.Exit, Is.EqualTo(0), created.Error);
        Assert.That(read.Exit, Is.EqualTo(0), read.Error);
        using var secret = JsonDocument.Parse(read.Output);
        Assert.That(secret.RootElement.GetProperty("password").GetString(), Is.EqualTo("hunter2"));
        Assert.That(_google.Payload("my-project", "registry"), Is.EqualTo("{\"password\":\"hunter2\"}"));
    }
}
