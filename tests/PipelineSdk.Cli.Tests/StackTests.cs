using System.Text.Json;

namespace PipelineSdk.Cli.Tests;

public class StackTests
{
    private static async Task<Workspace> WithLocalComponents()
    {
        var workspace = new Workspace();
        await workspace.Ok("init");
        await workspace.Ok("orchestrator", "register", "lp", "--flavor=local-process");
        await workspace.Ok("artifact-store", "register", "gcs", "--flavor=gcp", "--path=gs://my-bucket");
        await workspace.Ok("container-registry", "register", "reg", "--flavor=default", "--uri=127.0.0.1:5000/team");
        await workspace.Ok("secrets-manager", "register", "secrets", "--flavor=local");
        await workspace.Ok("orchestrator", "register", "vertex_orch", "--flavor=vertex", "--project=my-project", "--location=europe-west1");
        return workspace;
    }

    [Test]
    public async Task Register_set_update_copy_and_delete_stacks()
    {
        using var workspace = await WithLocalComponents();

        await workspace.Ok("stack", "register", "dev", "-o", "lp", "-a", "default");
        await workspace.Ok("stack", "set", "dev");
        await workspace.Ok("stack", "update", "dev", "-x", "secrets");
        await workspace.Ok("stack", "copy", "dev", "dev_copy");
        await workspace.Ok("stack", "update", "dev_copy", "--remove", "secrets-manager", "-o", "default");

        using (var list = JsonDocument.Parse(await workspace.Ok("stack", "list", "--output", "json")))
        {
            var stacks = list.RootElement.EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!);
            Assert.That(stacks.Keys, Is.EqualTo(new[] { "default", "dev", "dev_copy" }));
            Assert.That(stacks["dev"].GetProperty("active").GetBoolean(), Is.True);
            Assert.That(stacks["dev"].GetProperty("components").GetProperty("secrets-manager").GetProperty("name").GetString(), Is.EqualTo("secrets"));
            Assert.That(stacks["dev_copy"].GetProperty("components").TryGetProperty("secrets-manager", out _), Is.False);
            Assert.That(stacks["dev_copy"].GetProperty("components").GetProperty("orchestrator").GetProperty("name").GetString(), Is.EqualTo("default"));
        }

        Assert.That(await workspace.Fails("stack", "delete", "dev"), Is.EqualTo("error: stack 'dev' is active; activate another first with `pipelines stack set default`"));
        await workspace.Ok("stack", "delete", "dev_copy");
        Assert.That(await workspace.Ok("stack", "describe", "dev", "-v"), Does.Contain("local-process").And.Contain("'dev' stack (ACTIVE)"));
        Assert.That(await workspace.Ok("stack", "describe", "default"), Does.Contain("'default' stack").And.Not.Contain("ACTIVE"));
    }

    [TestCase("stack register v -o vertex_orch -a default -c reg", "error: stack 'v': the vertex orchestrator 'vertex_orch' needs a gcp artifact store, and 'default' is local; register one with `pipelines artifact-store register NAME --flavor=gcp --path=gs://BUCKET`")]
    [TestCase("stack register v -o vertex_orch -a gcs", "error: stack 'v': the vertex orchestrator 'vertex_orch' needs a container registry for its images (-c NAME)")]
    [TestCase("stack register v -a gcs", "error: stack 'v': a stack needs an orchestrator (-o NAME)")]
    [TestCase("stack register v -o lp", "error: stack 'v': a stack needs an artifact store (-a NAME)")]
    [TestCase("stack register v -o lp -a gcs", "error: stack 'v': the local-process orchestrator 'lp' runs on this machine and needs a local artifact store, and 'gcs' is gcp")]
    [TestCase("stack register v -o nope -a default", "error: no orchestrator named 'nope'; registered: 'default', 'lp', 'vertex_orch' (see `pipelines orchestrator list`)")]
    [TestCase("stack register default -o lp -a default", "error: a stack named 'default' exists; change it with `pipelines stack update default` or pick another name")]
    [TestCase("stack set nope", "error: no stack named 'nope'; stacks: 'default' (see `pipelines stack list`)")]
    [TestCase("stack describe nope", "error: no stack named 'nope'; stacks: 'default' (see `pipelines stack list`)")]
    [TestCase("stack update default -o vertex_orch", "error: stack 'default': the vertex orchestrator 'vertex_orch' needs a gcp artifact store, and 'default' is local; register one with `pipelines artifact-store register NAME --flavor=gcp --path=gs://BUCKET`")]
    [TestCase("stack update default", "error: nothing to change; give -a, -o, -c, -x or --remove")]
    [TestCase("stack update default --remove orchestrator", "error: stack 'default': a stack needs an orchestrator (-o NAME)")]
    [TestCase("stack update default --remove engine", "error: --remove engine: not a component type; use artifact-store, container-registry, orchestrator, secrets-manager")]
    [TestCase("stack copy nope other", "error: no stack named 'nope'; stacks: 'default' (see `pipelines stack list`)")]
    [TestCase("stack copy default default", "error: a stack named 'default' exists; change it with `pipelines stack update default` or pick another name")]
    [TestCase("stack delete nope", "error: no stack named 'nope'; stacks: 'default' (see `pipelines stack list`)")]
    [TestCase("artifact-store delete gcs --force", "error: Unrecognized command or argument '--force'. (see --help)")]
    public async Task Invalid_stacks_are_refused_with_what_is_missing(string command, string expected)
    {
        using var workspace = await WithLocalComponents();

        Assert.That(await workspace.Fails(command.Split(' ')), Is.EqualTo(expected));
    }

    [TestCase("local")]
    [TestCase("local-process")]
    public async Task A_local_orchestrator_refuses_a_stack_whose_artifacts_are_in_the_cloud(string orchestrator)
    {
        using var workspace = await WithLocalComponents();
        await workspace.Ok("stack", "register", "v", "-o", "vertex_orch", "-a", "gcs", "-c", "reg", "--set");

        var program = await workspace.Example("QuickStart", "--orchestrator", orchestrator);

        Assert.That(Workspace.OneLineError(program, 2, "QuickStart"), Is.EqualTo(
            $"error: --orchestrator {orchestrator} runs steps on this machine and needs a local artifact store, and stack 'v' keeps artifacts in its gcp store 'gcs'; run it on a local stack with --stack default"));
        Assert.That(Directory.Exists(Path.Combine(workspace.Folder, "gs:")), Is.False, "no folder named after the bucket is made");
    }

    [Test]
    public async Task A_component_in_use_cannot_be_deleted()
    {
        using var workspace = await WithLocalComponents();
        await workspace.Ok("stack", "register", "dev", "-o", "lp", "-a", "default");

        Assert.That(await workspace.Fails("orchestrator", "delete", "lp"), Is.EqualTo("error: the orchestrator 'lp' is used by stack 'dev'; remove it from that stack first"));
        await workspace.Ok("stack", "delete", "dev");
        await workspace.Ok("orchestrator", "delete", "lp");
    }
}
