namespace PipelineSdk;

/// <summary>
/// The default of a list or dictionary pipeline parameter, as JSON — C# cannot write such a default in the signature:
/// <c>[Default("[\"a\", \"b\"]")] List&lt;string&gt;? tags = null</c>. It becomes the parameter's <c>defaultValue</c> in the
/// spec; a run that passes no value (or null) gets it. Called directly as plain C#, the method receives what it is passed.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class DefaultAttribute : Attribute
{
    /// <summary>Gives the default.</summary>
    /// <param name="json">A JSON list (<c>[1, 2]</c>) for a list parameter, a JSON object (<c>{"a": 1}</c>) for a dictionary one.</param>
    public DefaultAttribute(string json)
    {
        Json = json;
    }

    /// <summary>The default as JSON.</summary>
    public string Json { get; }
}
