using PipelineSdk.Orchestration;
using PipelineSdk.Stacks;
using PipelineSdk.Store;

namespace PipelineSdk.Kubeflow.Tests;

/// <summary>
/// The sample of docs/kubeflow.md "Other orchestrators": what a third-party package does to add an orchestrator flavor, as
/// PipelineSdk.Kubeflow does for <c>kubeflow</c>. Its <c>Register()</c> would run at start-up through
/// <c>[assembly: PipelineSdkExtension(typeof(SampleStackComponents))]</c>; here the test calls it.
/// </summary>
public class ThirdPartyOrchestratorSample
{
    [Test]
    public void A_package_adds_a_flavor_whose_components_are_validated_stored_and_created()
    {
        SampleStackComponents.Register();
        var directory = Directory.CreateTempSubdirectory("psdk-plugin-").FullName;
        try
        {
            using var store = MetadataStore.Open(directory);

            var missing = Assert.Throws<StackException>(() => store.RegisterComponent(new Component(ComponentType.Orchestrator, "q", "queue", new Dictionary<string, string>())))!;
            Assert.That(missing.Message, Does.Contain("the queue orchestrator needs --url (the queue's URL)"));

            store.RegisterComponent(new Component(ComponentType.Orchestrator, "q", "queue", new Dictionary<string, string> { ["url"] = "https://queue.example.com" }));
            var component = store.GetComponent(ComponentType.Orchestrator, "q");

            Assert.That(RemoteOrchestrators.Create(component), Is.InstanceOf<QueueOrchestrator>());
            Assert.That(Flavors.Of(ComponentType.Orchestrator).Select(f => f.Name), Does.Contain("queue").And.Contain("kubeflow"));
            Assert.Throws<ArgumentException>(() => Flavors.Register(new FlavorDefinition(ComponentType.Orchestrator, "kubeflow", "a clash", [])));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The package's start-up: its flavor and how to make its orchestrator.</summary>
    private static class SampleStackComponents
    {
        public static void Register()
        {
            Flavors.Register(new FlavorDefinition(ComponentType.Orchestrator, "queue", "Sends each run to a work queue.",
            [
                new SettingDefinition("url", SettingKind.String, true, null, "the queue's URL", v => v.StartsWith("https://", StringComparison.Ordinal) ? null : "must be an https:// URL"),
            ]));
            RemoteOrchestrators.Register("queue", component => new QueueOrchestrator(component));
        }
    }

    /// <summary>A remote orchestrator: submit, then follow with <see cref="RemoteRunFollowing"/> as the built-in ones do.</summary>
    private sealed class QueueOrchestrator(Component component) : IRemoteOrchestrator
    {
        public Task<PipelineRunResult> RunAsync(RemoteRun run, CancellationToken cancellationToken) =>
            throw new StackException($"the sample queue at {component.Setting("url")} takes no runs");
    }
}
