using System.Text.Json;

namespace PipelineSdk.Cli.Tests;

/// <summary>The ZenML tutorial's stack commands, verbatim but for the tool's name.</summary>
public class TutorialTests
{
    [Test]
    public async Task The_tutorial_sequence_works_verbatim_and_describe_prints_its_table()
    {
        using var workspace = new Workspace();

        Assert.That(await workspace.Ok("init"), Does.Contain($"Initialized a store at {workspace.Store}"));
        await workspace.Ok("artifact-store", "register", "gcp_artifact_store", "--flavor=gcp", "--path=gs://my-bucket");
        await workspace.Ok("container-registry", "register", "gcp_registry", "--flavor=gcp", "--uri=eu.gcr.io/my-project/pipelines");
        await workspace.Ok("secrets-manager", "register", "gcp_secrets_manager", "--flavor=gcp", "--project_id=my-project");
        await workspace.Ok("orchestrator", "register", "vertex_orch", "--flavor=vertex", "--project=my-project", "--location=europe-west1", "--workload_service_account=runner@my-project.iam.gserviceaccount.com");
        await workspace.Ok("stack", "register", "gcp_vertex_stack", "-a", "gcp_artifact_store", "-o", "vertex_orch", "-c", "gcp_registry", "-x", "gcp_secrets_manager", "--set");
        var describe = await workspace.Ok("stack", "describe");

        Assert.That(describe.TrimEnd(), Is.EqualTo("""
                        Stack Configuration             
            ┏━━━━━━━━━━━━━━━━━━━━┯━━━━━━━━━━━━━━━━━━━━━┓
            ┃ COMPONENT_TYPE     │ COMPONENT_NAME      ┃
            ┠────────────────────┼─────────────────────┨
            ┃ ARTIFACT_STORE     │ gcp_artifact_store  ┃
            ┠────────────────────┼─────────────────────┨
            ┃ CONTAINER_REGISTRY │ gcp_registry        ┃
            ┠────────────────────┼─────────────────────┨
            ┃ ORCHESTRATOR       │ vertex_orch         ┃
            ┠────────────────────┼─────────────────────┨
            ┃ SECRETS_MANAGER    │ gcp_secrets_manager ┃
            ┗━━━━━━━━━━━━━━━━━━━━┷━━━━━━━━━━━━━━━━━━━━━┛
                 'gcp_vertex_stack' stack (ACTIVE)
            """));
        Assert.That(Directory.Exists(workspace.Store), Is.True);
    }

    [Test]
    public async Task A_fresh_store_has_the_default_stack_which_cannot_be_deleted()
    {
        using var workspace = new Workspace();
        await workspace.Ok("init");

        var describe = await workspace.Ok("stack", "describe", "--output", "json");
        using var json = JsonDocument.Parse(describe);
        Assert.That(json.RootElement.GetProperty("name").GetString(), Is.EqualTo("default"));
        Assert.That(json.RootElement.GetProperty("active").GetBoolean(), Is.True);
        var components = json.RootElement.GetProperty("components");
        Assert.That(components.GetProperty("orchestrator").GetProperty("flavor").GetString(), Is.EqualTo("local"));
        Assert.That(components.GetProperty("artifact-store").GetProperty("flavor").GetString(), Is.EqualTo("local"));
        Assert.That(await workspace.Fails("stack", "delete", "default"), Is.EqualTo("error: the default stack cannot be deleted"));
        Assert.That(await workspace.Fails("orchestrator", "delete", "default"), Is.EqualTo("error: the orchestrator 'default' is used by stack 'default'; remove it from that stack first"));
    }

    [Test]
    public async Task Init_twice_keeps_the_store_and_says_so()
    {
        using var workspace = new Workspace();
        await workspace.Ok("init");
        await workspace.Ok("orchestrator", "register", "lp", "--flavor=local-process");

        Assert.That(await workspace.Ok("init"), Does.Contain("A store already exists"));
        Assert.That(await workspace.Ok("orchestrator", "list"), Does.Contain("lp"));
    }
}
