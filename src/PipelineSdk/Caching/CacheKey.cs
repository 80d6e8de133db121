using System.Text;
using System.Text.Json;
using PipelineSdk.Artifacts;
using PipelineSdk.Descriptors;

namespace PipelineSdk.Caching;

/// <summary>
/// A step's cache key and the parts it was made of. The key covers the code fingerprint (the step and every
/// method of the same compilation it calls), each input's content hash, the output names and types, and the
/// settings that change results (environment variables; a container step's image, command and arguments); for a step that runs in a remote orchestrator's container, also
/// the container image, which that orchestrator's own cache is keyed by. The parts are stored so a later run can say which
/// one changed.
/// </summary>
/// <param name="Key">SHA-256 of <paramref name="PartsJson"/>.</param>
/// <param name="PartsJson">The parts as canonical JSON.</param>
public sealed record CacheKey(string Key, string PartsJson)
{
    private const int Version = 1;

    /// <summary>
    /// Computes the key of <paramref name="task"/> given the content hashes of its inputs by input name; <paramref name="image"/>
    /// is the container image the task runs in on a remote orchestrator (null on this machine).
    /// </summary>
    public static CacheKey Compute(PipelineTask task, IReadOnlyList<KeyValuePair<string, string>> inputHashes, string? image = null)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", Version);
            writer.WriteString("step", task.Step.MethodName);
            writer.WriteStartObject("code");
            foreach (var part in task.Step.CodeParts)
            {
                writer.WriteString(part.Symbol, part.Hash);
            }

            writer.WriteEndObject();
            writer.WriteStartObject("inputs");
            foreach (var (name, hash) in inputHashes.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                writer.WriteString(name, hash);
            }

            writer.WriteEndObject();
            writer.WriteStartObject("outputs");
            foreach (var output in task.Step.Outputs)
            {
                writer.WriteString(output.Name, output.Codec.TypeName);
            }

            writer.WriteEndObject();
            // Environment variables can change what a step computes. Written only when set, so keys of steps without
            // any stay as they were.
            if (task.Step.Settings.Environment.Count > 0)
            {
                writer.WriteStartObject("env");
                foreach (var (name, value) in task.Step.Settings.Environment.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WriteString(name, value);
                }

                writer.WriteEndObject();
            }

            // A container step computes what its command computes: a new image, command or arguments is a new result.
            if (task.Step.Settings.Container is { } container)
            {
                writer.WriteStartObject("container");
                writer.WriteString("image", container.Image);
                WriteStrings(writer, "command", container.Command);
                WriteStrings(writer, "args", container.Arguments);
                WriteStrings(writer, "localCommand", container.LocalCommand ?? []);
                writer.WriteEndObject();
            }

            // Keys made in a remote orchestrator's container differ from this machine's, so neither cache serves the other.
            if (image is not null)
            {
                writer.WriteString("image", image);
            }

            writer.WriteEndObject();
        }

        var parts = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        return new CacheKey(ContentHash.Of(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)), parts);
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
