using System.Text;
using System.Text.Json;
using PipelineSdk.Artifacts;
using PipelineSdk.Store;

namespace PipelineSdk.Caching;

/// <summary>
/// The values behind a step run's input hashes, where the store can tell them: a step output of a parameter type (read
/// from its stored file) or a pipeline parameter (the run's parameter whose value has that hash). Artifacts, loop items
/// and values too long for one line are left out; the explanation then shows hashes.
/// </summary>
internal static class CachedInputValues
{
    private const int MaxLength = 80;

    /// <summary>The displayable value of each input of <paramref name="stepRun"/> by input name.</summary>
    public static Dictionary<string, string> Of(MetadataStore store, StepRunRecord stepRun)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var parameters = ParameterValuesByHash(store.GetRun(stepRun.RunId)?.ParametersJson);
        foreach (var input in store.GetInputs(stepRun.Id))
        {
            var value = input.Source switch
            {
                "task" when input.ArtifactId is { } id => StoredParameter(store.GetArtifact(id)),
                "parameter" => parameters.GetValueOrDefault(input.ContentHash),
                _ => null,
            };
            if (value is not null && value.Length <= MaxLength && !value.Contains('\n', StringComparison.Ordinal))
            {
                values[input.InputName] = value;
            }
        }

        return values;
    }

    private static string? StoredParameter(ArtifactRecord? artifact)
    {
        // Parameter types are Kubeflow's NUMBER_INTEGER, STRING, ...; artifacts are system.* types.
        if (artifact is null || artifact.KfpType.StartsWith("system.", StringComparison.Ordinal) || artifact.Size > MaxLength
            || !artifact.Uri.StartsWith("file:", StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            var path = LocalArtifactStore.LocalPath(artifact.Uri);
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Each parameter's JSON text by the content hash the orchestrator gave its value (the hash of that text).</summary>
    private static Dictionary<string, string> ParameterValuesByHash(string? parametersJson)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (parametersJson is null)
        {
            return values;
        }

        using var document = JsonDocument.Parse(parametersJson);
        foreach (var parameter in document.RootElement.EnumerateObject())
        {
            var text = parameter.Value.GetRawText();
            values.TryAdd(ContentHash.Of(Encoding.UTF8.GetBytes(text)), text);
        }

        return values;
    }
}
