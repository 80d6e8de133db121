namespace PipelineSdk;

/// <summary>
/// Sets an environment variable in the step's container (the executor's <c>container.env</c>). Repeat the attribute
/// for several variables. The <c>local-process</c> orchestrator sets it on the step's child process; the in-process
/// <c>local</c> orchestrator cannot (the environment is shared by steps running in parallel) and ignores it.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true, Inherited = false)]
public sealed class EnvAttribute : Attribute
{
    /// <summary>Sets <paramref name="name"/> to <paramref name="value"/>.</summary>
    /// <param name="name">A C identifier: letters, digits and underscores, not starting with a digit.</param>
    /// <param name="value">The value, passed as written.</param>
    public EnvAttribute(string name, string value)
    {
        Name = name;
        Value = value;
    }

    /// <summary>The variable's name.</summary>
    public string Name { get; }

    /// <summary>The variable's value.</summary>
    public string Value { get; }
}
