namespace PipelineSdk.Generators.Model;

// Cached with the step model: immutable and structurally equatable, like everything in Models.cs.

/// <summary>
/// What a <c>[ContainerStep]</c> runs, with its placeholders already in Kubeflow's form (<c>{{$.inputs.parameters['x']}}</c>,
/// <c>{"IfPresent": ...}</c>), exactly as the executor's container carries them.
/// </summary>
/// <param name="Image">The container image.</param>
/// <param name="Command">The container's command.</param>
/// <param name="Args">The container's args.</param>
/// <param name="LocalCommand">The command that stands in for <paramref name="Command"/> on this machine; empty for none.</param>
/// <param name="HasLocalCommand">Whether the step has a local command.</param>
internal sealed record ContainerModel(string Image, EquatableArray<string> Command, EquatableArray<string> Args, EquatableArray<string> LocalCommand, bool HasLocalCommand)
{
    /// <summary>The inputs with a default value, by name.</summary>
    public EquatableArray<OptionalInputModel> OptionalInputs { get; init; } = EquatableArray<OptionalInputModel>.Empty;
}

/// <summary>
/// The declaration PipelineSdk completes for a <c>[ContainerStep]</c> method: where it is and its signature, so the
/// generated implementing part of the <c>partial</c> method matches it.
/// </summary>
/// <param name="HintName">The generated file's name, from the method's fully qualified name.</param>
/// <param name="Namespace">The namespace, or null for the global one.</param>
/// <param name="ContainingTypes">The enclosing type declarations, outermost first (e.g. <c>static partial class Scripts</c>).</param>
/// <param name="Signature">The method's signature as the implementing part writes it.</param>
/// <param name="MethodName">The method's name, for the message of a direct call.</param>
internal sealed record ContainerStubModel(string HintName, string? Namespace, EquatableArray<string> ContainingTypes, string Signature, string MethodName);

/// <summary>An input of a container step with a default value: optional in the component (KFP's <c>isOptional</c>).</summary>
/// <param name="Name">The input.</param>
/// <param name="DefaultJson">Its default as JSON; null when the default is <c>null</c> (no value: the task binds nothing).</param>
internal sealed record OptionalInputModel(string Name, string? DefaultJson);
