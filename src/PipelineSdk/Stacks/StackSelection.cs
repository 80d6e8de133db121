using PipelineSdk.Store;

namespace PipelineSdk.Stacks;

/// <summary>
/// Chooses the stack a run uses, the same way everywhere: <c>--stack NAME</c> (or
/// <see cref="Orchestration.RunOptions.Stack"/>), else <c>$PIPELINES_STACK</c>, else the stack chosen with
/// <c>pipelines stack set</c>, else <c>default</c>.
/// </summary>
public static class StackSelection
{
    /// <summary>Environment variable that selects a stack for every run in its environment.</summary>
    public const string Variable = "PIPELINES_STACK";

    /// <summary>Resolves the stack and says where the choice came from.</summary>
    /// <exception cref="StackException">The chosen stack does not exist.</exception>
    public static (Stack Stack, string ChosenBy) Resolve(MetadataStore store, string? requested)
    {
        var (name, chosenBy) = requested is { Length: > 0 } ? (requested, "--stack")
            : Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } fromEnvironment ? (fromEnvironment, Variable)
            : (store.ActiveStackName, "pipelines stack set");
        try
        {
            return (store.GetStack(name), chosenBy);
        }
        catch (StackException e)
        {
            throw new StackException($"{e.Message} (chosen by {chosenBy})");
        }
    }
}

/// <summary>
/// Creates the parts of a stack that other packages implement (e.g. PipelineSdk.Gcp's Secret Manager client).
/// Flavors register a factory once; the local flavors are built in.
/// </summary>
public static class StackComponents
{
    private static readonly Dictionary<string, Func<Component, string, ISecretsManager>> SecretsManagers = new(StringComparer.Ordinal)
    {
        ["local"] = (_, storeDirectory) => new LocalSecretsManager(storeDirectory),
    };

    /// <summary>Registers how to create a secrets manager of <paramref name="flavor"/> (from its component and the store folder).</summary>
    public static void RegisterSecretsManager(string flavor, Func<Component, string, ISecretsManager> factory)
    {
        lock (SecretsManagers)
        {
            SecretsManagers[flavor] = factory;
        }
    }

    /// <summary>The stack's secrets manager, or null when it has none.</summary>
    /// <exception cref="StackException">Its flavor's implementation is not loaded in this program.</exception>
    public static ISecretsManager? CreateSecretsManager(Stack stack, string storeDirectory)
    {
        if (stack.Get(ComponentType.SecretsManager) is not { } component)
        {
            return null;
        }

        lock (SecretsManagers)
        {
            return SecretsManagers.TryGetValue(component.Flavor, out var factory)
                ? factory(component, storeDirectory)
                : throw new StackException($"the {component.Flavor} secrets manager '{component.Name}' is not available in this program; reference the PipelineSdk.{char.ToUpperInvariant(component.Flavor[0])}{component.Flavor[1..]} package");
        }
    }

    /// <summary>A component's setting with any <c>{{secret.name.key}}</c> reference resolved for this run.</summary>
    /// <exception cref="StackException">The component has no such setting, or its secret cannot be read.</exception>
    public static async Task<string> ResolvedSettingAsync(Component component, string name, ISecretsManager? secrets, CancellationToken cancellationToken)
    {
        var settings = await SecretReference.ResolveAsync(component.Settings, secrets, cancellationToken).ConfigureAwait(false);
        return settings.GetValueOrDefault(name) ?? component.Setting(name)
            ?? throw new StackException($"the {component.Type.CommandName()} '{component.Name}' has no {name}");
    }
}
