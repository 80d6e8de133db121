using PipelineSdk.Values;

namespace PipelineSdk.Descriptors;

/// <summary>
/// Calls a step method with its inputs, in declaration order, and returns its outputs in declaration order.
/// Generated per step: a direct, typed call — no reflection.
/// </summary>
public delegate ValueTask<object?[]> StepInvoker(object?[] inputs, CancellationToken cancellationToken);

/// <summary>One input or output of a step: its name in the spec and the codec of its .NET type.</summary>
/// <param name="Name">The name in the spec (the C# parameter name, the tuple element name, or <c>Output</c>).</param>
/// <param name="Codec">Reads and writes the value.</param>
public sealed record StepPort(string Name, ValueCodec Codec)
{
    /// <summary>For an output, the name its versions are recorded under (<c>[return: Artifact("churn-model")]</c>); null (the default) for none.</summary>
    public string? ArtifactName { get; init; }

    /// <summary>For a named output, the tags each new version gets; null (the default) for none.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>For a named output that promotes (<c>[Artifact(Stage = "production")]</c>), the stage its version goes to; null (the default) for none.</summary>
    public string? PromotesTo { get; init; }
}

/// <summary>
/// A step parameter filled from the registry when the task starts (<c>[FromArtifact]</c>, <c>[FromModel]</c>), not wired in
/// the pipeline.
/// </summary>
public sealed record RegistryInput
{
    /// <summary>The C# parameter's name.</summary>
    public required string Parameter { get; init; }

    /// <summary>The named artifact or model.</summary>
    public required string ArtifactName { get; init; }

    /// <summary>A version selector (<c>latest</c>, a number, a tag), or for a model the stage (<c>production</c>, …).</summary>
    public required string Selector { get; init; }

    /// <summary>Whether <see cref="Selector"/> is a model stage: then no version in it gives null instead of failing.</summary>
    public required bool IsModelStage { get; init; }

    /// <summary>Reads the value.</summary>
    public required ValueCodec Codec { get; init; }

    /// <summary>How people read the reference, e.g. <c>churn-model@latest</c> or <c>churn-model@production</c>.</summary>
    public override string ToString() => $"{ArtifactName}@{Selector}";
}

/// <summary>One method that went into a step's code fingerprint: the step itself or a method it calls.</summary>
/// <param name="Symbol">The method's fully qualified name.</param>
/// <param name="Hash">The hash of its syntax, ignoring whitespace and comments.</param>
public sealed record CodePart(string Symbol, string Hash);

/// <summary>A step (a Kubeflow component): its typed inputs and outputs, code fingerprint and invoker.</summary>
/// <remarks>Built with an object initializer, as generated code does, so a new optional member breaks no existing code.</remarks>
public sealed class StepDescriptor
{
    /// <summary>The component name without its <c>comp-</c> prefix, e.g. <c>get-first-num</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The step method's fully qualified name, e.g. <c>QuickStart.GetFirstNum</c>.</summary>
    public required string MethodName { get; init; }

    /// <summary>Inputs in parameter order (a <see cref="CancellationToken"/> parameter is not an input).</summary>
    public required IReadOnlyList<StepPort> Inputs { get; init; }

    /// <summary>Outputs: none, one named <c>Output</c>, or one per named-tuple element.</summary>
    public required IReadOnlyList<StepPort> Outputs { get; init; }

    /// <summary>The methods whose code the fingerprint covers: the step first, then what it calls, transitively.</summary>
    public required IReadOnlyList<CodePart> CodeParts { get; init; }

    /// <summary>A hash of <see cref="CodeParts"/>: changes when the step or any method it calls changes.</summary>
    public required string CodeFingerprint { get; init; }

    /// <summary>Calls the step method.</summary>
    public required StepInvoker Invoke { get; init; }

    /// <summary>Retries, resources, environment, display name and image from the step's attributes; <see cref="StepSettings.None"/> by default.</summary>
    public StepSettings Settings { get; init; } = StepSettings.None;

    /// <summary>Parameters filled from the registry when the task starts (not in <see cref="Inputs"/>); none by default.</summary>
    public IReadOnlyList<RegistryInput> RegistryInputs { get; init; } = [];

    /// <summary>For an importer (<see cref="PipelineSdk.Importer.Import"/>): what it imports; null for a step.</summary>
    public ImporterSettings? Importer { get; private init; }

    /// <summary>
    /// The same step as a component of its own in a pipeline: another name (two steps whose names clash) or the settings of
    /// a call (<c>.WithRetry(3)</c>, ...) instead of its attributes'; called by generated code.
    /// </summary>
    public StepDescriptor ForComponent(string name, StepSettings? settings) => new()
    {
        Name = name,
        MethodName = MethodName,
        Inputs = Inputs,
        Outputs = Outputs,
        CodeParts = CodeParts,
        CodeFingerprint = CodeFingerprint,
        Invoke = Invoke,
        Settings = settings ?? StepSettings.None,
        RegistryInputs = RegistryInputs,
    };

    /// <summary>
    /// The component of one <see cref="PipelineSdk.Importer.Import"/> call: input <c>uri</c>, output <c>artifact</c>. The orchestrator
    /// imports the artifact itself; there is no method to invoke. Called by generated code.
    /// </summary>
    /// <param name="name">The component name, e.g. <c>importer-2</c>.</param>
    /// <param name="artifact">The imported artifact's codec (its schema title is the importer's <c>typeSchema</c>).</param>
    /// <param name="reimport">Whether every run records a new artifact (KFP's <c>reimport</c>).</param>
    /// <param name="metadataJson">The artifact's metadata, a JSON object.</param>
    public static StepDescriptor ForImporter(string name, ValueCodec artifact, bool reimport, string metadataJson)
    {
        var settings = new ImporterSettings(reimport, metadataJson);
        // The importer's own "code": what it imports as, so a changed type or metadata is a changed cache key.
        var fingerprint = Artifacts.ContentHash.Of(System.Text.Encoding.UTF8.GetBytes($"{artifact.KfpType}\n{artifact.TypeName}\n{reimport}\n{metadataJson}"));
        return new StepDescriptor
        {
            Name = name,
            MethodName = "PipelineSdk.Importer.Import",
            Inputs = [new StepPort(ImporterSettings.UriInput, ParameterCodecs.String)],
            Outputs = [new StepPort(ImporterSettings.ArtifactOutput, artifact)],
            CodeParts = [new CodePart("PipelineSdk.Importer.Import", fingerprint)],
            CodeFingerprint = fingerprint,
            Invoke = (_, _) => throw new InvalidOperationException($"'{name}' is an importer: the orchestrator imports its artifact, there is no step to run"),
            Importer = settings,
        };
    }
}

/// <summary>What an importer task imports besides its URI (KFP's <c>importer</c> executor).</summary>
/// <param name="Reimport">Whether every run records a new artifact; otherwise a URI imported before with the same content is that artifact again.</param>
/// <param name="MetadataJson">The imported artifact's metadata, a JSON object.</param>
public sealed record ImporterSettings(bool Reimport, string MetadataJson)
{
    /// <summary>The importer's input: the URI, as KFP names it.</summary>
    public const string UriInput = "uri";

    /// <summary>The importer's output: the imported artifact, as KFP names it.</summary>
    public const string ArtifactOutput = "artifact";
}
