using System.Text.RegularExpressions;

namespace PipelineSdk.Stacks;

/// <summary>
/// <c>{{secret.name.key}}</c> in a component setting: stored, listed and described as written, and replaced
/// by the secret's value only at run time, so a value never reaches a spec, a log or the store.
/// </summary>
public static partial class SecretReference
{
    [GeneratedRegex(@"^\{\{secret\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\}\}$")]
    private static partial Regex Pattern();

    /// <summary>Whether <paramref name="value"/> is a secret reference.</summary>
    public static bool IsReference(string value) => Pattern().IsMatch(value);

    /// <summary>The secret and key a reference names, or null.</summary>
    public static (string Secret, string Key)? Parse(string value) =>
        Pattern().Match(value) is { Success: true } match ? (match.Groups[1].Value, match.Groups[2].Value) : null;

    /// <summary>
    /// Replaces every reference in <paramref name="settings"/> with its value from <paramref name="secrets"/>;
    /// each value so resolved is added to <paramref name="mask"/>, so the run can hide it in what it prints and records.
    /// </summary>
    /// <exception cref="StackException">A referenced secret or key does not exist; the message says which.</exception>
    public static async Task<IReadOnlyDictionary<string, string>> ResolveAsync(IReadOnlyDictionary<string, string> settings, ISecretsManager? secrets, CancellationToken cancellationToken, SecretMask? mask = null)
    {
        var resolved = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in settings)
        {
            if (Parse(value) is not { } reference)
            {
                resolved[name] = value;
                continue;
            }

            if (secrets is null)
            {
                throw new StackException($"Setting '{name}' references secret '{reference.Secret}', but the stack has no secrets manager; add one with `pipelines stack update STACK -x NAME`.");
            }

            var secret = await secrets.GetAsync(reference.Secret, cancellationToken).ConfigureAwait(false)
                ?? throw new StackException($"Setting '{name}' references secret '{reference.Secret}', which does not exist; create it with `pipelines secret create {reference.Secret} --{reference.Key}=VALUE`.");
            resolved[name] = secret.TryGetValue(reference.Key, out var secretValue)
                ? secretValue
                : throw new StackException($"Setting '{name}' references key '{reference.Key}' of secret '{reference.Secret}', which has only {string.Join(", ", secret.Keys)}.");
            mask?.Add(secretValue);
        }

        return resolved;
    }
}
