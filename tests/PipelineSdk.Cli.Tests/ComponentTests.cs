using System.Text.Json;

namespace PipelineSdk.Cli.Tests;

public class ComponentTests
{
    [Test]
    public async Task Register_list_describe_update_and_delete_a_component()
    {
        using var workspace = new Workspace();
        await workspace.Ok("init");

        Assert.That(await workspace.Ok("orchestrator", "register", "vertex_orch", "--flavor=vertex", "--project=my-project", "--location=europe-west1"),
            Is.EqualTo("Registered vertex orchestrator 'vertex_orch'.\n"));
        using (var list = JsonDocument.Parse(await workspace.Ok("orchestrator", "list", "--output", "json")))
        {
            Assert.That(list.RootElement.EnumerateArray().Select(c => c.GetProperty("name").GetString()), Is.EqualTo(new[] { "default", "vertex_orch" }));
            Assert.That(list.RootElement.EnumerateArray().Select(c => c.GetProperty("active").GetBoolean()), Is.EqualTo(new[] { true, false }));
        }

        await workspace.Ok("orchestrator", "update", "vertex_orch", "--location=us-central1", "--labels=team=ml,env=dev");
        using (var describe = JsonDocument.Parse(await workspace.Ok("orchestrator", "describe", "vertex_orch", "--output", "json")))
        {
            var settings = describe.RootElement.GetProperty("settings");
            Assert.That(settings.GetProperty("location").GetString(), Is.EqualTo("us-central1"));
            Assert.That(settings.GetProperty("project").GetString(), Is.EqualTo("my-project"), "update keeps settings it was not given");
            Assert.That(settings.GetProperty("labels").GetString(), Is.EqualTo("team=ml,env=dev"));
            Assert.That(settings.GetProperty("synchronous").GetString(), Is.EqualTo("true"), "defaults are shown");
        }

        Assert.That(await workspace.Ok("orchestrator", "describe", "vertex_orch"), Does.Contain("failure_policy").And.Contain("slow").And.Contain("default"));
        await workspace.Ok("orchestrator", "delete", "vertex_orch");
        Assert.That(await workspace.Fails("orchestrator", "describe", "vertex_orch"), Is.EqualTo("error: no orchestrator named 'vertex_orch'; registered: 'default' (see `pipelines orchestrator list`)"));
    }

    [Test]
    public async Task Help_lists_each_flavors_settings()
    {
        using var workspace = new Workspace();

        var help = await workspace.Ok("orchestrator", "register", "--help");
        var flavors = await workspace.Ok("orchestrator", "flavors");

        Assert.That(help, Does.Contain("--workload_service_account").And.Contain("[vertex]").And.Contain("--location").And.Contain("vertex, required"));
        Assert.That(flavors, Does.Contain("local-process").And.Contain("--encryption_key").And.Contain("slow"));
    }

    [TestCase("artifact-store register a --flavor=gcp --path=my-bucket", "error: --path=my-bucket: must be a Cloud Storage path like gs://my-bucket or gs://my-bucket/prefix")]
    [TestCase("artifact-store register a --flavor=gcp", "error: the gcp artifact-store needs --path (the bucket and optional prefix, gs://bucket/prefix)")]
    [TestCase("artifact-store register a --flavor=azure --path=az://x", "error: the artifact-store has no flavor 'azure'; use one of local, gcp, s3")]
    [TestCase("artifact-store register a --flavor=s3 --path=s3://x", "error: --path=s3://x: must be a bucket path like minio://mlpipeline/v2/artifacts or s3://my-bucket/prefix")]
    [TestCase("orchestrator register k --flavor=kubeflow --host=http://localhost:8080 --namespace=Team_A", "error: --namespace=Team_A: must be a Kubernetes name: lower-case letters, digits and hyphens, at most 63")]
    [TestCase("artifact-store register a --flavor=local --path=relative/dir", "error: --path=relative/dir: must be an absolute path")]
    [TestCase("orchestrator register v --flavor=vertex --project=my-project --location=Europe", "error: --location=Europe: must be a region like europe-west1 or us-central1")]
    [TestCase("orchestrator register v --flavor=vertex --project=P --location=europe-west1", "error: --project=P: must be a Google Cloud project id: 6 to 30 lower-case letters, digits or hyphens, starting with a letter")]
    [TestCase("orchestrator register v --flavor=vertex --project=my-project --location=europe-west1 --workload_service_account=runner", "error: --workload_service_account=runner: must be a service account email like runner@my-project.iam.gserviceaccount.com")]
    [TestCase("orchestrator register v --flavor=vertex --project=my-project --location=europe-west1 --synchronous=maybe", "error: --synchronous=maybe: must be true or false")]
    [TestCase("orchestrator register v --flavor=vertex --project=my-project --location=europe-west1 --labels=oops", "error: --labels=oops: must be key=value pairs separated by commas")]
    [TestCase("orchestrator register v --flavor=local --project=my-project", "error: the local orchestrator has no setting 'project'; its settings are none")]
    [TestCase("orchestrator register default --flavor=local", "error: an orchestrator named 'default' exists; change it with `pipelines orchestrator update default` or pick another name")]
    [TestCase("orchestrator register bad/name --flavor=local", "error: 'bad/name' is not a valid name: use letters, digits, '_', '.', '-', starting with a letter or digit (at most 63 characters)")]
    [TestCase("orchestrator register v", "error: Option '--flavor' is required. (see --help)")]
    [TestCase("container-registry register r --flavor=gcp --uri=docker.io/me", "error: --uri=docker.io/me: must be a Google registry like eu.gcr.io/my-project/pipelines or europe-west1-docker.pkg.dev/my-project/repo")]
    [TestCase("container-registry register r --flavor=default --uri=localhost", "error: --uri=localhost: must be a registry host with a repository path, like registry.example.com:5000/team")]
    [TestCase("secrets-manager register s --flavor=gcp", "error: the gcp secrets-manager needs --project_id (the Google Cloud project id)")]
    [TestCase("orchestrator update nope --location=us-central1", "error: no orchestrator named 'nope'; registered: 'default' (see `pipelines orchestrator list`)")]
    [TestCase("orchestrator delete nope", "error: no orchestrator named 'nope'; registered: 'default' (see `pipelines orchestrator list`)")]
    [TestCase("orchestrator frobnicate", "error: Unrecognized command or argument 'frobnicate'. (see --help)")]
    [TestCase("orchestrator list --output yaml", "error: Argument 'yaml' not recognized. Must be one of:\n\t'table'\n\t'json' (see --help)")]
    public async Task Mistakes_are_one_line_errors_with_exit_code_2(string command, string expected)
    {
        using var workspace = new Workspace();
        await workspace.Ok("init");

        if (expected.Contains('\n', StringComparison.Ordinal))
        {
            var result = await workspace.Pipelines(command.Split(' '));
            Assert.That(result.Exit, Is.EqualTo(2));
            Assert.That(result.Error.TrimEnd('\n'), Is.EqualTo(expected));
            return;
        }

        Assert.That(await workspace.Fails(command.Split(' ')), Is.EqualTo(expected));
    }

    [Test]
    public async Task Registering_GCP_components_needs_no_credentials()
    {
        using var workspace = new Workspace();
        workspace.With("GOOGLE_APPLICATION_CREDENTIALS", Path.Combine(workspace.Root, "does-not-exist.json"));
        await workspace.Ok("init");

        await workspace.Ok("secrets-manager", "register", "gsm", "--flavor=gcp", "--project_id=my-project");
        await workspace.Ok("artifact-store", "register", "gcs", "--flavor=gcp", "--path=gs://my-bucket/prefix");
    }

    [Test]
    public async Task An_update_that_would_break_a_stack_is_refused()
    {
        using var workspace = new Workspace();
        await workspace.Ok("init");
        await workspace.Ok("orchestrator", "register", "lp", "--flavor=local-process");
        await workspace.Ok("artifact-store", "register", "files", "--flavor=local", "--path=/tmp/psdk-artifacts");
        await workspace.Ok("stack", "register", "local_stack", "-o", "lp", "-a", "files");

        Assert.That(await workspace.Fails("artifact-store", "update", "files", "--path=relative"), Is.EqualTo("error: --path=relative: must be an absolute path"));
    }
}
