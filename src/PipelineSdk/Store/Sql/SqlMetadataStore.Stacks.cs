using System.Data.Common;
using System.Text.Json;
using PipelineSdk.Stacks;

namespace PipelineSdk.Store.Sql;

// Stacks and components live in the same database as runs, so the CLI, programs and the server always agree.
public sealed partial class SqlMetadataStore
{
    private const string ActiveStackKey = "active_stack";

    /// <inheritdoc />
    public override void RegisterComponent(Component component)
    {
        Validate(component);
        using var db = _dialect.Lease();
        if (FindComponent(db, component.Type, component.Name) is not null)
        {
            throw new StackException($"{component.Type.WithArticle()} named '{component.Name}' exists; change it with `pipelines {component.Type.CommandName()} update {component.Name}` or pick another name");
        }

        db.Execute("INSERT INTO components (type, name, flavor, settings, created_at) VALUES (@type, @name, @flavor, @settings, @created);",
            ("@type", component.Type.CommandName()), ("@name", component.Name), ("@flavor", component.Flavor),
            ("@settings", SettingsJson(component.Settings)), ("@created", SqlFormat.Time(DateTimeOffset.UtcNow)));
    }

    /// <inheritdoc />
    public override void UpdateComponent(Component component)
    {
        Validate(component);
        using var db = _dialect.Lease();
        db.Begin();
        var existing = GetComponent(db, component.Type, component.Name);
        if (existing.Flavor != component.Flavor)
        {
            throw new StackException($"the {component.Type.CommandName()} '{component.Name}' is {existing.Flavor}; a flavor cannot change, so register a new component");
        }

        foreach (var stack in ListStacks(db).Where(s => s.Get(component.Type)?.Name == component.Name))
        {
            var components = new Dictionary<ComponentType, Component>(stack.Components) { [component.Type] = component };
            ThrowIfInvalid(stack.Name, components);
        }

        db.Execute("UPDATE components SET settings = @settings WHERE type = @type AND name = @name;",
            ("@type", component.Type.CommandName()), ("@name", component.Name), ("@settings", SettingsJson(component.Settings)));
        db.Commit();
    }

    /// <inheritdoc />
    public override Component GetComponent(ComponentType type, string name)
    {
        using var db = _dialect.Lease();
        return GetComponent(db, type, name);
    }

    /// <inheritdoc />
    public override IReadOnlyList<Component> ListComponents(ComponentType type)
    {
        using var db = _dialect.Lease();
        return ListComponents(db, type);
    }

    /// <inheritdoc />
    public override void DeleteComponent(ComponentType type, string name)
    {
        using var db = _dialect.Lease();
        db.Begin();
        GetComponent(db, type, name);
        var users = ListStacks(db).Where(s => s.Get(type)?.Name == name).Select(s => s.Name).ToList();
        if (users.Count > 0)
        {
            throw new StackException($"the {type.CommandName()} '{name}' is used by stack {Names(users)}; remove it from {(users.Count == 1 ? "that stack" : "those stacks")} first");
        }

        db.Execute("DELETE FROM components WHERE type = @type AND name = @name;", ("@type", type.CommandName()), ("@name", name));
        db.Commit();
    }

    /// <inheritdoc />
    public override Stack RegisterStack(string name, IReadOnlyDictionary<ComponentType, string> componentNames)
    {
        using var db = _dialect.Lease();
        db.Begin();
        if (FindStack(db, name) is not null)
        {
            throw new StackException($"a stack named '{name}' exists; change it with `pipelines stack update {name}` or pick another name");
        }

        var components = Resolve(db, componentNames);
        ThrowIfInvalid(name, components);
        db.Execute("INSERT INTO stacks (name, created_at) VALUES (@name, @created);", ("@name", name), ("@created", SqlFormat.Time(DateTimeOffset.UtcNow)));
        WriteStackComponents(db, name, components);
        db.Commit();
        return new Stack(name, components);
    }

    /// <inheritdoc />
    public override Stack UpdateStack(string name, IReadOnlyDictionary<ComponentType, string?> changes)
    {
        using var db = _dialect.Lease();
        db.Begin();
        var stack = GetStack(db, name);
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

        var components = Resolve(db, names);
        ThrowIfInvalid(name, components);
        db.Execute("DELETE FROM stack_components WHERE stack = @stack;", ("@stack", name));
        WriteStackComponents(db, name, components);
        db.Commit();
        return new Stack(name, components);
    }

    /// <inheritdoc />
    public override Stack GetStack(string name)
    {
        using var db = _dialect.Lease();
        return GetStack(db, name);
    }

    /// <inheritdoc />
    public override IReadOnlyList<Stack> ListStacks()
    {
        using var db = _dialect.Lease();
        return ListStacks(db);
    }

    /// <inheritdoc />
    public override void DeleteStack(string name)
    {
        using var db = _dialect.Lease();
        db.Begin();
        GetStack(db, name);
        if (name == Stack.DefaultName)
        {
            throw new StackException("the default stack cannot be deleted");
        }

        if (ReadActiveStack(db) == name)
        {
            throw new StackException($"stack '{name}' is active; activate another first with `pipelines stack set default`");
        }

        db.Execute("DELETE FROM stack_components WHERE stack = @name; DELETE FROM stacks WHERE name = @name;", ("@name", name));
        db.Commit();
    }

    /// <inheritdoc />
    public override string ActiveStackName
    {
        get
        {
            using var db = _dialect.Lease();
            return ReadActiveStack(db);
        }
    }

    /// <inheritdoc />
    public override void SetActiveStack(string name)
    {
        using var db = _dialect.Lease();
        GetStack(db, name);
        db.Execute("INSERT INTO store_settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value;",
            ("@key", ActiveStackKey), ("@value", name));
    }

    private static string ReadActiveStack(Db db) =>
        db.Scalar("SELECT value FROM store_settings WHERE key = @key;", ("@key", ActiveStackKey)) as string ?? Stack.DefaultName;

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

    private static Component GetComponent(Db db, ComponentType type, string name) =>
        FindComponent(db, type, name) ?? throw new StackException(
            $"no {type.CommandName()} named '{name}'; registered: {Names(ListComponents(db, type).Select(c => c.Name))} (see `pipelines {type.CommandName()} list`)");

    private static List<Component> ListComponents(Db db, ComponentType type) =>
        db.Query("SELECT type, name, flavor, settings FROM components WHERE type = @type ORDER BY name;", ReadComponent, ("@type", type.CommandName()));

    private static Stack GetStack(Db db, string name) =>
        FindStack(db, name) ?? throw new StackException($"no stack named '{name}'; stacks: {Names(ListStacks(db).Select(s => s.Name))} (see `pipelines stack list`)");

    private static List<Stack> ListStacks(Db db) =>
        [.. db.Query("SELECT name FROM stacks ORDER BY name;", r => r.GetString(0)).Select(n => FindStack(db, n)!)];

    private static Dictionary<ComponentType, Component> Resolve(Db db, IReadOnlyDictionary<ComponentType, string> names) =>
        names.ToDictionary(n => n.Key, n => GetComponent(db, n.Key, n.Value));

    private static void WriteStackComponents(Db db, string stack, IReadOnlyDictionary<ComponentType, Component> components)
    {
        foreach (var (type, component) in components)
        {
            db.Execute("INSERT INTO stack_components (stack, type, component) VALUES (@stack, @type, @component);",
                ("@stack", stack), ("@type", type.CommandName()), ("@component", component.Name));
        }
    }

    private static Component? FindComponent(Db db, ComponentType type, string name) =>
        db.Query("SELECT type, name, flavor, settings FROM components WHERE type = @type AND name = @name;", ReadComponent,
            ("@type", type.CommandName()), ("@name", name)).SingleOrDefault();

    private static Stack? FindStack(Db db, string name)
    {
        if (db.Scalar("SELECT name FROM stacks WHERE name = @name;", ("@name", name)) is null)
        {
            return null;
        }

        var components = db.Query("""
            SELECT c.type, c.name, c.flavor, c.settings FROM stack_components s
            JOIN components c ON c.type = s.type AND c.name = s.component WHERE s.stack = @name;
            """, ReadComponent, ("@name", name));
        return new Stack(name, components.ToDictionary(c => c.Type));
    }

    private static Component ReadComponent(DbDataReader reader)
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
