namespace PipelineSdk.Generators.Model;

// Everything here is cached between generator runs: immutable, structurally equatable, and free of
// ISymbol, SyntaxNode and Compilation, so an unrelated edit yields equal models and nothing is re-emitted.

/// <summary>A .NET type that can pass between steps, and how generated code reads and writes it.</summary>
/// <param name="TypeSyntax">The fully qualified C# type, e.g. <c>int</c> or <c>global::System.Collections.Generic.List&lt;int&gt;</c>.</param>
/// <param name="KfpType">The Kubeflow parameter type or artifact schema title.</param>
/// <param name="IsArtifact">Whether the value is an artifact rather than a parameter.</param>
/// <param name="CodecExpression">A C# expression for the runtime codec.</param>
/// <param name="IsArtifactList">Whether the value is a list of artifacts (a step input with <c>isArtifactList</c>).</param>
internal sealed record ValueTypeModel(string TypeSyntax, string KfpType, bool IsArtifact, string CodecExpression, bool IsArtifactList = false);

/// <summary>A step input or output.</summary>
internal sealed record PortModel(string Name, ValueTypeModel Type);

/// <summary>A step parameter: a wired input, or a <c>CancellationToken</c> the runtime supplies.</summary>
internal sealed record StepParameterModel(string Name, ValueTypeModel? Type, bool IsCancellationToken);

/// <summary>One method in a step's code fingerprint.</summary>
internal sealed record CodePartModel(string Symbol, string Hash);

internal enum ReturnShape
{
    None,
    Single,
    Tuple,
}

internal enum AsyncShape
{
    None,
    Task,
    ValueTask,
}

/// <summary>A <c>[Step]</c> method as the generator needs it.</summary>
internal sealed record StepModel(
    string MethodDisplayName,
    string ContainingTypeSyntax,
    string MethodName,
    string ComponentName,
    EquatableArray<StepParameterModel> Parameters,
    EquatableArray<PortModel> Outputs,
    ReturnShape ReturnShape,
    AsyncShape AsyncShape,
    string? ResultTypeSyntax,
    bool? EnableCache,
    EquatableArray<CodePartModel> CodeParts,
    string CodeFingerprint);

internal enum ArgumentSource
{
    TaskOutput,
    PipelineParameter,
    Constant,
}

/// <summary>Where one step input gets its value in a pipeline body.</summary>
/// <param name="InputName">The step input.</param>
/// <param name="Source">The kind of source.</param>
/// <param name="ProducerCall">For task outputs: the index of the producing call.</param>
/// <param name="Reference">The producer's output name, or the pipeline parameter's name.</param>
/// <param name="ConstantJson">For constants: the literal as canonical JSON.</param>
internal sealed record ArgumentModel(string InputName, ArgumentSource Source, int ProducerCall, string? Reference, string? ConstantJson);

/// <summary>One step call in a pipeline body.</summary>
internal sealed record CallModel(StepModel Step, EquatableArray<ArgumentModel> Arguments);

/// <summary>A pipeline parameter.</summary>
/// <param name="Name">The C# parameter name.</param>
/// <param name="Type">Its value type.</param>
/// <param name="DefaultJson">The default as canonical JSON, or null when required.</param>
/// <param name="DefaultCSharp">The default as a C# expression, or null when required.</param>
internal sealed record PipelineParameterModel(string Name, ValueTypeModel Type, string? DefaultJson, string? DefaultCSharp);

/// <summary>A <c>[Pipeline]</c> method, parsed.</summary>
/// <param name="HasErrors">
/// Whether the checks found an error (or the body calls another pipeline): nothing is emitted then. The diagnostics
/// themselves are reported by the analyzers, so the model keeps no syntax trees and survives edits that only move them.
/// </param>
internal sealed record PipelineModel(
    string HintName,
    string? Namespace,
    string MethodDisplayName,
    string MethodName,
    string PipelineName,
    bool IsPublic,
    bool? EnableCache,
    EquatableArray<PipelineParameterModel> Parameters,
    EquatableArray<CallModel> Calls,
    bool HasErrors);

/// <summary>The program the pipelines belong to: its assembly name and whether it is published as a native (AOT) binary.</summary>
internal sealed record ProgramInfo(string AssemblyName, bool IsNativeAot);
