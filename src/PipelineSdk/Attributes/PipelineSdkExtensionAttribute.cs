namespace PipelineSdk;

/// <summary>
/// Declares that an assembly extends PipelineSdk (new stack flavors, ...). Programs that reference it call
/// <c>Register()</c> on <see cref="Registrar"/> at start-up: the generator emits that call, so no reflection
/// runs. The registrar must be a public static class with a public static parameterless <c>Register</c> method.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true, Inherited = false)]
public sealed class PipelineSdkExtensionAttribute(Type registrar) : Attribute
{
    /// <summary>The static class whose <c>Register()</c> method registers the extension.</summary>
    public Type Registrar { get; } = registrar;
}
