namespace PipelineSdk.Descriptors;

/// <summary>Where a task input's value comes from.</summary>
/// <param name="InputName">The step input it feeds.</param>
public abstract record InputBinding(string InputName);

/// <summary>The value is an output of an earlier task (<c>taskOutputParameter</c>/<c>taskOutputArtifact</c>).</summary>
/// <param name="InputName">The step input it feeds.</param>
/// <param name="ProducerTask">The producing task's key.</param>
/// <param name="OutputName">The producer's output name.</param>
public sealed record TaskOutputBinding(string InputName, string ProducerTask, string OutputName) : InputBinding(InputName);

/// <summary>The value is a pipeline parameter (<c>componentInputParameter</c>).</summary>
/// <param name="InputName">The step input it feeds.</param>
/// <param name="ParameterName">The pipeline parameter.</param>
public sealed record PipelineParameterBinding(string InputName, string ParameterName) : InputBinding(InputName);

/// <summary>The value is a literal from the pipeline body (<c>runtimeValue.constant</c>).</summary>
/// <param name="InputName">The step input it feeds.</param>
/// <param name="Json">The literal as canonical JSON.</param>
public sealed record ConstantBinding(string InputName, string Json) : InputBinding(InputName);

/// <summary>The value is the current item of an enclosing foreach loop (a ParallelFor's <c>itemInput</c>), or one field of it.</summary>
/// <param name="InputName">The step input it feeds.</param>
/// <param name="Loop">The loop's key, e.g. <c>for-loop-1</c>.</param>
/// <param name="Field">The field of the item (<c>item.A</c>, <c>item["a"]</c>; KFP's <c>parameterExpressionSelector</c>); null for the whole item.</param>
/// <param name="ItemCodec">Writes the item as JSON, from which the field is read; set with <paramref name="Field"/>.</param>
public sealed record LoopItemBinding(string InputName, string Loop, string? Field = null, PipelineSdk.Values.ValueCodec? ItemCodec = null) : InputBinding(InputName);

/// <summary>The value is the list of one output of a task inside a loop, one entry per iteration in iteration order (KFP's <c>dsl.Collected</c>).</summary>
/// <param name="InputName">The step input it feeds.</param>
/// <param name="Loop">The loop's key.</param>
/// <param name="ProducerTask">The task inside the loop.</param>
/// <param name="OutputName">Its output.</param>
public sealed record CollectedBinding(string InputName, string Loop, string ProducerTask, string OutputName) : InputBinding(InputName);

/// <summary>The value is the final status of a try block (an exit handler's <c>taskFinalStatus</c>).</summary>
/// <param name="InputName">The step input it feeds.</param>
/// <param name="Guarded">The exit handler's key, e.g. <c>exit-handler-1</c>.</param>
public sealed record FinalStatusBinding(string InputName, string Guarded) : InputBinding(InputName);

/// <summary>The output of whichever branch of an if/else if/else ran (KFP's <c>dsl.OneOf</c>).</summary>
/// <param name="InputName">The step input it feeds.</param>
/// <param name="Group">The branches group's key, e.g. <c>condition-branches-1</c>.</param>
/// <param name="Branches">The branches' keys, in order.</param>
/// <param name="Values">Per branch, the output of a task in it.</param>
public sealed record OneOfBinding(string InputName, string Group, IReadOnlyList<string> Branches, IReadOnlyList<TaskOutputBinding> Values) : InputBinding(InputName);
