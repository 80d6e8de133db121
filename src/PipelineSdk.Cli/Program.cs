using System.CommandLine;
using PipelineSdk.Cli.Commands;
using PipelineSdk.Gcp;
using PipelineSdk.Stacks;
using PipelineSdk.Store;
using Spectre.Console;

GcpStackComponents.Register();
PipelineSdk.Kubeflow.KubeflowStackComponents.Register();
var cli = new Cli(PipelineSdk.Hosting.TerminalOutput.Create(), Console.Error);
var root = new RootCommand("pipelines: stacks, components, secrets, runs and artifacts of PipelineSdk. The store is $PIPELINES_HOME, else the nearest .pipelines/ folder upwards, else your config folder.");

var init = new Command("init", "Creates a .pipelines/ store in the current folder; programs and this tool run below it use it.");
init.SetAction(cli.Handle(_ =>
{
    var directory = Path.Combine(Directory.GetCurrentDirectory(), StoreLocation.FolderName);
    var existed = Directory.Exists(directory);
    // The store programs here used until now: a new one takes over, and the runs recorded there stay there.
    var previous = existed || Environment.GetEnvironmentVariable(StoreLocation.HomeVariable) is { Length: > 0 } ? null : StoreLocation.Resolve();
    using var store = MetadataStore.Open(directory);
    cli.Line(existed ? $"A store already exists at {directory}." : $"Initialized a store at {directory} with the default stack.");
    if (previous is not null && File.Exists(Path.Combine(previous, MetadataStore.DatabaseFileName)))
    {
        cli.Line($"Programs and `pipelines` run in {Directory.GetCurrentDirectory()} or below now use it instead of {previous}; the runs, stacks and secrets recorded there stay there (see them with {StoreLocation.HomeVariable}={previous}).");
    }
    if (Environment.GetEnvironmentVariable(StoreLocation.HomeVariable) is { Length: > 0 } home)
    {
        cli.Error.WriteLine($"note: {StoreLocation.HomeVariable}={home} is set and takes precedence over this folder.");
    }
}));
root.Add(init);

foreach (var type in new[] { ComponentType.Orchestrator, ComponentType.ArtifactStore, ComponentType.ContainerRegistry, ComponentType.SecretsManager })
{
    root.Add(ComponentCommands.Create(cli, type));
}

root.Add(StackCommands.Create(cli));
root.Add(SecretCommands.Create(cli));
root.Add(RunCommands.Create(cli));
root.Add(ExperimentCommands.Create(cli));
root.Add(ArtifactCommands.Create(cli));
root.Add(RegistryCommands.Create(cli));
root.Add(ScheduleCommands.Create(cli));
root.Add(ServerCommands.Create(cli));
root.Add(DashboardCommand.Create(cli));
foreach (var command in ConnectCommands.Create(cli))
{
    root.Add(command);
}

var parsed = root.Parse(args);
if (PipelineSdk.Hosting.CommandLineErrors.FirstError(parsed) is { } parseError)
{
    Console.Error.WriteLine($"error: {parseError}");
    return Cli.UserError;
}

return await parsed.InvokeAsync();
