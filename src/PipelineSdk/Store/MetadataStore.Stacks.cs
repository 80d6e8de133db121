using System.Text.Json;
using PipelineSdk.Stacks;

namespace PipelineSdk.Store;

// Stacks and components live in the same database as runs, so the CLI and programs always agree.
public sealed partial class MetadataStore
{
    private const string ActiveStackKey = "active_stack";

    /// <summary>Registers a component.</summary>
    /// <exception cref="StackException">One of that type and name exists, or the flavor or settings are invalid.</exception>
    public void RegisterComponent(Component component)
    {
        Validate(component);
        lock (_gate)
        {
            if (FindComponent(component.Type, component.Name) is not null)
            {
                throw new StackException($"{component.Type.WithArticle()} named '{component.Name}' exists; change it with `pipelines {component.Type.CommandName()} update {component.Name}` or pick another name");
            }

            Execute(_connection, "INSERT INTO components (type, name, flavor, settings, created_at) VALUES ($type, $name, $flavor, $settings, $created);",
                ("$type", component.Type.CommandName()), ("$name", component.Name), ("$flavor", component.Flavor),
                ("$settings", SettingsJson(component.Settings)), ("$created", Format(DateTimeOffset.UtcNow)));
        }
    }

    /// <summary>Replaces a component's settings; checks every stack that uses it.</summary>
    /// <exception cref="StackException">It does not exist, or the new settings are invalid for it or its stacks.</exception>
    public void UpdateComponent(Component component)
    {
        Validate(component);
        lock (_gate)
        {
            var existing = GetComponent(component.Type, component.Name);
            if (existing.Flavor != component.Flavor)
            {
                throw new StackException($"the {component.Type.CommandName()} '{component.Name}' is {existing.Flavor}; a flavor cannot change, so register a new component");
            }

            foreach (var stack in ListStacks().Where(s => s.Get(component.Type)?.Name == component.Name))
            {
                var components = new Dictionary<ComponentType, Component>(stack.Components) { [component.Type] = component };
                ThrowIfInvalid(stack.Name, components);
            }

            Execute(_connection, "UPDATE components SET settings = $settings WHERE type = $type AND name = $name;",
                ("$type", component.Type.CommandName()), ("$name", component.Name), ("$settings", SettingsJson(component.Settings)));
        }
    }

    /// <summary>Reads a component.</summary>
    /// <exception cref="StackException">There is none of that type and name.</exception>
    public Component GetComponent(ComponentType type, string name)
    {
        lock (_gate)
        {
            return FindComponent(type, name) ?? throw new StackException(
                $"no {type.CommandName()} named '{name}'; registered: {Names(ListComponents(type).Select(c => c.Name))} (see `pipelines {type.CommandName()} list`)");
        }
    }

    /// <summary>Lists the components of one type, by name.</summary>
    public IReadOnlyList<Component> ListComponents(ComponentType type)
    {
        lock (_gate)
        {
            return Query(_connection, "SELECT type, name, flavor, settings FROM components WHERE type = $type ORDER BY name;", ReadComponent, ("$type", type.CommandName()));
        }
    }

    /// <summary>Deletes a component that no stack uses.</summary>
    /// <exception cref="StackException">It does not exist, is a default component, or a stack uses it.</exception>
    public void DeleteComponent(ComponentType type, string name)
    {
        lock (_gate)
        {
            GetComponent(type, name);
            var users = ListStacks().Where(s => s.Get(type)?.Name == name).Select(s => s.Name).ToList();
            if (users.Count > 0)
            {
                throw new StackException($"the {type.CommandName()} '{name}' is used by stack {Names(users)}; remove it from {(users.Count == 1 ? "that stack" : "those stacks")} first");
            }

            Execute(_connection, "DELETE FROM components WHERE type = $type AND name = $name;", ("$type", type.CommandName()), ("$name", name));
        }
    }

    /// <summary>Registers a stack from component names by type.</summary>
    /// <exception cref="StackException">The name is taken, a component does not exist, or the combination is invalid.</exception>
    public Stack RegisterStack(string name, IReadOnlyDictionary<ComponentType, string> componentNames)
    {
        lock (_gate)
        {
            if (FindStack(name) is not null)
            {
                throw new StackException($"a stack named '{name}' exists; change it with `pipelines stack update {name}` or pick another name");
            }

            var components = Resolve(componentNames);
            ThrowIfInvalid(name, components);
            using var transaction = _connection.BeginTransaction();
            Execute(_connection, "INSERT INTO stacks (name, created_at) VALUES ($name, $created);", ("$name", name), ("$created", Format(DateTimeOffset.UtcNow)));
            WriteStackComponents(name, components);
            transaction.Commit();
            return new Stack(name, components);
        }
    }

    /// <summary>Changes some of a stack's components (a null name removes that type).</summary>
    /// <exception cref="StackException">The stack or a component does not exist, or the result is invalid.</exception>
    public Stack UpdateStack(string name, IReadOnlyDictionary<ComponentType, string?> changes)
    {
        lock (_gate)
        {
            var stack = GetStack(name);
            var names = stack.Components.ToDictionary(c => c.Key, c => c.Value.Name);
            foreach (var (type, component) in changes)
            {
                if (component is null)
                {
                    names.Remove(type);
                }
                else
                {
                    names[type] = component;
                }
            }

            var components = Resolve(names);
            ThrowIfInvalid(name, components);
            using var transaction = _connection.BeginTransaction();
            Execute(_connection, "DELETE FROM stack_components WHERE stack = $stack;", ("$stack", name));
            WriteStackComponents(name, components);
            transaction.Commit();
            return new Stack(name, components);
        }
    }

    /// <summary>Reads a stack.</summary>
    /// <exception cref="StackException">There is none of that name.</exception>
    public Stack GetStack(string name)
    {
        lock (_gate)
        {
            return FindStack(name) ?? throw new StackException($"no stack named '{name}'; stacks: {Names(ListStacks().Select(s => s.Name))} (see `pipelines stack list`)");
        }
    }

    /// <summary>Lists stacks by name.</summary>
    public IReadOnlyList<Stack> ListStacks()
    {
        lock (_gate)
        {
            return [.. Query(_connection, "SELECT name FROM stacks ORDER BY name;", r => r.GetString(0)).Select(n => FindStack(n)!)];
        }
    }

    /// <summary>Deletes a stack (not the default one, and not the active one).</summary>
    /// <exception cref="StackException">It does not exist, is the default stack, or is active.</exception>
    public void DeleteStack(string name)
    {
        lock (_gate)
        {
            GetStack(name);
            if (name == Stack.DefaultName)
            {
                throw new StackException("the default stack cannot be deleted");
            }

            if (ActiveStackName == name)
            {
                throw new StackException($"stack '{name}' is active; activate another first with `pipelines stack set default`");
            }

            Execute(_connection, "DELETE FROM stack_components WHERE stack = $name; DELETE FROM stacks WHERE name = $name;", ("$name", name));
        }
    }

    /// <summary>Copies a stack under a new name.</summary>
    /// <exception cref="StackException">The source does not exist or the target name is taken.</exception>
    public Stack CopyStack(string source, string target)
    {
        lock (_gate)
        {
            var stack = GetStack(source);
            return RegisterStack(target, stack.Components.ToDictionary(c => c.Key, c => c.Value.Name));
        }
    }

    /// <summary>The stack chosen with <c>pipelines stack set</c> (default: <c>default</c>).</summary>
    public string ActiveStackName
    {
        get
        {
            lock (_gate)
            {
                return Scalar(_connection, "SELECT value FROM store_settings WHERE key = $key;", ("$key", ActiveStackKey)) as string ?? Stack.DefaultName;
            }
        }
    }

    /// <summary>Makes <paramref name="name"/> the active stack of this store.</summary>
    /// <exception cref="StackException">There is no such stack.</exception>
    public void SetActiveStack(string name)
    {
        lock (_gate)
        {
            GetStack(name);
            Execute(_connection, "INSERT INTO store_settings (key, value) VALUES ($key, $value) ON CONFLICT(key) DO UPDATE SET value = excluded.value;",
                ("$key", ActiveStackKey), ("$value", name));
        }
    }

    private static void CreateDefaultStack(Microsoft.Data.Sqlite.SqliteConnection connection)
    {
        var now = Format(DateTimeOffset.UtcNow);
        Execute(connection, """
            INSERT INTO components (type, name, flavor, settings, created_at) VALUES ('orchestrator', 'default', 'local', '{}', $now);
            INSERT INTO components (type, name, flavor, settings, created_at) VALUES ('artifact-store', 'default', 'local', '{}', $now);
            INSERT INTO stacks (name, created_at) VALUES ('default', $now);
            INSERT INTO stack_components (stack, type, component) VALUES ('default', 'orchestrator', 'default');
            INSERT INTO stack_components (stack, type, component) VALUES ('default', 'artifact-store', 'default');
            """, ("$now", now));
    }

    private static void Validate(Component component)
    {
        var flavor = Flavors.Find(component.Type, component.Flavor) ?? throw new StackException(
            $"the {component.Type.CommandName()} has no flavor '{component.Flavor}'; use one of {string.Join(", ", Flavors.Of(component.Type).Select(f => f.Name))}");
        if (flavor.Validate(component.Settings) is { Count: > 0 } problems)
        {
            throw new StackException(problems[0]);
        }
    }

    private static void ThrowIfInvalid(string stack, IReadOnlyDictionary<ComponentType, Component> components)
    {
        if (Stack.Validate(components) is { Count: > 0 } problems)
        {
            throw new StackException($"stack '{stack}': {problems[0]}");
        }
    }

    private Dictionary<ComponentType, Component> Resolve(IReadOnlyDictionary<ComponentType, string> names) =>
        names.ToDictionary(n => n.Key, n => GetComponent(n.Key, n.Value));

    private void WriteStackComponents(string stack, IReadOnlyDictionary<ComponentType, Component> components)
    {
        foreach (var (type, component) in components)
        {
            Execute(_connection, "INSERT INTO stack_components (stack, type, component) VALUES ($stack, $type, $component);",
                ("$stack", stack), ("$type", type.CommandName()), ("$component", component.Name));
        }
    }

    private Component? FindComponent(ComponentType type, string name) =>
        Query(_connection, "SELECT type, name, flavor, settings FROM components WHERE type = $type AND name = $name;", ReadComponent,
            ("$type", type.CommandName()), ("$name", name)).SingleOrDefault();

    private Stack? FindStack(string name)
    {
        if (Scalar(_connection, "SELECT name FROM stacks WHERE name = $name;", ("$name", name)) is null)
        {
            return null;
        }

        var components = Query(_connection, """
            SELECT c.type, c.name, c.flavor, c.settings FROM stack_components s
            JOIN components c ON c.type = s.type AND c.name = s.component WHERE s.stack = $name;
            """, ReadComponent, ("$name", name));
        return new Stack(name, components.ToDictionary(c => c.Type));
    }

    private static Component ReadComponent(Microsoft.Data.Sqlite.SqliteDataReader reader)
    {
        using var settings = JsonDocument.Parse(reader.GetString(3));
        return new Component(
            ComponentTypeNames.Parse(reader.GetString(0))!.Value,
            reader.GetString(1),
            reader.GetString(2),
            settings.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal));
    }

    private static string SettingsJson(IReadOnlyDictionary<string, string> settings)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in settings.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Names(IEnumerable<string> names)
    {
        var list = names.ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list.Select(n => $"'{n}'"));
    }

}
