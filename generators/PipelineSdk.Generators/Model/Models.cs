namespace PipelineSdk.Generators.Model;

// Everything here is cached between generator runs: immutable, structurally equatable, and free of
// ISymbol, SyntaxNode and Compilation, so an unrelated edit yields equal models and nothing is re-emitted.

/// <summary>A .NET type that can pass between steps, and how generated code reads and writes it.</summary>
/// <param name="TypeSyntax">The fully qualified C# type, e.g. <c>int</c> or <c>global::System.Collections.Generic.List&lt;int&gt;</c>.</param>
/// <param name="KfpType">The Kubeflow parameter type or artifact schema title.</param>
/// <param name="IsArtifact">Whether the value is an artifact rather than a parameter.</param>
/// <param name="Codec">The runtime codec that reads and writes it.</param>
/// <param name="IsArtifactList">Whether the value is a list of artifacts (a step input with <c>isArtifactList</c>).</param>
/// <param name="IsOutputOnly">Whether its materializer cannot read it back (<c>OutputOnly</c>), so no step may take it.</param>
internal sealed record ValueTypeModel(string TypeSyntax, string KfpType, bool IsArtifact, CodecModel Codec, bool IsArtifactList = false, bool IsOutputOnly = false);

/// <summary>A step input or output.</summary>
internal sealed record PortModel(string Name, ValueTypeModel Type)
{
    /// <summary>For an output, the name its versions are recorded under (<c>[Artifact("churn-model")]</c>); null for none.</summary>
    public string? ArtifactName { get; init; }

    /// <summary>For a named output that promotes (<c>[Artifact(Stage = ...)]</c>), the stage its version goes to.</summary>
    public string? PromotesTo { get; init; }

    /// <summary>For a named output, the tags each new version gets.</summary>
    public EquatableArray<string> Tags { get; init; } = EquatableArray<string>.Empty;
}

/// <summary>Where a <c>[FromArtifact]</c> or <c>[FromModel]</c> parameter gets its value when the task starts.</summary>
/// <param name="ArtifactName">The named artifact or model.</param>
/// <param name="Selector">The version selector, or the model stage.</param>
/// <param name="IsModelStage">Whether <paramref name="Selector"/> is a model stage.</param>
internal sealed record RegistryInputModel(string ArtifactName, string Selector, bool IsModelStage);

/// <summary>A step parameter: a wired input, or a value the runtime supplies (a <c>CancellationToken</c>, a registry version).</summary>
internal sealed record StepParameterModel(string Name, ValueTypeModel? Type, bool IsCancellationToken)
{
    /// <summary>For a <c>[FromArtifact]</c>/<c>[FromModel]</c> parameter, the version it gets; null for a wired input.</summary>
    public RegistryInputModel? Registry { get; init; }

    /// <summary>Whether the runtime supplies the value, so pipeline calls do not wire it.</summary>
    public bool IsInjected => IsCancellationToken || Registry is not null;
}

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
    string CodeFingerprint,
    StepSettingsModel Settings)
{
    /// <summary>For an <c>Importer.Import</c> call standing as a step: what it imports; null for a step.</summary>
    public ImporterModel? Importer { get; init; }

    /// <summary>
    /// The generated class holding the step's descriptor and invoker, once per assembly (see <c>StepEmitter</c>), e.g.
    /// <c>global::PipelineSdk.Generated.Demo_Steps_Train_1a2b3c4d</c>; empty for an importer or a called pipeline.
    /// </summary>
    public string SharedClass { get; init; } = "";

    /// <summary>Whether a call's settings (<c>.WithRetry(3)</c>, ...) replaced the settings of the step's attributes.</summary>
    public bool SettingsOverridden { get; init; }
}

/// <summary>A step as its own generated file holds it: its descriptor and invoker, shared by every pipeline that calls it.</summary>
/// <param name="HintName">The generated file's hint name.</param>
/// <param name="Step">The step with its code fingerprint; null when reading it failed.</param>
/// <param name="InternalError">Why reading the step failed (a bug of ours), reported instead of failing the build.</param>
internal sealed record SharedStepModel(string HintName, StepModel? Step, string? InternalError);

/// <summary>One <c>Importer.Import&lt;T&gt;(uri, reimport, metadata)</c> call (KFP's <c>dsl.importer</c>).</summary>
/// <param name="Ordinal">Which importer of the pipeline body it is (0 for the first): every importer is a component of its own, as KFP compiles it.</param>
/// <param name="UriJson">The URI as a JSON string when it is a constant (<c>artifactUri.constant</c>); null when a task input gives it (<c>runtimeParameter</c>).</param>
/// <param name="Reimport">KFP's <c>reimport</c>.</param>
/// <param name="MetadataJson">The artifact's metadata, a JSON object of constants (<c>{}</c> for none).</param>
internal sealed record ImporterModel(int Ordinal, string? UriJson, bool Reimport, string MetadataJson);

internal enum ArgumentSource
{
    TaskOutput,
    PipelineParameter,
    Constant,

    /// <summary>The item of the loop whose scope is <see cref="ArgumentModel.Scope"/>.</summary>
    LoopItem,

    /// <summary>An output of the call <see cref="ArgumentModel.Call"/> inside a loop, one value per iteration (KFP's <c>dsl.Collected</c>).</summary>
    Collected,

    /// <summary>The final status of the try block whose scope is <see cref="ArgumentModel.Scope"/> (<c>TASK_FINAL_STATUS</c>).</summary>
    FinalStatus,

    /// <summary>The value of whichever branch ran (KFP's <c>dsl.OneOf</c>): <see cref="PipelineModel.OneOfs"/>[<see cref="ArgumentModel.OneOf"/>].</summary>
    OneOf,
}

/// <summary>Where one step input gets its value in a pipeline body. Create one with the factory of its source.</summary>
/// <param name="InputName">The step input.</param>
/// <param name="Source">The kind of source.</param>
/// <param name="Reference">The producer's output name, the pipeline parameter's name, or the field of a loop item (null: the whole item).</param>
/// <param name="ConstantJson">For constants: the literal as canonical JSON.</param>
internal sealed record ArgumentModel(string InputName, ArgumentSource Source, string? Reference, string? ConstantJson)
{
    /// <summary>For a task or collected output: the producing call (index in <see cref="PipelineModel.Calls"/>); otherwise -1.</summary>
    public int Call { get; init; } = -1;

    /// <summary>For a loop item: the loop's scope; for a final status: the try block's scope (index in <see cref="PipelineModel.Scopes"/>); otherwise -1.</summary>
    public int Scope { get; init; } = -1;

    /// <summary>For a OneOf value: its index in <see cref="PipelineModel.OneOfs"/>; otherwise -1.</summary>
    public int OneOf { get; init; } = -1;

    /// <summary>An output of call <paramref name="call"/>.</summary>
    public static ArgumentModel TaskOutput(string input, int call, string? output) => new(input, ArgumentSource.TaskOutput, output, null) { Call = call };

    /// <summary>An output of call <paramref name="call"/> inside a loop, one value per iteration.</summary>
    public static ArgumentModel Collected(string input, int call, string? output) => new(input, ArgumentSource.Collected, output, null) { Call = call };

    public static ArgumentModel Parameter(string input, string parameter) => new(input, ArgumentSource.PipelineParameter, parameter, null);

    public static ArgumentModel Constant(string input, string? json) => new(input, ArgumentSource.Constant, null, json);

    /// <summary>The item of the loop <paramref name="loop"/>, or its <paramref name="field"/> (null: the whole item).</summary>
    public static ArgumentModel LoopItem(string input, int loop, string? field) => new(input, ArgumentSource.LoopItem, field, null) { Scope = loop };

    /// <summary>The final status of the try block <paramref name="tryScope"/>.</summary>
    public static ArgumentModel FinalStatus(string input, int tryScope) => new(input, ArgumentSource.FinalStatus, null, null) { Scope = tryScope };

    /// <summary>The value of <see cref="PipelineModel.OneOfs"/>[<paramref name="oneOf"/>].</summary>
    public static ArgumentModel FromOneOf(string input, int oneOf) => new(input, ArgumentSource.OneOf, null, null) { OneOf = oneOf };
}

/// <summary>One step call (or call of another pipeline) in a pipeline body.</summary>
/// <param name="Step">The step; for a pipeline call, the pipeline's interface as a step (its parameters and output).</param>
/// <param name="Arguments">Where each input comes from.</param>
/// <param name="Scope">The scope (index in <see cref="PipelineModel.Scopes"/>) the call is in.</param>
/// <param name="Guards">For the call in a <c>finally</c> block: the scope of its <c>try</c> block; otherwise -1.</param>
/// <param name="Pipeline">For a call of another pipeline: that pipeline, parsed; otherwise null.</param>
internal sealed record CallModel(StepModel Step, EquatableArray<ArgumentModel> Arguments, int Scope, int Guards, PipelineModel? Pipeline)
{
    /// <summary>Earlier calls (indexes) this one waits for though it takes none of their outputs (<c>.After(...)</c>).</summary>
    public EquatableArray<int> After { get; init; } = EquatableArray<int>.Empty;

    /// <summary>Pipeline parameters a setting reads when the task starts (<c>.WithResources(cpu: cpuLimit)</c>), as <c>pipelinechannel--</c> inputs of the task.</summary>
    public EquatableArray<ArgumentModel> SettingInputs { get; init; } = EquatableArray<ArgumentModel>.Empty;
}

internal enum ScopeKind
{
    /// <summary>The pipeline body.</summary>
    Root,

    /// <summary>An if/else if/else chain with an else or several branches: KFP's <c>condition-branches-N</c>.</summary>
    Branches,

    /// <summary>One branch of an if: a sub-DAG with a trigger condition.</summary>
    Condition,

    /// <summary>The body of a foreach: a ParallelFor.</summary>
    Loop,

    /// <summary>The body of a try with a finally: an exit handler.</summary>
    ExitHandler,
}

/// <summary>A boolean expression over run-time values, compiled to a CEL trigger condition.</summary>
/// <param name="Operator">
/// <c>&amp;&amp;</c>, <c>||</c> or <c>!</c> over <see cref="Operands"/>; a comparison (<c>==</c>, <c>!=</c>, <c>&lt;</c>, ...) over two
/// <see cref="Values"/>; or <c>value</c> for a single bool value.
/// </param>
/// <param name="Operands">Sub-conditions of a logical operator.</param>
/// <param name="Values">The compared values (a comparison) or the bool value; each with its Kubeflow type in <see cref="ArgumentModel.InputName"/>.</param>
internal sealed record ConditionModel(string Operator, EquatableArray<ConditionModel> Operands, EquatableArray<ArgumentModel> Values);

/// <summary>A foreach loop: what it iterates over and how.</summary>
/// <param name="Items">The list: a step output, pipeline parameter, constant array or outer loop item.</param>
/// <param name="ItemType">The type of one item.</param>
/// <param name="ParallelismLimit">At most this many iterations at once; null for no limit.</param>
internal sealed record LoopModel(ArgumentModel Items, ValueTypeModel ItemType, int? ParallelismLimit);

/// <summary>A block of the body that becomes a sub-DAG.</summary>
/// <param name="Parent">The enclosing scope; -1 for the root.</param>
/// <param name="Kind">What kind of block.</param>
/// <param name="Condition">For a condition branch: when it runs, the negations of the earlier branches included.</param>
/// <param name="Loop">For a loop: its items.</param>
internal sealed record ScopeModel(int Parent, ScopeKind Kind, ConditionModel? Condition, LoopModel? Loop)
{
    /// <summary>The name the user gave the block (<c>ExitHandler.Name("...")</c>), shown instead of its key; null for none.</summary>
    public string? DisplayName { get; init; }
}

/// <summary>A local assigned a step output in every branch of an if/else if/else (KFP's <c>dsl.OneOf</c>).</summary>
/// <param name="Group">The scope of the branches group (<c>condition-branches-N</c>).</param>
/// <param name="Type">The value's type.</param>
/// <param name="Branches">Per branch, in order: the output of a task directly in that branch.</param>
internal sealed record OneOfModel(int Group, ValueTypeModel Type, EquatableArray<ArgumentModel> Branches);

/// <summary>A pipeline's return value: the single output of its DAG.</summary>
internal sealed record PipelineOutputModel(ValueTypeModel Type, ArgumentModel Source);

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
    bool HasErrors)
{
    /// <summary>The root scope first, then every block in the order it appears.</summary>
    public EquatableArray<ScopeModel> Scopes { get; init; } = RootOnly;

    /// <summary>The returned value, when the pipeline returns one.</summary>
    public PipelineOutputModel? Output { get; init; }

    /// <summary>The values taken from whichever branch ran, in the order their branches groups end.</summary>
    public EquatableArray<OneOfModel> OneOfs { get; init; } = EquatableArray<OneOfModel>.Empty;

    /// <summary>The experiment its runs are recorded in (<c>[Pipeline(Experiment = ...)]</c>), when it names one.</summary>
    public string? Experiment { get; init; }

    private static readonly EquatableArray<ScopeModel> RootOnly = new[] { new ScopeModel(-1, ScopeKind.Root, null, null) }.ToEquatableArray();
}

/// <summary>The program the pipelines belong to: its assembly name and whether it is published as a native (AOT) binary.</summary>
internal sealed record ProgramInfo(string AssemblyName, bool IsNativeAot);
