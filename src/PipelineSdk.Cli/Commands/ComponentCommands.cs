using System.CommandLine;
using PipelineSdk.Stacks;
using Spectre.Console;

namespace PipelineSdk.Cli.Commands;

/// <summary>
/// <c>pipelines &lt;type&gt; register|list|describe|update|delete</c> for orchestrators, artifact stores,
/// container registries and secrets managers. Each flavor's settings are options (<c>--project=...</c>),
/// listed with their flavor in <c>--help</c>.
/// </summary>
internal static class ComponentCommands
{
    public static Command Create(Cli cli, ComponentType type)
    {
        var command = new Command(type.CommandName(), $"Registers and inspects {Plural(type)} ({string.Join(", ", Flavors.Of(type).Select(f => f.Name))}).");
        command.Add(Register(cli, type));
        command.Add(List(cli, type));
        command.Add(Describe(cli, type));
        command.Add(Update(cli, type));
        command.Add(Delete(cli, type));
        command.Add(FlavorList(cli, type));
        return command;
    }

    private static Command Register(Cli cli, ComponentType type)
    {
        var name = new Argument<string>("name") { Description = $"The new {type.CommandName()}'s name." };
        var flavor = new Option<string>("--flavor") { Description = "The flavor: " + string.Join("; ", Flavors.Of(type).Select(f => $"{f.Name}: {f.Description}")), Required = true };
        var settings = SettingOptions(type);
        var command = new Command("register", $"Registers a {type.CommandName()}.") { name, flavor };
        foreach (var option in settings.Values)
        {
            command.Add(option);
        }

        command.SetAction(cli.Handle(result =>
        {
            var component = new Component(type, Naming(result.GetValue(name)!), result.GetValue(flavor)!, Given(result, settings));
            using var store = Cli.OpenStore();
            store.RegisterComponent(component);
            cli.Line($"Registered {component.Flavor} {type.CommandName()} '{component.Name}'.");
        }));
        return command;
    }

    private static Command Update(Cli cli, ComponentType type)
    {
        var name = new Argument<string>("name") { Description = $"The {type.CommandName()} to change." };
        var settings = SettingOptions(type);
        var command = new Command("update", $"Changes settings of a {type.CommandName()}; settings not given keep their values.") { name };
        foreach (var option in settings.Values)
        {
            command.Add(option);
        }

        command.SetAction(cli.Handle(result =>
        {
            using var store = Cli.OpenStore();
            var existing = store.GetComponent(type, result.GetValue(name)!);
            var merged = new Dictionary<string, string>(existing.Settings, StringComparer.Ordinal);
            foreach (var (key, value) in Given(result, settings))
            {
                merged[key] = value;
            }

            store.UpdateComponent(existing with { Settings = merged });
            cli.Line($"Updated {type.CommandName()} '{existing.Name}'.");
        }));
        return command;
    }

    private static Command List(Cli cli, ComponentType type)
    {
        var output = Cli.OutputOption();
        var command = new Command("list", $"Lists the registered {Plural(type)}.") { output };
        command.SetAction(cli.Handle(result =>
        {
            using var store = Cli.OpenStore();
            var components = store.ListComponents(type);
            var active = StackSelection.Resolve(store, null).Stack.Get(type)?.Name;
            if (Cli.Json(result, output))
            {
                cli.WriteJson(w =>
                {
                    w.WriteStartArray();
                    foreach (var component in components)
                    {
                        WriteComponent(w, component, component.Name == active);
                    }

                    w.WriteEndArray();
                });
                return;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumn("ACTIVE").AddColumn("NAME").AddColumn("FLAVOR").AddColumn("SETTINGS");
            foreach (var component in components)
            {
                table.AddRow(component.Name == active ? "*" : "", Markup.Escape(component.Name), component.Flavor, Markup.Escape(SettingsText(component)));
            }

            cli.Console.Write(table);
        }));
        return command;
    }

    private static Command Describe(Cli cli, ComponentType type)
    {
        var name = new Argument<string>("name") { Description = $"The {type.CommandName()} to show." };
        var output = Cli.OutputOption();
        var command = new Command("describe", $"Shows a {type.CommandName()}'s flavor and every setting, with defaults.") { name, output };
        command.SetAction(cli.Handle(result =>
        {
            using var store = Cli.OpenStore();
            var component = store.GetComponent(type, result.GetValue(name)!);
            if (Cli.Json(result, output))
            {
                cli.WriteJson(w => WriteComponent(w, component, active: null));
                return;
            }

            var table = new Table().Border(TableBorder.Rounded).Title($"{type.TableName()} '{Markup.Escape(component.Name)}' ({component.Flavor})")
                .AddColumn("SETTING").AddColumn("VALUE").AddColumn("");
            foreach (var setting in component.Definition.Settings)
            {
                var given = component.Settings.TryGetValue(setting.Name, out var value);
                table.AddRow(setting.Name, Markup.Escape(given ? value! : setting.Default ?? "-"), given ? "" : setting.Default is null ? "not set" : "default");
            }

            cli.Console.Write(table);
        }));
        return command;
    }

    private static Command Delete(Cli cli, ComponentType type)
    {
        var name = new Argument<string>("name") { Description = $"The {type.CommandName()} to delete." };
        var command = new Command("delete", $"Deletes a {type.CommandName()} that no stack uses.") { name };
        command.SetAction(cli.Handle(result =>
        {
            using var store = Cli.OpenStore();
            store.DeleteComponent(type, result.GetValue(name)!);
            cli.Line($"Deleted {type.CommandName()} '{result.GetValue(name)}'.");
        }));
        return command;
    }

    private static Command FlavorList(Cli cli, ComponentType type)
    {
        var command = new Command("flavors", $"Lists the flavors of {type.CommandName()} and their settings.");
        command.SetAction(cli.Handle(_ =>
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumn("FLAVOR").AddColumn("SETTING").AddColumn("REQUIRED").AddColumn("DEFAULT").AddColumn("DESCRIPTION");
            foreach (var flavor in Flavors.Of(type))
            {
                table.AddRow(flavor.Name, "", "", "", Markup.Escape(flavor.Description));
                foreach (var setting in flavor.Settings)
                {
                    table.AddRow("", "--" + setting.Name, setting.Required ? "yes" : "", setting.Default ?? "", Markup.Escape(setting.Description));
                }
            }

            cli.Console.Write(table);
        }));
        return command;
    }

    /// <summary>One option per setting name across the type's flavors; the help says which flavors take it.</summary>
    private static Dictionary<string, Option<string>> SettingOptions(ComponentType type) =>
        Flavors.Of(type)
            .SelectMany(f => f.Settings.Select(s => (Flavor: f.Name, Setting: s)))
            .GroupBy(x => x.Setting.Name)
            .ToDictionary(g => g.Key, g => new Option<string>("--" + g.Key)
            {
                Description = string.Join(" ", g.Select(x => $"[{x.Flavor}{(x.Setting.Required ? ", required" : "")}{(x.Setting.Default is null ? "" : $", default {x.Setting.Default}")}] {x.Setting.Description}.")),
            });

    private static Dictionary<string, string> Given(ParseResult result, Dictionary<string, Option<string>> options) =>
        options.Where(o => result.GetResult(o.Value) is not null).ToDictionary(o => o.Key, o => result.GetValue(o.Value) ?? "", StringComparer.Ordinal);

    internal static string Naming(string name) =>
        System.Text.RegularExpressions.Regex.IsMatch(name, "^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
            ? name
            : throw new CliException($"'{name}' is not a valid name: use letters, digits, '_', '.', '-', starting with a letter or digit (at most 63 characters)");

    internal static string SettingsText(Component component) =>
        string.Join(", ", component.Settings.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}={s.Value}"));

    internal static void WriteComponent(System.Text.Json.Utf8JsonWriter w, Component component, bool? active)
    {
        w.WriteStartObject();
        w.WriteString("type", component.Type.CommandName());
        w.WriteString("name", component.Name);
        w.WriteString("flavor", component.Flavor);
        if (active is not null)
        {
            w.WriteBoolean("active", active.Value);
        }

        w.WriteStartObject("settings");
        foreach (var setting in component.Definition.Settings)
        {
            if (component.Settings.TryGetValue(setting.Name, out var value))
            {
                w.WriteString(setting.Name, value);
            }
            else if (setting.Default is not null)
            {
                w.WriteString(setting.Name, setting.Default);
            }
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static string Plural(ComponentType type) => type.CommandName().Replace('-', ' ') + "s";
}
