using System.Text.Json;

namespace PipelineSdk.Values;

/// <summary>How a value travels between steps: as a Kubeflow parameter (a JSON value) or as an artifact (a file).</summary>
public enum ValueKind
{
    /// <summary>A JSON value (<c>NUMBER_INTEGER</c>, <c>NUMBER_DOUBLE</c>, <c>BOOLEAN</c>, <c>STRING</c>, <c>LIST</c>, <c>STRUCT</c>).</summary>
    Parameter,

    /// <summary>A file or folder addressed by URI.</summary>
    Artifact,
}

/// <summary>
/// Reads and writes the values of one .NET type in the form that passes between steps and is stored as an
/// artifact. The generator picks a codec for every step input and output at compile time, so nothing is
/// looked up by reflection at run time.
/// </summary>
public abstract class ValueCodec
{
    /// <summary>Only <see cref="ParameterCodec"/> and <see cref="ArtifactCodec"/> derive directly: every codec is one of the two.</summary>
    private protected ValueCodec()
    {
    }

    /// <summary>The C# type as written in code, e.g. <c>int</c> or <c>List&lt;string&gt;</c>; used in messages.</summary>
    public abstract string TypeName { get; }

    /// <summary>Whether values are parameters or artifacts.</summary>
    public abstract ValueKind Kind { get; }

    /// <summary>The Kubeflow type: a <c>parameterType</c> for parameters, a <c>schemaTitle</c> for artifacts.</summary>
    public abstract string KfpType { get; }

    /// <summary>Writes <paramref name="value"/> to <paramref name="destination"/> in its canonical stored form.</summary>
    public abstract void WriteTo(object? value, Stream destination);

    /// <summary>Reads a value written by <see cref="WriteTo"/>.</summary>
    /// <exception cref="FormatException">The content is not a value of this type.</exception>
    public abstract object? ReadFrom(Stream source);

    /// <summary>
    /// Parses a value typed by a person (a <c>--param name=value</c> argument).
    /// </summary>
    /// <exception cref="FormatException">The text is not a value of this type; the message says what is expected.</exception>
    public abstract object? ParseText(string text);

    /// <summary>
    /// For a list type: the list of <paramref name="items"/>, as the type's own collection (how a loop's collected outputs
    /// reach the step after it).
    /// </summary>
    /// <exception cref="NotSupportedException">The type is not a list.</exception>
    public virtual object? FromItems(IReadOnlyList<object?> items) => throw new NotSupportedException($"{TypeName} is not a list");

    /// <summary>Serializes a value to its canonical bytes (the bytes whose hash identifies it for caching).</summary>
    public byte[] ToBytes(object? value)
    {
        using var buffer = new MemoryStream();
        WriteTo(value, buffer);
        return buffer.ToArray();
    }

    /// <summary>Reads a value from its canonical bytes.</summary>
    public object? FromBytes(byte[] bytes)
    {
        using var buffer = new MemoryStream(bytes, writable: false);
        return ReadFrom(buffer);
    }
}

/// <summary>
/// A codec for Kubeflow parameters: the value is a JSON value, stored as canonical JSON
/// (no whitespace, object keys in ordinal order) so equal values have equal bytes.
/// </summary>
public abstract class ParameterCodec : ValueCodec
{
    private static readonly JsonWriterOptions CanonicalWriterOptions = new() { Indented = false, SkipValidation = false };

    /// <inheritdoc />
    public sealed override ValueKind Kind => ValueKind.Parameter;

    /// <summary>Writes the value as one JSON value.</summary>
    public abstract void WriteJson(object? value, Utf8JsonWriter writer);

    /// <summary>Reads the value from one JSON value.</summary>
    /// <exception cref="FormatException">The element does not hold a value of this type.</exception>
    public abstract object? ReadJson(JsonElement element);

    /// <summary>A short description of the expected text, used in error messages (e.g. "a whole number like 5").</summary>
    protected abstract string ExpectedText { get; }

    /// <inheritdoc />
    public sealed override void WriteTo(object? value, Stream destination)
    {
        using var writer = new Utf8JsonWriter(destination, CanonicalWriterOptions);
        WriteJson(value, writer);
    }

    /// <inheritdoc />
    public sealed override object? ReadFrom(Stream source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(source);
        }
        catch (JsonException e)
        {
            throw new FormatException($"stored value is not JSON ({e.Message})", e);
        }

        using (document)
        {
            return ReadJson(document.RootElement);
        }
    }

    /// <inheritdoc />
    public override object? ParseText(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return ReadJson(document.RootElement);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new FormatException($"'{text}' is not {ExpectedText}");
        }
    }

    /// <summary>Builds the error for an element of the wrong JSON kind.</summary>
    protected FormatException Mismatch(JsonElement element) =>
        new($"expected {ExpectedText} ({KfpType}), found JSON {element.ValueKind.ToString().ToLowerInvariant()} {Abbreviate(element.GetRawText())}");

    private static string Abbreviate(string text) => text.Length <= 40 ? text : text[..37] + "...";
}
