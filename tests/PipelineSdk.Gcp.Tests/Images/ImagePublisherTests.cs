using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using PipelineSdk.Gcp.Images;
using PipelineSdk.Stacks;
using PipelineSdk.Tests.Shared;
using static PipelineSdk.Gcp.Tests.Images.ImageTestEnvironment;

namespace PipelineSdk.Gcp.Tests.Images;

/// <summary>
/// Publishes QuickStart with the real <c>dotnet publish -t:PublishContainer</c> to the real registry, reads the image
/// back over HTTP, runs a step from it, and checks that unchanged code is never pushed twice.
/// </summary>
[NonParallelizable] // builds and publishes programs, as the other image fixtures do
public class ImagePublisherTests
{
    private static readonly Lazy<Task<(PublishedImage Image, ProgressLines Progress)>> FirstPublish = new(async () =>
    {
        var progress = new ProgressLines();
        var image = await Publisher().PublishAsync(new ImagePublishRequest(QuickStart.ProjectPath, $"{Registry.Host}/team", BaseImageReference, NativeAot: false), progress, CancellationToken.None);
        return (image, progress);
    });

    private static string Repository => "team/quickstart";

    [Test]
    public async Task Publishes_the_program_on_the_base_image_with_an_entrypoint_that_runs_it_from_app()
    {
        var (image, progress) = await FirstPublish.Value;
        TestContext.Out.WriteLine(progress);

        Assert.That(image.Reused, Is.False);
        Assert.That(image.Tag, Does.Match("^[0-9a-f]{16}$"));
        Assert.That(image.Reference, Is.EqualTo($"{Registry.Host}/{Repository}:{image.Tag}"));
        Assert.That(await Registry.TagsAsync(Repository), Does.Contain(image.Tag));
        using var published = await RegistryImage.ReadAsync(Registry, Repository, image.Tag);
        Assert.That(published.LayerDigests, Has.Count.EqualTo(2));
        Assert.That(published.LayerDigests[0], Is.EqualTo(BaseLayerDigest), "the base image's layer, mounted, not rebuilt");
        Assert.That(published.Config.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "dotnet", "/app/QuickStart.dll" }), "what the spec's executors run");
        Assert.That(published.Config.GetProperty("WorkingDir").GetString(), Is.EqualTo("/app/"));
        Assert.That(published.Config.GetProperty("Env").EnumerateArray().Select(e => e.GetString()), Does.Contain("DOTNET_ROOT=/usr/share/dotnet"), "the base image's settings are kept");
        Assert.That(progress.Lines, Does.Contain("Checking container registry " + Registry.Host));
        Assert.That(progress.Lines, Has.Some.StartsWith($"Building QuickStart.csproj ({Configuration}, linux-x64)"));
        Assert.That(progress.Lines, Has.Some.EqualTo($"Building image '{Repository}' with tags '{image.Tag}' on top of base image '{BaseImageReference}'."), "the SDK's own lines, without MSBuild's decoration");
        Assert.That(progress.Lines, Has.Some.StartsWith("Uploading layer 'sha256:"));
        Assert.That(progress.Lines[^1], Is.EqualTo($"Pushed {image.Reference}"));
    }

    [Test]
    public async Task Unchanged_code_is_not_pushed_again()
    {
        var (first, _) = await FirstPublish.Value;
        var mark = Registry.Requests.Count;
        var tags = await Registry.TagsAsync(Repository);
        var before = (await Registry.RequestsAsync(atLeast: mark + 1)).Count;
        var progress = new ProgressLines();

        var again = await Publisher().PublishAsync(new ImagePublishRequest(QuickStart.Directory, $"{Registry.Host}/team", BaseImageReference, NativeAot: false), progress, CancellationToken.None);

        Assert.That(again, Is.EqualTo(first with { Reused = true }));
        var requests = (await Registry.RequestsAsync(atLeast: before + 2)).Skip(before).ToList();
        Assert.That(requests, Is.EqualTo(new[]
        {
            new RegistryRequest("GET", "/v2/", 200),
            new RegistryRequest("HEAD", $"/v2/{Repository}/manifests/{first.Tag}", 200),
        }), "one look at the tag, no uploads");
        Assert.That(progress.Lines[^1], Is.EqualTo($"{first.Reference} is already in the registry; nothing to push"));
        Assert.That(await Registry.TagsAsync(Repository), Is.EqualTo(tags));
    }

    [Test]
    public async Task Changed_code_gets_a_new_tag_and_the_old_image_stays()
    {
        var (first, _) = await FirstPublish.Value;
        using var changed = ProgramCopy.Of("QuickStart");
        changed.Edit("QuickStart.cs", "GetFirstNum() => 10;", "GetFirstNum() => 11;");

        var image = await Publisher().PublishAsync(new ImagePublishRequest(changed.ProjectPath, $"{Registry.Host}/team", BaseImageReference, NativeAot: false), null, CancellationToken.None);

        Assert.That(image.Reused, Is.False);
        Assert.That(image.Tag, Is.Not.EqualTo(first.Tag));
        Assert.That(await Registry.TagsAsync(Repository), Is.EquivalentTo(new[] { first.Tag, image.Tag }));
    }

    [Test]
    public async Task Another_base_image_gets_a_new_tag()
    {
        var (first, _) = await FirstPublish.Value;

        var image = await Publisher().PublishAsync(new ImagePublishRequest(QuickStart.ProjectPath, $"{Registry.Host}/other-base", $"{Registry.Host}/{BaseImage.Repository}:10.0-other", NativeAot: false), null, CancellationToken.None);

        Assert.That(image.Reused, Is.False);
        Assert.That(image.Tag, Is.Not.EqualTo(first.Tag), "the base image is part of the hash");
    }

    [Test]
    public async Task The_images_app_layer_runs_a_step_under_the_executor_contract()
    {
        var (image, _) = await FirstPublish.Value;
        using var published = await RegistryImage.ReadAsync(Registry, Repository, image.Tag);
        var root = Directory.CreateTempSubdirectory("psdk-image-app-").FullName;
        try
        {
            await published.UnpackAsync(root, [published.LayerDigests[^1]]);
            Assert.That(Directory.GetFileSystemEntries(root).Select(Path.GetFileName), Is.EqualTo(new[] { "app" }), "the program's layer holds /app only");

            var entrypoint = published.Config.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()!).ToList();
            var output = Path.Combine(root, "out");
            var result = await ProcessResult.RunAsync(entrypoint[0], [Path.Combine(root, entrypoint[1].TrimStart('/')), .. StepArguments(output + "/executor_output.json")]);

            Assert.That(result.Exit, Is.EqualTo(0), result.Output + result.Error);
            using var executorOutput = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "executor_output.json")));
            Assert.That(executorOutput.RootElement.GetProperty("parameterValues").GetProperty("Output").GetInt32(), Is.EqualTo(6));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public async Task The_whole_image_runs_a_step_in_its_own_root_filesystem()
    {
        if (!Environment.IsPrivilegedProcess || DebianPackages.Find("unshare") is null || DebianPackages.Find("chroot") is null)
        {
            Assert.Ignore("running an image without Docker needs root, unshare and chroot");
        }

        var (image, _) = await FirstPublish.Value;
        using var published = await RegistryImage.ReadAsync(Registry, Repository, image.Tag);
        var root = Directory.CreateTempSubdirectory("psdk-image-rootfs-").FullName;
        try
        {
            await published.UnpackAsync(root);
            var config = published.Config;
            var command = config.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()!).Concat(StepArguments("/tmp/out/executor_output.json"));
            var environment = config.GetProperty("Env").EnumerateArray().Select(e => e.GetString()!.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

            // A private mount namespace with /proc and /dev bound in, then the image's root and working directory —
            // what a container runtime does, minus the isolation.
            var script = $"mount --rbind /proc '{root}/proc' && mount --rbind /dev '{root}/dev' && exec unshare --root='{root}' --wd='{config.GetProperty("WorkingDir").GetString()}' \"$@\"";
            var result = await ProcessResult.RunAsync("unshare", ["--mount", "--propagation", "private", "--fork", "sh", "-c", script, "sh", .. command], environment);

            Assert.That(result.Exit, Is.EqualTo(0), result.Output + result.Error);
            Assert.That(result.Output, Does.Contain("Step 'subtract-numbers' of pipeline 'vertex-example-pipeline' completed"));
            Assert.That(File.ReadAllText(Path.Combine(root, "tmp", "out", "executor_output.json")), Does.Contain("\"Output\": 6"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    [Category("NativeAot")]
    public async Task A_Native_AOT_image_starts_the_native_binary()
    {
        // QuickStart's pipeline without its cloud references: the image path is the same, the AOT compile far shorter.
        // PipelineSdk.Tests' NativeAotTests publish QuickStart whole (PipelineSdk.Gcp's own code trims cleanly).
        using var program = ProgramCopy.Of("QuickStart").WithoutCloudReferences();
        var progress = new ProgressLines();
        var image = await Publisher().PublishAsync(new ImagePublishRequest(program.ProjectPath, $"{Registry.Host}/aot", BaseImageReference, NativeAot: true), progress, CancellationToken.None);
        TestContext.Out.WriteLine(progress);

        using var published = await RegistryImage.ReadAsync(Registry, "aot/quickstart", image.Tag);
        Assert.That(published.Config.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "/app/QuickStart" }), "what the spec's executors run under PublishAot");
        var root = Directory.CreateTempSubdirectory("psdk-image-aot-").FullName;
        try
        {
            await published.UnpackAsync(root, [published.LayerDigests[^1]]);
            Assert.That(File.Exists(Path.Combine(root, "app", "QuickStart.dll")), Is.False, "a native binary, no IL");
            var output = Path.Combine(root, "out");
            var result = await ProcessResult.RunAsync(Path.Combine(root, "app", "QuickStart"), StepArguments(output + "/executor_output.json"));

            Assert.That(result.Exit, Is.EqualTo(0), result.Output + result.Error);
            Assert.That(File.ReadAllText(Path.Combine(output, "executor_output.json")), Does.Contain("\"Output\": 6"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }

        var again = await Publisher().PublishAsync(new ImagePublishRequest(program.ProjectPath, $"{Registry.Host}/aot", BaseImageReference, NativeAot: true), null, CancellationToken.None);
        Assert.That(again, Is.EqualTo(image with { Reused = true }), "the native build is deterministic too");
    }

    [Test]
    public void A_failed_push_is_one_line_with_the_SDKs_error()
    {
        var progress = new ProgressLines();

        var error = Assert.ThrowsAsync<StackException>(() => Publisher().PublishAsync(
            new ImagePublishRequest(QuickStart.ProjectPath, $"{Registry.Host}/missing-base", $"{Registry.Host}/base/nothing:1.0", NativeAot: false), progress, CancellationToken.None));

        Assert.That(error!.Message, Does.Match($"^publishing {Registry.Host}/missing-base/quickstart:[0-9a-f]{{16}} failed: error CONTAINER[0-9]+: .+$"));
        Assert.That(error.Message, Does.Not.Contain("\n"));
        Assert.That(progress.Lines, Has.Some.StartsWith("Publishing "), "the build went through; the push failed");
    }

    [Test]
    public void A_build_error_is_one_line_with_the_compilers_error()
    {
        using var broken = ProgramCopy.Of("QuickStart");
        broken.Edit("QuickStart.cs", "GetFirstNum() => 10;", "GetFirstNum() => ten;");

        var error = Assert.ThrowsAsync<StackException>(() => Publisher().PublishAsync(new ImagePublishRequest(broken.ProjectPath, $"{Registry.Host}/broken", BaseImageReference, NativeAot: false), null, CancellationToken.None));

        Assert.That(error!.Message, Does.Match(
            $"^building QuickStart.csproj failed: {Regex.Escape(Path.Combine(broken.Directory, "QuickStart.cs"))}\\([0-9]+,[0-9]+\\): error CS0103: The name 'ten' does not exist in the current context; fix it and publish again$"));
    }

    [Test]
    public void An_unreachable_registry_fails_before_building()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var progress = new ProgressLines();

        var error = Assert.ThrowsAsync<StackException>(() => Publisher().PublishAsync(new ImagePublishRequest(QuickStart.ProjectPath, $"127.0.0.1:{port}/team", BaseImageReference, NativeAot: false), progress, CancellationToken.None));

        Assert.That(error!.Message, Does.Match($"^the container registry 127.0.0.1:{port} is unreachable \\(Connection refused.*\\); check the container registry's uri and that the registry is running$"));
        Assert.That(progress.Lines, Has.None.StartsWith("Building"));
    }

    [TestCase("not a uri", "the container registry uri 'not a uri' is not host[:port]/repository, like registry.example.com:5000/team or europe-west1-docker.pkg.dev/my-project/repo")]
    [TestCase("registry.example.com/Upper", "the container registry uri 'registry.example.com/Upper' is not host[:port]/repository, like registry.example.com:5000/team or europe-west1-docker.pkg.dev/my-project/repo")]
    public void A_malformed_registry_uri_says_what_is_expected(string uri, string expected)
    {
        var error = Assert.ThrowsAsync<StackException>(() => Publisher().PublishAsync(new ImagePublishRequest(QuickStart.ProjectPath, uri, null, NativeAot: false), null, CancellationToken.None));

        Assert.That(error!.Message, Is.EqualTo(expected));
    }

    private static string[] StepArguments(string outputFile) =>
    [
        "step", "--pipeline", "vertex-example-pipeline", "--step", "subtract-numbers", "--executor-input",
        $$$"""{"inputs": {"parameterValues": {"firstNum": 10, "randomNum": 4}}, "outputs": {"outputFile": "{{{outputFile}}}"}}""",
    ];
}
