using System.CommandLine;
using PipelineSdk.Stacks;
using Spectre.Console;

namespace PipelineSdk.Cli.Commands;

/// <summary><c>pipelines stack register|list|describe|set|update|delete|copy</c>.</summary>
internal static class StackCommands
{
    private static readonly (ComponentType Type, string Short, string Long)[] ComponentOptions =
    [
        (ComponentType.ArtifactStore, "-a", "--artifact-store"),
        (ComponentType.Orchestrator, "-o", "--orchestrator"),
        (ComponentType.ContainerRegistry, "-c", "--container-registry"),
        (ComponentType.SecretsManager, "-x", "--secrets-manager"),
    ];

    public static Command Create(Cli cli)
    {
        var command = new Command("stack", "Combines components into stacks and chooses the active one.");
        command.Add(Register(cli));
        command.Add(List(cli));
        command.Add(Describe(cli));
        command.Add(Set(cli));
        command.Add(Update(cli));
        command.Add(Delete(cli));
        command.Add(Copy(cli));
        return command;
    }

    private static Dictionary<ComponentType, Option<string>> Options() =>
        ComponentOptions.ToDictionary(o => o.Type, o => new Option<string>(o.Long, o.Short) { Description = $"The {o.Type.CommandName()} (a registered name)." });

    private static Command Register(Cli cli)
    {
        var name = new Argument<string>("name") { Description = "The new stack's name." };
        var set = new Option<bool>("--set") { Description = "Makes it the active stack." };
        var components = Options();
        var command = new Command("register", "Registers a stack from registered components: an orchestrator and an artifact store at least.") { name, set };
        foreach (var option in components.Values)
        {
            command.Add(option);
        }

        command.SetAction(cli.Handle(result =>
        {
            var names = components.Where(o => result.GetValue(o.Value) is not null).ToDictionary(o => o.Key, o => result.GetValue(o.Value)!);
            using var store = Cli.OpenStore();
            var stack = store.RegisterStack(ComponentCommands.Naming(result.GetValue(name)!), names);
            cli.Line($"Registered stack '{stack.Name}'.");
            if (result.GetValue(set))
            {
                store.SetActiveStack(stack.Name);
                cli.Line($"Active stack: '{stack.Name}'.");
            }
        }));
        return command;
    }

    private static Command Update(Cli cli)
    {
        var name = new Argument<string>("name") { Description = "The stack to change." };
        var remove = new Option<string[]>("--remove") { Description = "Removes a component type from the stack: container-registry or secrets-manager (repeatable).", Arity = ArgumentArity.ZeroOrMore };
        var components = Options();
        var command = new Command("update", "Swaps components of a stack; the result is validated.") { name, remove };
        foreach (var option in components.Values)
        {
            command.Add(option);
        }

        command.SetAction(cli.Handle(result =>
        {
            var changes = components.Where(o => result.GetValue(o.Value) is not null).ToDictionary(o => o.Key, o => (string?)result.GetValue(o.Value));
            foreach (var type in result.GetValue(remove) ?? [])
            {
                changes[ComponentTypeNames.Parse(type) ?? throw new CliException($"--remove {type}: not a component type; use {string.Join(", ", ComponentTypeNames.All.Select(t => t.CommandName()))}")] = null;
            }

            if (changes.Count == 0)
            {
                throw new CliException("nothing to change; give -a, -o, -c, -x or --remove");
            }

            using var store = Cli.OpenStore();
            store.UpdateStack(result.GetValue(name)!, changes);
            cli.Line($"Updated stack '{result.GetValue(name)}'.");
        }));
        return command;
    }

    private static Command List(Cli cli)
    {
        var output = Cli.OutputOption();
        var command = new Command("list", "Lists the stacks; the active one is marked.") { output };
        command.SetAction(cli.Handle(result =>
        {
            using var store = Cli.OpenStoreForReading();
            var active = ActiveOrNull(store);
            var stacks = store.ListStacks();
            if (Cli.Json(result, output))
            {
                cli.WriteJson(w =>
                {
                    w.WriteStartArray();
                    foreach (var stack in stacks)
                    {
                        WriteStack(w, stack, stack.Name == active);
                    }

                    w.WriteEndArray();
                });
                return;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumn("ACTIVE").AddColumn("STACK");
            foreach (var type in ComponentTypeNames.All)
            {
                table.AddColumn(type.TableName());
            }

            foreach (var stack in stacks)
            {
                table.AddRow([stack.Name == active ? "*" : "", Markup.Escape(stack.Name), .. ComponentTypeNames.All.Select(t => Markup.Escape(stack.Get(t)?.Name ?? ""))]);
            }

            cli.Console.Write(table);
        }));
        return command;
    }

    private static Command Describe(Cli cli)
    {
        var name = new Argument<string?>("name") { Description = "The stack (default: the active one).", Arity = ArgumentArity.ZeroOrOne };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Adds each component's flavor and settings." };
        var output = Cli.OutputOption();
        var command = new Command("describe", "Shows a stack's components.") { name, verbose, output };
        command.SetAction(cli.Handle(result =>
        {
            using var store = Cli.OpenStoreForReading();
            var stack = result.GetValue(name) is { } requested ? store.GetStack(requested) : StackSelection.Resolve(store, null).Stack;
            var isActive = stack.Name == ActiveOrNull(store);
            if (Cli.Json(result, output))
            {
                cli.WriteJson(w => WriteStack(w, stack, isActive));
                return;
            }

            // The table of the ZenML tutorial: heavy edges, a row per component, the stack's name underneath.
            var table = new Table().Border(TableBorder.HeavyEdge).ShowRowSeparators()
                .Title("Stack Configuration", Style.Plain)
                .Caption($"'{Markup.Escape(stack.Name)}' stack{(isActive ? " (ACTIVE)" : "")}", Style.Plain)
                .AddColumn("COMPONENT_TYPE").AddColumn("COMPONENT_NAME");
            if (result.GetValue(verbose))
            {
                table.AddColumn("FLAVOR").AddColumn("SETTINGS");
            }

            foreach (var type in ComponentTypeNames.All)
            {
                if (stack.Get(type) is not { } component)
                {
                    continue;
                }

                if (result.GetValue(verbose))
                {
                    table.AddRow(type.TableName(), Markup.Escape(component.Name), component.Flavor, Markup.Escape(ComponentCommands.SettingsText(component)));
                }
                else
                {
                    table.AddRow(type.TableName(), Markup.Escape(component.Name));
                }
            }

            cli.Console.Write(table);
        }));
        return command;
    }

    private static Command Set(Cli cli)
    {
        var name = new Argument<string>("name") { Description = "The stack to activate." };
        var command = new Command("set", "Makes a stack the active one for this store (programs and the CLI).") { name };
        command.SetAction(cli.Handle(result =>
        {
            using var store = Cli.OpenStore();
            store.SetActiveStack(result.GetValue(name)!);
            cli.Line($"Active stack: '{result.GetValue(name)}'.");
            if (Environment.GetEnvironmentVariable(StackSelection.Variable) is { Length: > 0 } overriding && overriding != result.GetValue(name))
            {
                cli.Error.WriteLine($"note: {StackSelection.Variable}={overriding} is set in this environment and takes precedence.");
            }
        }));
        return command;
    }

    private static Command Delete(Cli cli)
    {
        var name = new Argument<string>("name") { Description = "The stack to delete (its components stay)." };
        var command = new Command("delete", "Deletes a stack; not the default one or the active one.") { name };
        command.SetAction(cli.Handle(result =>
        {
            using var store = Cli.OpenStore();
            store.DeleteStack(result.GetValue(name)!);
            cli.Line($"Deleted stack '{result.GetValue(name)}'.");
        }));
        return command;
    }

    private static Command Copy(Cli cli)
    {
        var source = new Argument<string>("source") { Description = "The stack to copy." };
        var target = new Argument<string>("target") { Description = "The new stack's name." };
        var command = new Command("copy", "Copies a stack under a new name.") { source, target };
        command.SetAction(cli.Handle(result =>
        {
            using var store = Cli.OpenStore();
            var copy = store.CopyStack(result.GetValue(source)!, ComponentCommands.Naming(result.GetValue(target)!));
            cli.Line($"Copied stack '{result.GetValue(source)}' to '{copy.Name}'.");
        }));
        return command;
    }

    /// <summary>The active stack's name, or null when the selection names a stack that does not exist.</summary>
    private static string? ActiveOrNull(Store.MetadataStore store)
    {
        try
        {
            return StackSelection.Resolve(store, null).Stack.Name;
        }
        catch (StackException)
        {
            return null;
        }
    }

    private static void WriteStack(System.Text.Json.Utf8JsonWriter w, Stack stack, bool active)
    {
        w.WriteStartObject();
        w.WriteString("name", stack.Name);
        w.WriteBoolean("active", active);
        w.WriteStartObject("components");
        foreach (var type in ComponentTypeNames.All)
        {
            if (stack.Get(type) is { } component)
            {
                w.WritePropertyName(type.CommandName());
                ComponentCommands.WriteComponent(w, component, active: null);
            }
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }
}
