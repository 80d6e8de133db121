namespace PipelineSdk.Model;

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
