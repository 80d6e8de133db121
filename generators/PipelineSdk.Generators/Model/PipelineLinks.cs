namespace PipelineSdk.Generators.Model;

/// <summary>A call from one pipeline to another, where it is written.</summary>
internal sealed record PipelineCallLink(string CalleeKey, string CalleeDisplay, SourceSpan Location);

/// <summary>
/// What the checks across pipelines need from one pipeline: the names it takes in the spec and in generated code,
/// and the pipelines it calls.
/// </summary>
/// <param name="Key">Identifies the method (stable and overload-aware, so the halves of a partial method share it).</param>
/// <param name="HintName">The generated file's hint name, which also identifies the pipeline's output.</param>
/// <param name="RunnerClass">The generated runner class, e.g. <c>Demo.Pipelines.Train</c>.</param>
/// <param name="ClashingUserType">A type of the user's with the runner's container name (<c>Pipelines</c>) in the same namespace, if any.</param>
internal sealed record PipelineLink(
    string Key,
    string Display,
    string HintName,
    string PipelineName,
    string RunnerClass,
    string? ClashingUserType,
    SourceSpan Identifier,
    EquatableArray<PipelineCallLink> Calls);
